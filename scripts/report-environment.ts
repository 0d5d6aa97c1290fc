import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium } from '../fixtures/browser.ts';
import { parameterOf, readAllureResults } from './allure-results.ts';

/**
 * What the Allure report shows as its environment: the stack the journeys ran on, and the Node,
 * browser and operating system of the machine. Computed when the report is built, which is where
 * and right after the run happened.
 */

// `allure generate` options that take a value; every other word after the command is a results dir.
const optionsWithValue = new Set([
  '-c',
  '--config',
  '-o',
  '--output',
  '--cwd',
  '--name',
  '--report-name',
  '--dump',
  '--port',
  '--history-limit',
  '--history-base-url',
  '--hide-labels',
  '--known-issues',
]);

/** The results directories an `allure generate …` command line names. */
export function resultsDirsFromArgv(argv: readonly string[]): string[] {
  const command = argv.indexOf('generate');
  if (command < 0) return [];
  const dirs: string[] = [];
  for (let index = command + 1; index < argv.length; index += 1) {
    const word = argv[index] ?? '';
    if (optionsWithValue.has(word)) index += 1;
    else if (!word.startsWith('-')) dirs.push(word);
  }
  return dirs;
}

/**
 * The stack modes the journeys in these results ran on (each journey records its mode as a
 * parameter), e.g. "embedded, containers".
 */
export function stackModesOf(resultsDirs: readonly string[]): string | undefined {
  const modes = new Set(
    resultsDirs
      .flatMap((dir) => readAllureResults(dir))
      .map((result) => parameterOf(result, 'stack mode'))
      .filter((mode): mode is string => Boolean(mode)),
  );
  return modes.size > 0 ? [...modes].sort().join(', ') : undefined;
}

/** "Chromium 156.0.8078.79": the browser the suite drives, as it names itself. */
export function browserOf(
  choose: () => { executablePath: string } = findChromium,
  versionOf: (executable: string) => string = (executable) =>
    spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 15_000 }).stdout ?? '',
): string {
  let executable: string;
  try {
    executable = choose().executablePath;
  } catch (error) {
    return `none found (${(error as Error).message})`;
  }
  // Debian's Chromium prints "Chromium 156.0.8078.79 built on Debian …"; Chrome "Google Chrome 156.0…".
  const named = /^(.*?)\s+(\d+(?:\.\d+)+)/.exec(versionOf(executable).trim());
  return named ? `${named[1]} ${named[2]}` : `unknown version (${path.basename(executable)})`;
}

/** "Debian GNU/Linux 12 (bookworm)": the distribution where the OS names one, else the OS itself. */
export function operatingSystemOf(
  readOsRelease: () => string = () => readFileSync('/etc/os-release', 'utf8'),
): string {
  if (os.platform() === 'linux') {
    try {
      const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readOsRelease())?.[1];
      if (pretty) return pretty;
    } catch {
      // No os-release: the kernel's name below still says which OS it is.
    }
  }
  return os.type();
}

export function reportVariables(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return {
    'Stack mode': stackModesOf(resultsDirsFromArgv(argv)) ?? `${env.E2E_STACK ?? 'embedded'} (not recorded)`,
    Node: process.version,
    Browser: browserOf(),
    OS: operatingSystemOf(),
    Architecture: `${os.type()} ${os.arch()}`,
  };
}
