import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { externalsServerOptions } from '../../fixtures/externals/reach.ts';
import {
  closestSetting,
  inspectSettings,
  readSetting,
  readSettings,
  SettingError,
  settingErrorPattern,
  settingSpecs,
  settingsTable,
} from '../../fixtures/settings.ts';
import { stackOptionsOf } from '../../fixtures/stack/options.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';
import { runPlaywrightTest } from './playwright-cli.ts';

test.describe('the E2E_* settings', () => {
  test('take what leaving them unset means', () => {
    expect(readSettings({})).toEqual({
      E2E_STACK: 'embedded',
      E2E_WORKERS: 2,
      E2E_STRESS: false,
      E2E_ENDURANCE_SECONDS: 600,
      E2E_KEEP_RESULTS: false,
      E2E_UPDATE_SNAPSHOT: false,
      E2E_CONTAINERS_TESTS: false,
      E2E_COVERAGE: false,
    });
    // Blank counts as unset; values are trimmed.
    expect(readSetting('E2E_WORKERS', { E2E_WORKERS: '  ' })).toBe(2);
    expect(readSetting('E2E_STACK', { E2E_STACK: ' containers ' })).toBe('containers');
  });

  test('parse good values', () => {
    expect(readSetting('E2E_WORKERS', { E2E_WORKERS: '4' })).toBe(4);
    expect(readSetting('E2E_WORKERS', { E2E_WORKERS: '50%' })).toBe('50%');
    expect(readSetting('E2E_SEED', { E2E_SEED: '0' })).toBe(0);
    expect(readSetting('E2E_SEED', { E2E_SEED: '3735928559' })).toBe(3735928559);
    for (const on of ['1', 'true', 'TRUE']) expect(readSetting('E2E_STRESS', { E2E_STRESS: on })).toBe(true);
    for (const off of ['0', 'false']) expect(readSetting('E2E_STRESS', { E2E_STRESS: off })).toBe(false);
    expect(readSetting('E2E_BASE_URL', { E2E_BASE_URL: 'https://staging.example.test/' })).toBe(
      'https://staging.example.test',
    );
    expect(readSetting('E2E_POSTGRES_IMAGE', { E2E_POSTGRES_IMAGE: 'registry:5000/journeys/pg:18' })).toBe(
      'registry:5000/journeys/pg:18',
    );
    expect(readSetting('E2E_STACK_TMPDIR', { E2E_STACK_TMPDIR: tmpdir() })).toBe(tmpdir());
    expect(readSetting('E2E_CHROMIUM', { E2E_CHROMIUM: process.execPath })).toBe(process.execPath);
  });

  test('refuse a bad value with one sentence: the variable, the value, what is allowed, the fix', () => {
    expect(() => readSetting('E2E_WORKERS', { E2E_WORKERS: 'abc' })).toThrow(
      new SettingError(
        'E2E_WORKERS',
        'Setting E2E_WORKERS="abc" is not a number of workers: set it to a whole number from 1 up, or a share of the CPU cores as a percentage (for example E2E_WORKERS=2), or unset it for 2.',
      ),
    );
    const bad: Array<[keyof typeof settingSpecs, string, string]> = [
      ['E2E_STACK', 'k8s', 'is not a stack mode: set it to embedded, containers or external'],
      ['E2E_WORKERS', '0', 'is not a number of workers'],
      ['E2E_WORKERS', '150%', 'is not a number of workers'],
      ['E2E_SEED', '-1', 'is not a seed'],
      ['E2E_SEED', '1e3', 'is not a seed'],
      ['E2E_SEED', '99999999999999999999', 'is too large for a seed'],
      ['E2E_STRESS', 'yes', 'is not an on/off switch: set it to 1 (on) or 0 (off)'],
      [
        'E2E_ENDURANCE_SECONDS',
        '60',
        'is under 120 seconds, too short to compare memory with the first minute',
      ],
      ['E2E_KEEP_RESULTS', 'keep', 'is not an on/off switch'],
      ['E2E_RUN_ID', 'my run', 'is not a run id'],
      ['E2E_CHROMIUM', '/no/such/chromium', 'names no file'],
      ['E2E_CHROMIUM', tmpdir(), 'names no file'],
      ['E2E_STACK_TMPDIR', '/no/such/dir', 'is not a directory this user can write to'],
      ['E2E_POSTGRES_IMAGE', 'Postgres 18', 'is not an image name'],
      ['E2E_BASE_URL', 'staging', 'is not a URL'],
      ['E2E_MQTT_URL', 'http://broker', 'is not a broker (mqtt:, mqtts:, ws:, wss:) URL'],
      ['E2E_EXTERNALS_HOST', 'http://host', 'is not a host name or IP address'],
    ];
    for (const [name, value, problem] of bad) {
      let thrown: unknown;
      try {
        readSetting(name, { [name]: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `${name}=${value}`).toBeInstanceOf(SettingError);
      const message = (thrown as SettingError).message;
      expect(message).toContain(`Setting ${name}=${JSON.stringify(value)} ${problem}`);
      expect(message).toMatch(settingErrorPattern);
      // One sentence: it names the fix and ends once.
      expect(message).toMatch(/: set it to .+, or unset it .+\.$/);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  test('never echo a token or a database password', () => {
    const token = () => readSetting('E2E_BOOTSTRAP_TOKEN', { E2E_BOOTSTRAP_TOKEN: 'top secret' });
    expect(token).toThrow(/^Setting E2E_BOOTSTRAP_TOKEN=\(hidden\) holds spaces: /);
    expect(token).not.toThrow(/secret/);
    expect(() =>
      readSetting('E2E_DATABASE_URL', { E2E_DATABASE_URL: 'mysql://reader:hunter2@db/journeys' }),
    ).toThrow('Setting E2E_DATABASE_URL="mysql://reader:***@db/journeys" is not a postgres: URL');
  });

  test('say what E2E_STACK=external needs, every missing one', () => {
    const { problems, settings } = inspectSettings({ E2E_STACK: 'external', E2E_BOOTSTRAP_TOKEN: 't' });
    expect(settings).toBeUndefined();
    expect(problems.map((problem) => problem.message)).toEqual([
      'Setting E2E_STACK="external" needs E2E_BASE_URL too: set E2E_BASE_URL to the platform URL with http:// or https:// (for example E2E_BASE_URL=https://staging.example.com), or unset E2E_STACK to run the embedded stack.',
      'Setting E2E_STACK="external" needs E2E_MQTT_URL too: set E2E_MQTT_URL to the broker URL as reachable from here, with mqtt://, mqtts://, ws:// or wss:// (for example E2E_MQTT_URL=mqtts://broker.example.com:8883), or unset E2E_STACK to run the embedded stack.',
    ]);
  });

  test('report every bad variable at once, not just the first', () => {
    const { problems } = inspectSettings({ E2E_WORKERS: 'abc', E2E_SEED: 'x', E2E_STACK: 'embedded' });
    expect(problems.map((problem) => problem.variable)).toEqual(['E2E_WORKERS', 'E2E_SEED']);
  });

  test('warn about an unknown E2E_ variable, naming the closest known one', () => {
    const { warnings, problems } = inspectSettings({
      E2E_STAK: 'containers',
      E2E_SEEDS: '1',
      E2E_COLOUR: 'blue',
      E2E_SKIP_STACK: '1',
      E2E_EXTERNALS_PUBLIC_HOST: 'host.docker.internal',
      // How the runner hands the stack to its workers: no setting, no E2E_ prefix, not warned about.
      JOURNEYS_RUN_HANDOVER: '{}',
      NOT_OURS: 'x',
    });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      'E2E_COLOUR is not a setting of this suite, so it does nothing: the settings are listed in README.md (Environment variables); unset it.',
      'E2E_EXTERNALS_PUBLIC_HOST does nothing any more: set E2E_EXTERNALS_URL to the base URL the platform reaches the mocks by (for example http://host.docker.internal), and unset it.',
      'E2E_SEEDS is not a setting of this suite, so it does nothing: did you mean E2E_SEED? Rename it, or unset it.',
      'E2E_SKIP_STACK does nothing: the unit tests have their own config (playwright.unit.config.ts), which starts no stack; unset it.',
      'E2E_STAK is not a setting of this suite, so it does nothing: did you mean E2E_STACK? Rename it, or unset it.',
    ]);
    expect(closestSetting('E2E_WORKRES')).toBe('E2E_WORKERS');
    expect(closestSetting('E2E_KEEP_RESULT')).toBe('E2E_KEEP_RESULTS');
  });
});

test("README's table lists every setting, and only settings, once each", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Environment variables'), readme.indexOf('## Reports'));
  // The table's rows: | `E2E_NAME` | meaning | ...
  const rows = [...section.matchAll(/^\| `(E2E_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
  expect(rows).toEqual(Object.keys(settingSpecs));
  expect(section, 'paste settingsTable() (fixtures/settings.ts) into README.md').toContain(settingsTable());
});

test.describe('the stack settings become Playwright options', () => {
  test('from the variables, with an external stack only in external mode', () => {
    const external = {
      E2E_STACK: 'external',
      E2E_BASE_URL: 'http://10.0.0.7:8080/',
      E2E_MQTT_URL: 'mqtt://10.0.0.7:1883',
      E2E_BOOTSTRAP_TOKEN: 'token-1234567890ab',
      E2E_EXTERNALS_URL: 'http://10.0.0.5:47100',
    };
    expect(stackOptionsOf(readSettings(external))).toEqual({
      stackMode: 'external',
      externalStack: {
        apiUrl: 'http://10.0.0.7:8080',
        mqttUrl: 'mqtt://10.0.0.7:1883',
        bootstrapToken: 'token-1234567890ab',
        databaseUrl: undefined,
      },
      externalsHost: undefined,
      externalsUrl: 'http://10.0.0.5:47100',
    });
    expect(
      stackOptionsOf(readSettings({ ...external, E2E_STACK: 'embedded' })).externalStack,
    ).toBeUndefined();
    expect(stackOptionsOf(readSettings({}))).toEqual({
      stackMode: 'embedded',
      externalStack: undefined,
      externalsHost: undefined,
      externalsUrl: undefined,
    });
  });

  test('E2E_EXTERNALS_URL gives every worker its port from the first one, on every interface', () => {
    const reach = { host: '0.0.0.0', publicHost: 'host.docker.internal' };
    const second = externalsServerOptions(
      { externalsHost: undefined, externalsUrl: 'http://10.0.0.5:47100' },
      reach,
      1,
    );
    expect(second).toMatchObject({ host: '0.0.0.0', publicHost: '10.0.0.5', port: 47101 });
    expect(second.publicUrl?.(47101)).toBe('http://10.0.0.5:47101');
    const anyPort = externalsServerOptions(
      { externalsHost: '192.168.1.4', externalsUrl: 'https://runner.example.test' },
      undefined,
      0,
    );
    expect(anyPort).toMatchObject({ host: '192.168.1.4', port: undefined });
    expect(anyPort.publicUrl?.(40001)).toBe('https://runner.example.test:40001');
    // Without it, the stack's answer; E2E_EXTERNALS_HOST still picks the interface.
    expect(externalsServerOptions({ externalsHost: undefined, externalsUrl: undefined }, reach, 3)).toEqual(
      reach,
    );
    expect(
      externalsServerOptions({ externalsHost: '10.1.1.1', externalsUrl: undefined }, undefined, 0),
    ).toEqual({
      host: '10.1.1.1',
      publicHost: '127.0.0.1',
    });
  });

  test('refuse an E2E_EXTERNALS_URL that is no base URL', () => {
    expect(() => readSetting('E2E_EXTERNALS_URL', { E2E_EXTERNALS_URL: 'ftp://10.0.0.5' })).toThrow(
      /^Setting E2E_EXTERNALS_URL="ftp:\/\/10.0.0.5" is not an http\(s\) URL: set it to this machine's address/,
    );
    expect(() => readSetting('E2E_EXTERNALS_URL', { E2E_EXTERNALS_URL: 'http://10.0.0.5/?x=1' })).toThrow(
      /^Setting E2E_EXTERNALS_URL="http:\/\/10.0.0.5\/\?x=1" has a query: /,
    );
  });
});

test.describe('a Playwright run with a bad setting', () => {
  test('stops as the config loads, with the sentence and nothing started', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'settings-run-'));
    try {
      // Before: "Running 3 tests using NaN workers", no test ran and the run passed (exit 0); the
      // journeys' run hung that way with its stack up.
      const run = runPlaywrightTest(
        [
          '-c',
          path.join(repoRoot, 'playwright.unit.config.ts'),
          '--output',
          path.join(dir, 'out'),
          'tests/unit/run-step.test.ts',
        ],
        {
          cwd: dir,
          timeout: 30_000,
          env: { ...process.env, E2E_WORKERS: 'abc', E2E_STAK: 'containers', E2E_KEEP_RESULTS: '1' },
        },
      );
      expect(run.error, 'the run should end on its own').toBeUndefined();
      expect(run.status).toBe(1);
      expect(run.stdout).not.toContain('Running');
      expect(run.stderr.trim().split('\n')).toEqual([
        'warning: E2E_STAK is not a setting of this suite, so it does nothing: did you mean E2E_STACK? Rename it, or unset it.',
        'Setting E2E_WORKERS="abc" is not a number of workers: set it to a whole number from 1 up, or a share of the CPU cores as a percentage (for example E2E_WORKERS=2), or unset it for 2.',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
