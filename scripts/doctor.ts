/**
 * `npm run doctor`: checks that this machine can run the suite in the chosen stack mode
 * (E2E_STACK), prints each problem with its fix, and exits 1 if one of them blocks that mode.
 */
import { statfsSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { bundleState } from '../containers/api/bundle.ts';
import { findChromium } from '../fixtures/browser.ts';
import { inspectSettings, readSetting } from '../fixtures/settings.ts';
import { stackOptionsOf } from '../fixtures/stack/options.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { inspectWarmStack } from '../fixtures/stack/warm-stack.ts';
import { blocks, type DoctorFacts, diagnose, type Level } from './doctor-checks.ts';
import { checkExternalReach } from './doctor-reach.ts';
import { lockState } from './lock-check.ts';

/** Docker's API answers `GET /_ping` with OK; DOCKER_HOST may point at a socket or a TCP address. */
function pingDocker(): Promise<DoctorFacts['docker']> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const target = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        return { host: url.hostname, port: Number(url.port) || 2375 };
      })();
  return new Promise((resolve) => {
    const request = http.get({ ...target, path: '/_ping', timeout: 2_000 }, (response) => {
      response.resume();
      resolve(
        response.statusCode === 200
          ? { reachable: true }
          : { reachable: false, reason: `${host} answered HTTP ${response.statusCode}` },
      );
    });
    request.on('timeout', () => request.destroy(new Error(`${host} did not answer within 2 s`)));
    request.on('error', (error) => resolve({ reachable: false, reason: `${host}: ${error.message}` }));
  });
}

function freeBytes(path: string): number {
  const { bavail, bsize } = statfsSync(path);
  return bavail * bsize;
}

/** Both directions between this machine and an external platform, once its settings are valid. */
async function externalReach(
  settings: ReturnType<typeof inspectSettings>['settings'],
): Promise<DoctorFacts['reach']> {
  if (!settings) return undefined;
  const options = stackOptionsOf(settings);
  if (options.stackMode !== 'external' || !options.externalStack) return undefined;
  return checkExternalReach(options.externalStack, options);
}

async function gatherFacts(): Promise<DoctorFacts> {
  // The same judgement as the Playwright configs', which stop a run on any of these problems;
  // it also covers what E2E_STACK=external needs.
  const settings = inspectSettings();
  const modeProblem = settings.problems.find((problem) => problem.variable === 'E2E_STACK');
  const mode: DoctorFacts['mode'] = modeProblem
    ? { invalid: process.env.E2E_STACK?.trim() ?? '', error: modeProblem.message }
    : (settings.settings?.E2E_STACK ?? readSetting('E2E_STACK'));
  let browser: DoctorFacts['browser'];
  try {
    browser = findChromium();
  } catch (error) {
    browser = { error: (error as Error).message };
  }
  return {
    mode,
    settings: {
      problems: settings.problems.map(({ variable, message }) => ({ variable, message })),
      warnings: settings.warnings,
    },
    nodeVersion: process.version,
    browser,
    docker: await pingDocker(),
    disks: [
      { label: 'temp dir', path: tmpdir(), freeBytes: freeBytes(tmpdir()) },
      { label: 'repository', path: repoRoot, freeBytes: freeBytes(repoRoot) },
    ],
    bundle: bundleState(),
    lock: lockState(),
    warmStack: await inspectWarmStack(),
    reach: await externalReach(settings.settings),
  };
}

const marks: Record<Level, string> = { ok: 'ok  ', note: 'note', warn: 'warn', error: 'FAIL' };
const findings = diagnose(await gatherFacts());
for (const finding of findings) {
  console.log(`${marks[finding.level]}  ${finding.check.padEnd(10)}  ${finding.message}`);
  if (finding.fix && finding.level !== 'ok') console.log(`${' '.repeat(18)}fix: ${finding.fix}`);
}
if (blocks(findings)) {
  console.log(
    '\nSomething above blocks this stack mode: apply the fixes marked FAIL, then run npm run doctor again.',
  );
  process.exit(1);
}
console.log('\nReady to run the suite.');
