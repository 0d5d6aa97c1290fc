import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { buildPlatformBundle } from '../containers/api/bundle.ts';
import { requestRestart } from '../fixtures/stack/control-server.ts';
import { readWarmStack, type WarmStack } from '../fixtures/stack/warm-stack.ts';
import type { JourneyResult, MutantRun } from './mutation-verdicts.ts';

const stackStartMs = 180_000;

/**
 * Where the mutants run: a copy of the repository (tracked and untracked files, node_modules linked)
 * in a temp dir, so the checkout's own sources are never mutated, whatever stops the run. The copy
 * keeps one warm stack for the whole run (`npm run stack:up` in the copy); a mutant costs one
 * rebuild of the copy's bundle, a restart of the platform process (the database and broker stay up),
 * and a Playwright run of the journeys that ran its code, which reuses the warm stack.
 */
export class MutationWorkspace {
  readonly dir: string;
  #stackProcess: ChildProcess | undefined;
  #stack: WarmStack | undefined;
  #running = new Set<ChildProcess>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static create(repoRoot: string): MutationWorkspace {
    const dir = mkdtempSync(path.join(tmpdir(), 'journeys-mutation-'));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      const from = path.join(repoRoot, file);
      // A tracked file deleted in the checkout is not part of what is tested.
      if (!existsSync(from)) continue;
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      cpSync(from, path.join(dir, file));
    }
    for (const modules of ['node_modules', 'containers/api/node_modules'])
      if (existsSync(path.join(repoRoot, modules)))
        symlinkSync(path.join(repoRoot, modules), path.join(dir, modules), 'dir');
    return new MutationWorkspace(dir);
  }

  /** Builds the copy's bundle and starts its warm stack. */
  async start(): Promise<void> {
    await this.build();
    const stackFile = path.join(this.dir, '.journeys', 'stack.json');
    const child = spawn(process.execPath, [path.join(this.dir, 'scripts', 'stack-up.ts')], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, E2E_STACK: 'embedded' },
    });
    this.#stackProcess = child;
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const deadline = Date.now() + stackStartMs;
    while (!this.#stack) {
      if (child.exitCode !== null)
        throw new Error(`The mutation run's stack did not start (exit ${child.exitCode}):\n${output}`);
      if (Date.now() > deadline)
        throw new Error(`The mutation run's stack was not up within ${stackStartMs / 1000} s:\n${output}`);
      this.#stack = await readWarmStack(stackFile);
      if (!this.#stack) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Writes the text into a platform file of the copy (a mutant, or the original back). */
  write(file: string, content: string): void {
    writeFileSync(path.join(this.dir, file), content);
  }

  read(file: string): string {
    return readFileSync(path.join(this.dir, file), 'utf8');
  }

  build(): Promise<void> {
    const root = path.join(this.dir, 'containers', 'api');
    return buildPlatformBundle({ root, lockFile: path.join(this.dir, 'package-lock.json') });
  }

  /** Starts the platform process again, on the bundle as it is now. */
  restartPlatform(): Promise<void> {
    const controlUrl = this.#stack?.controlUrl;
    if (!controlUrl) throw new Error('The mutation run has no stack to restart: start() first.');
    return requestRestart(controlUrl, 'api');
  }

  /**
   * Runs the journeys (test-list lines) on the warm stack, stopping at the first failure, without
   * traces or the suite's reporters (a JSON report only); a run past `limitMs` is stopped.
   */
  async runJourneys(journeys: readonly string[], limitMs: number): Promise<MutantRun> {
    const stateDir = path.join(this.dir, '.journeys');
    const list = path.join(stateDir, 'mutation-journeys.txt');
    const report = path.join(stateDir, 'mutation-report.json');
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(list, `${journeys.join('\n')}\n`);
    rmSync(report, { force: true });
    const child = spawn(
      process.execPath,
      [
        path.join(this.dir, 'node_modules', '@playwright', 'test', 'cli.js'),
        'test',
        '--project=journeys',
        `--test-list=${list}`,
        '--max-failures=1',
        '--trace=off',
        '--reporter=json',
      ],
      {
        cwd: this.dir,
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
        env: {
          ...process.env,
          E2E_STACK: 'embedded',
          E2E_COVERAGE: '0',
          PLAYWRIGHT_JSON_OUTPUT_FILE: report,
        },
      },
    );
    this.#running.add(child);
    let overran = false;
    const timer = setTimeout(() => {
      overran = true;
      killGroup(child, 'SIGTERM');
    }, limitMs);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr = `${stderr}${chunk}`.slice(-4000);
    });
    try {
      if (child.exitCode === null) await once(child, 'exit');
    } finally {
      clearTimeout(timer);
      this.#running.delete(child);
    }
    if (!existsSync(report)) {
      if (overran) return { kind: 'journeys', results: [], overran };
      throw new Error(
        `Playwright wrote no report for the mutant's journeys (exit ${child.exitCode}):\n${stderr}`,
      );
    }
    return { kind: 'journeys', results: journeyResultsOf(JSON.parse(readFileSync(report, 'utf8'))), overran };
  }

  /** Stops whatever runs (a Playwright run, the warm stack) and removes the copy. */
  async dispose(): Promise<void> {
    for (const child of this.#running) killGroup(child, 'SIGKILL');
    const stack = this.#stackProcess;
    if (stack && stack.exitCode === null) {
      stack.kill('SIGINT');
      await Promise.race([once(stack, 'exit'), new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (stack.exitCode === null) stack.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

interface JsonSuite {
  title: string;
  file?: string;
  suites?: JsonSuite[];
  specs?: {
    title: string;
    file: string;
    tests: {
      results: {
        status: JourneyResult['status'];
        errors?: { message?: string; location?: { file: string; line: number } }[];
      }[];
    }[];
  }[];
}

/** Each test's last result, named as the coverage map and `--test-list` name a journey. */
export function journeyResultsOf(report: { suites?: JsonSuite[] }): JourneyResult[] {
  const results: JourneyResult[] = [];
  const walk = (suite: JsonSuite, titles: string[]) => {
    for (const spec of suite.specs ?? []) {
      const file = spec.file.startsWith('journeys/') ? spec.file : `journeys/${spec.file}`;
      for (const test of spec.tests) {
        const last = test.results.at(-1);
        if (!last) continue;
        const journey = [file, ...titles, spec.title].join(' › ');
        // The first line of the first error (colours removed): what the journey saw go wrong.
        const error = stripVTControlCharacters(last.errors?.[0]?.message ?? '')
          .split('\n')
          .find((line) => line.trim() !== '');
        const at = last.errors?.[0]?.location;
        const where = at ? ` at ${path.basename(at.file)}:${at.line}` : '';
        results.push(
          error
            ? { journey, status: last.status, error: `${error.trim()}${where}` }
            : { journey, status: last.status },
        );
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  // The top suites are the files; their titles are not part of a journey's name.
  for (const fileSuite of report.suites ?? []) walk(fileSuite, []);
  return results;
}
