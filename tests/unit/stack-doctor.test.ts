import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { inspectSettings } from '../../fixtures/settings.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';
import {
  blocks,
  checkBundle,
  checkDisks,
  checkDocker,
  checkLock,
  checkNode,
  checkWarmStack,
  type DoctorFacts,
  diagnose,
} from '../../scripts/doctor-checks.ts';

const healthy: DoctorFacts = {
  mode: 'embedded',
  nodeVersion: 'v24.3.0',
  browser: {
    executablePath: '/usr/lib/chromium/chromium-headless-shell',
    source: 'system',
    headlessShell: true,
  },
  docker: { reachable: false, reason: 'connect ENOENT /var/run/docker.sock' },
  disks: [{ label: 'temp dir', path: '/tmp', freeBytes: 10 * 1024 ** 3 }],
  bundle: { state: 'fresh' },
  lock: { inSync: true },
  warmStack: { state: 'none' },
  settings: { problems: [], warnings: [] },
};

const warm = {
  mode: 'embedded' as const,
  apiUrl: 'http://127.0.0.1:5',
  mqttUrl: 'mqtt://127.0.0.1:6',
  bootstrapToken: 't',
  pid: 42,
  startedAt: '',
  capabilities: [],
  uploadMaxBytes: 1024,
  externalsReach: { host: '127.0.0.1', publicHost: '127.0.0.1' },
};

test.describe('the doctor', () => {
  test('passes a machine that can run the embedded stack without Docker', () => {
    const findings = diagnose(healthy);
    expect(blocks(findings)).toBe(false);
    expect(findings.find((finding) => finding.check === 'docker')?.level).toBe('note');
  });

  test('needs a Node that runs TypeScript files directly: 22.18 or newer, as package.json says', () => {
    expect(checkNode('v22.18.0').level).toBe('ok');
    expect(checkNode('v23.0.1').level).toBe('ok');
    // 22.12–22.17 pass an `engines: >=22.12` but refuse every .ts script (ERR_UNKNOWN_FILE_EXTENSION).
    expect(checkNode('v22.17.1')).toMatchObject({
      level: 'error',
      message:
        "Node v22.17.1 is older than 22.18: it cannot run the suite's TypeScript scripts and modules directly.",
      fix: expect.stringContaining('Node 24'),
    });
    expect(checkNode('v20.19.2').level).toBe('error');
  });

  test('says on a Node too old to load its TypeScript that Node is the problem, with the fix', () => {
    const node20 = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'doctor.mjs')], {
      encoding: 'utf8',
      // Makes this Node look like 22.17 to the doctor's first step, as far as it can tell.
      env: {
        ...process.env,
        NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent("Object.defineProperty(process.versions, 'node', { value: '22.17.1' });")}`,
      },
    });
    expect(node20.status).toBe(1);
    expect(node20.stdout).toContain('is older than 22.18');
    expect(node20.stdout).toContain('fix: Install Node 24 LTS');
  });

  test('blocks every mode without a browser, and passes on how to get one', () => {
    const findings = diagnose({
      ...healthy,
      mode: 'external',
      browser: { error: 'No Chromium found: install it.' },
    });
    expect(blocks(findings)).toBe(true);
    expect(findings.find((finding) => finding.check === 'browser')?.fix).toBe(
      'No Chromium found: install it.',
    );
  });

  test('warns, without blocking, when headless journeys would run in the full browser', () => {
    const findings = diagnose({
      ...healthy,
      browser: { executablePath: '/usr/bin/chromium', source: 'system', headlessShell: false },
    });
    expect(blocks(findings)).toBe(false);
    expect(findings.find((finding) => finding.check === 'browser')).toMatchObject({
      level: 'warn',
      fix: expect.stringContaining('apt-get install chromium-headless-shell'),
    });
  });

  test('makes an unreachable Docker an error only for the containers mode', () => {
    const down = { reachable: false as const, reason: 'no socket' };
    expect(checkDocker(down, 'containers')).toMatchObject({
      level: 'error',
      fix: expect.stringContaining('E2E_STACK=embedded'),
    });
    expect(checkDocker(down, 'embedded').level).toBe('note');
    expect(checkDocker({ reachable: true }, 'containers').level).toBe('ok');
  });

  test('wants 2 GiB free, and says where', () => {
    const [low] = checkDisks(
      [{ label: 'repository', path: '/repo', freeBytes: 1.5 * 1024 ** 3 }],
      'embedded',
    );
    expect(low).toMatchObject({
      level: 'error',
      message: expect.stringContaining('Only 1.5 GiB free in the repository (/repo)'),
    });
    const [enough] = checkDisks(
      [{ label: 'repository', path: '/repo', freeBytes: 2 * 1024 ** 3 }],
      'embedded',
    );
    expect(enough?.level).toBe('ok');
  });

  test('names a missing or stale platform bundle without blocking, since the stack builds it', () => {
    expect(checkBundle({ state: 'missing' }, 'embedded')).toMatchObject({
      level: 'note',
      message: 'The platform bundle (containers/api/dist) is not built; the next run builds it first.',
      fix: 'Nothing to do, or build it now with npm run build.',
    });
    expect(
      checkBundle({ state: 'stale', newerInput: 'containers/api/src/app.ts' }, 'containers'),
    ).toMatchObject({
      level: 'note',
      message:
        'The platform bundle (containers/api/dist) is older than containers/api/src/app.ts; the next run builds it first.',
    });
    expect(checkBundle({ state: 'fresh' }, 'embedded').level).toBe('ok');
  });

  test('blocks on a lock that npm ci would refuse, with the fix in one sentence', () => {
    const finding = checkLock({
      inSync: false,
      detail: 'Missing: @biomejs/cli-darwin-x64@2.6.8 from lock file',
    });
    expect(finding).toEqual({
      check: 'lock',
      level: 'error',
      message:
        'package-lock.json disagrees with package.json (Missing: @biomejs/cli-darwin-x64@2.6.8 from lock file); npm ci refuses it.',
      fix: 'Run npm install and commit the package-lock.json it writes.',
    });
    expect(blocks([finding])).toBe(true);
    expect(checkLock({ inSync: true }).level).toBe('ok');
  });

  test('flags a stale warm stack with its fix, without blocking', () => {
    const stale = checkWarmStack({ state: 'stale', stack: warm, reason: 'its process 42 is gone' });
    expect(stale).toMatchObject({
      level: 'warn',
      fix: 'Run npm run stack:down to remove the stale description.',
    });
    expect(blocks([stale])).toBe(false);
    expect(checkWarmStack({ state: 'live', stack: warm }).level).toBe('note');
  });

  test('blocks an unknown mode and an incomplete external configuration', () => {
    expect(
      blocks(
        diagnose({ ...healthy, mode: { invalid: 'k8s', error: 'E2E_STACK="k8s" is not a stack mode.' } }),
      ),
    ).toBe(true);
    expect(
      blocks(
        diagnose({
          ...healthy,
          mode: 'external',
          externalConfigError: 'E2E_STACK=external needs E2E_BASE_URL.',
        }),
      ),
    ).toBe(true);
  });

  test('reports the E2E_* settings as the configs judge them: a bad value blocks, an unknown name warns', () => {
    const { problems, warnings } = inspectSettings({ E2E_WORKERS: 'abc', E2E_STAK: 'containers' });
    const findings = diagnose({
      ...healthy,
      settings: { problems: problems.map(({ variable, message }) => ({ variable, message })), warnings },
    });
    expect(blocks(findings)).toBe(true);
    expect(findings.filter((finding) => finding.check === 'settings')).toEqual([
      {
        check: 'settings',
        level: 'error',
        message: expect.stringMatching(/^Setting E2E_WORKERS="abc" is not a number of workers: /),
      },
      { check: 'settings', level: 'warn', message: expect.stringContaining('did you mean E2E_STACK?') },
    ]);
    expect(diagnose(healthy).find((finding) => finding.check === 'settings')?.level).toBe('ok');
  });
});
