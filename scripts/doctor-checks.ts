/**
 * The doctor's judgement, separate from how the facts are gathered so it can be tested with any
 * machine state. Each finding says what is wrong and the command or setting that fixes it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BundleState } from '../containers/api/bundle.ts';
import { installHeadlessShell } from '../fixtures/browser.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import type { StackMode } from '../fixtures/stack/stack.ts';
import type { WarmStackState } from '../fixtures/stack/warm-stack.ts';
import { type LockState, lockFix } from './lock-check.ts';

export type Level = 'ok' | 'note' | 'warn' | 'error';

export interface Finding {
  check: string;
  level: Level;
  message: string;
  fix?: string;
}

export interface DoctorFacts {
  /** The requested mode, or the invalid E2E_STACK value. */
  mode: StackMode | { invalid: string; error: string };
  nodeVersion: string;
  browser: { executablePath: string; source: string; headlessShell: boolean } | { error: string };
  docker: { reachable: true } | { reachable: false; reason: string };
  disks: { label: string; path: string; freeBytes: number }[];
  bundle: BundleState;
  lock: LockState;
  warmStack: WarmStackState;
  /** Set when E2E_STACK=external and its variables are missing or malformed. */
  externalConfigError?: string;
  /** What fixtures/settings.ts found in the E2E_* variables. */
  settings: SettingsFacts;
  /** External mode: whether this machine reaches the platform and the platform the mocks (scripts/doctor-reach.ts). */
  reach?: Finding[];
}

export interface SettingsFacts {
  problems: { variable: string; message: string }[];
  warnings: string[];
}

/**
 * From package.json `engines` (">=22.18"): every npm script runs a .ts file directly, which Node
 * runs without a flag from 22.18 on (22.12–22.17 refuse the extension). scripts/doctor.mjs reads
 * the same field to say so on a Node too old to load this module.
 */
export const minimumNode = (() => {
  const engines = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).engines.node;
  const [, major = '0', minor = '0'] = /^>=(\d+)\.(\d+)/.exec(engines) ?? [];
  return { major: Number(major), minor: Number(minor) };
})();
export const minimumFreeBytes = 2 * 1024 ** 3;

export function checkNode(version: string): Finding {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const ok = major > minimumNode.major || (major === minimumNode.major && minor >= minimumNode.minor);
  return ok
    ? { check: 'node', level: 'ok', message: `Node ${version}` }
    : {
        check: 'node',
        level: 'error',
        message: `Node ${version} is older than ${minimumNode.major}.${minimumNode.minor}: it cannot run the suite's TypeScript scripts and modules directly.`,
        fix: `Install Node 24 LTS (or ${minimumNode.major}.${minimumNode.minor} or later) and put it first on PATH (.ci/run does this on CI machines).`,
      };
}

export function checkBrowser(browser: DoctorFacts['browser']): Finding {
  if ('error' in browser) {
    return { check: 'browser', level: 'error', message: 'No Chromium for the journeys.', fix: browser.error };
  }
  const message = `Chromium ${browser.executablePath} (${browser.source})`;
  // Playwright's own download brings its headless shell along; a system Chromium may not.
  if (browser.source === 'system' && !browser.headlessShell) {
    return {
      check: 'browser',
      level: 'warn',
      message: `${message}: headless journeys run in the full browser, at two to four times the CPU per page.`,
      fix: `For a run about twice as fast, ${installHeadlessShell}.`,
    };
  }
  return { check: 'browser', level: 'ok', message };
}

export function checkDocker(docker: DoctorFacts['docker'], mode: StackMode | undefined): Finding {
  if (docker.reachable) return { check: 'docker', level: 'ok', message: 'Docker engine reachable' };
  const fix = 'Start the Docker engine (or set DOCKER_HOST), or run with E2E_STACK=embedded.';
  return mode === 'containers'
    ? { check: 'docker', level: 'error', message: `Docker is not reachable: ${docker.reason}.`, fix }
    : {
        check: 'docker',
        level: 'note',
        message: `Docker is not reachable (${docker.reason}); only E2E_STACK=containers needs it.`,
      };
}

export function checkDisks(disks: DoctorFacts['disks'], mode: StackMode | undefined): Finding[] {
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return disks.map(({ label, path, freeBytes }) =>
    freeBytes >= minimumFreeBytes
      ? { check: 'disk', level: 'ok', message: `${gib(freeBytes)} free in the ${label} (${path})` }
      : {
          check: 'disk',
          // Reports and traces still need room against a deployed environment, but less.
          level: mode === 'external' ? 'warn' : 'error',
          message: `Only ${gib(freeBytes)} free in the ${label} (${path}); the stack and reports need ${gib(minimumFreeBytes)}.`,
          fix: `Free space in ${path} (old test-results/, allure-results/, playwright-report/ are safe to delete).`,
        },
  );
}

export function checkBundle(bundle: BundleState, mode: StackMode | undefined): Finding {
  if (bundle.state === 'fresh')
    return { check: 'platform', level: 'ok', message: 'Platform bundle up to date' };
  // Not an error: the embedded and containers stacks build it at setup (about a second).
  const why = bundle.state === 'missing' ? 'is not built' : `is older than ${bundle.newerInput}`;
  const next =
    mode === 'external' ? 'only the embedded and containers stacks run it' : 'the next run builds it first';
  return {
    check: 'platform',
    level: 'note',
    message: `The platform bundle (containers/api/dist) ${why}; ${next}.`,
    fix: 'Nothing to do, or build it now with npm run build.',
  };
}

export function checkLock(lock: LockState): Finding {
  return lock.inSync
    ? { check: 'lock', level: 'ok', message: 'package-lock.json agrees with every package.json' }
    : {
        check: 'lock',
        level: 'error',
        message: `package-lock.json disagrees with package.json (${lock.detail}); npm ci refuses it.`,
        fix: lockFix.replace(/^r/, 'R'),
      };
}

export function checkWarmStack(warm: WarmStackState): Finding {
  switch (warm.state) {
    case 'none':
      return { check: 'warm stack', level: 'ok', message: 'No warm stack recorded' };
    case 'live':
      return {
        check: 'warm stack',
        level: 'note',
        message: `A warm ${warm.stack.mode} stack runs at ${warm.stack.apiUrl} (pid ${warm.stack.pid}); runs reuse it.`,
      };
    case 'stale':
      return {
        check: 'warm stack',
        level: 'warn',
        message: `.journeys/stack.json describes a stack that is not running (${warm.reason}); runs start a fresh one.`,
        fix: 'Run npm run stack:down to remove the stale description.',
      };
  }
}

/**
 * The E2E_* settings, judged by the same module the Playwright configs use: each bad value is an
 * error with its one sentence (which says the fix), each unknown E2E_ variable a warning.
 */
export function checkSettings(settings: SettingsFacts): Finding[] {
  const findings: Finding[] = [
    ...settings.problems.map(({ message }): Finding => ({ check: 'settings', level: 'error', message })),
    ...settings.warnings.map((message): Finding => ({ check: 'settings', level: 'warn', message })),
  ];
  return findings.length > 0
    ? findings
    : [{ check: 'settings', level: 'ok', message: 'Every E2E_* setting is valid' }];
}

export function checkMode(facts: Pick<DoctorFacts, 'mode' | 'externalConfigError'>): Finding {
  if (typeof facts.mode === 'object') {
    // The settings check above says what is wrong with it and how to fix it.
    return {
      check: 'mode',
      level: 'error',
      message: `No stack mode to check the machine for, since E2E_STACK="${facts.mode.invalid}" is not one.`,
      fix: 'Set E2E_STACK to embedded, containers or external.',
    };
  }
  if (facts.mode === 'external' && facts.externalConfigError) {
    return { check: 'mode', level: 'error', message: facts.externalConfigError };
  }
  return { check: 'mode', level: 'ok', message: `Stack mode ${facts.mode}` };
}

export function diagnose(facts: DoctorFacts): Finding[] {
  const mode = typeof facts.mode === 'string' ? facts.mode : undefined;
  return [
    ...checkSettings(facts.settings),
    checkMode(facts),
    checkNode(facts.nodeVersion),
    checkBrowser(facts.browser),
    checkDocker(facts.docker, mode),
    ...checkDisks(facts.disks, mode),
    checkBundle(facts.bundle, mode),
    checkLock(facts.lock),
    checkWarmStack(facts.warmStack),
    ...(facts.reach ?? []),
  ];
}

export function blocks(findings: Finding[]): boolean {
  return findings.some((finding) => finding.level === 'error');
}
