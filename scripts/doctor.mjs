/**
 * `npm run doctor`, first step: plain JavaScript, so a Node too old for the suite's TypeScript
 * (which fails every other script with ERR_UNKNOWN_FILE_EXTENSION) still gets told why and what to
 * do. The minimum is package.json's `engines`; scripts/doctor.ts does the rest of the checks.
 */
import { readFileSync } from 'node:fs';

const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const [, needMajor = '0', needMinor = '0'] = /^>=(\d+)\.(\d+)/.exec(engines) ?? [];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < Number(needMajor) || (major === Number(needMajor) && minor < Number(needMinor))) {
  console.log(
    `FAIL  node        Node ${process.version} is older than ${needMajor}.${needMinor}: it cannot run the suite's TypeScript scripts and modules directly.`,
  );
  console.log(
    `                  fix: Install Node 24 LTS (or ${needMajor}.${needMinor} or later) and put it first on PATH (.ci/run does this on CI machines).`,
  );
  process.exit(1);
}
await import('./doctor.ts');
