import { expect, test } from '@playwright/test';
import { inspectSettings } from '../../fixtures/settings.ts';
import {
  blocks,
  checkBundle,
  checkDisks,
  checkDocker,
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
  bundleBuilt: true,
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
};

test.describe('the doctor', () => {
  test('passes a machine that can run the embedded stack without Docker', () => {
    const findings = diagnose(healthy);
    expect(blocks(findings)).toBe(false);
    expect(findings.find((finding) => finding.check === 'docker')?.level).toBe('note');
  });

  test('needs Node 22.12 or newer', () => {
    expect(checkNode('v22.12.0').level).toBe('ok');
    expect(checkNode('v23.0.1').level).toBe('ok');
    expect(checkNode('v22.11.9')).toMatchObject({ level: 'error', fix: expect.stringContaining('Node 24') });
    expect(checkNode('v20.19.2').level).toBe('error');
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

  test('needs the platform bundle for managed stacks only', () => {
    expect(checkBundle(false, 'embedded')).toMatchObject({ level: 'error', fix: 'Run npm run build.' });
    expect(checkBundle(false, 'containers').level).toBe('error');
    expect(checkBundle(false, 'external').level).toBe('note');
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
