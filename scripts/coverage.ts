import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * `npm run coverage [-- playwright args]`: the @e2e journeys in coverage mode (E2E_COVERAGE=1):
 * coverage/index.html, coverage/lcov.info, .journeys/coverage-map.json and a summary line.
 * Arguments replace the default selection, e.g. `npm run coverage -- journeys/data-scientist`.
 */
const repoRoot = path.resolve(import.meta.dirname, '..');
const given = process.argv.slice(2);
const args = ['test', '--project=journeys', ...(given.length > 0 ? given : ['--grep', '@e2e'])];
const child = spawn(
  process.execPath,
  [path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js'), ...args],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, E2E_COVERAGE: '1' },
  },
);
child.on('error', (error) => {
  console.error(`Could not start Playwright: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
