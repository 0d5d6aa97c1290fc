import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type JourneySuite, suiteScoped, titled } from '../journeySuites.ts';
import { readSettings, runEnvironment } from '../settings.ts';
import type { OutputChannel, StatusBarItem, VSCode } from '../vscodeApi.ts';

/** Where `npm run stack:up` records the stack it keeps running. */
export const stackFile = '.journeys/stack.json';
/** Where the output of a warm stack started from the editor goes. */
export const stackUpLog = '.journeys/stack-up.log';

export interface StackStatus {
  /** The mode a run would use: the warm stack's own when it runs, else the setting. */
  mode: string;
  warm: boolean;
  apiUrl?: string;
}

/**
 * Whether `.journeys/stack.json` points at a live stack: its process (when recorded) is alive and
 * its platform answers HTTP. A stale file from a stack that died is not a warm stack.
 */
export async function readStackStatus(workspaceDir: string, configuredMode: string): Promise<StackStatus> {
  let recorded: { mode?: unknown; apiUrl?: unknown; pid?: unknown };
  try {
    recorded = JSON.parse(await readFile(path.join(workspaceDir, stackFile), 'utf8'));
  } catch {
    return { mode: configuredMode, warm: false };
  }
  const apiUrl = typeof recorded.apiUrl === 'string' ? recorded.apiUrl : undefined;
  const mode = typeof recorded.mode === 'string' ? recorded.mode : configuredMode;
  if (!apiUrl || (typeof recorded.pid === 'number' && !processAlive(recorded.pid)))
    return { mode: configuredMode, warm: false };
  try {
    await fetch(apiUrl, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    return { mode, warm: true, apiUrl };
  } catch {
    return { mode: configuredMode, warm: false };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long `npm run stack:up` may take to bring a stack up (a cold containers stack pulls images). */
export const defaultStartTimeoutMs = 300_000;

/** The status bar item and the start/stop commands of the warm stack. */
export class WarmStack {
  readonly #vscode: VSCode;
  readonly #suite: JourneySuite;
  readonly #log: OutputChannel;
  readonly #item: StatusBarItem;
  readonly #startTimeoutMs: number;
  #status: StackStatus | undefined;
  /** While a start is under way the status bar says so, whatever a refresh in between reads. */
  #starting = false;

  constructor(
    vscode: VSCode,
    suite: JourneySuite,
    log: OutputChannel,
    options: { startTimeoutMs?: number } = {},
  ) {
    this.#vscode = vscode;
    this.#suite = suite;
    this.#log = log;
    this.#startTimeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs;
    this.#item = vscode.window.createStatusBarItem(
      suiteScoped('journeys.stack', suite),
      vscode.StatusBarAlignment.Left,
      10,
    );
    this.#item.show();
  }

  /** "Stack", or "Stack (billing)" beside other suites' stacks. */
  get #name(): string {
    return titled('Stack', this.#suite, ' ');
  }

  get status(): StackStatus | undefined {
    return this.#status;
  }

  async refresh(): Promise<StackStatus> {
    const { settings } = readSettings(this.#vscode, this.#suite.folder.uri);
    const status = await readStackStatus(this.#suite.root, settings.stackMode);
    this.#status = status;
    if (this.#starting && !status.warm) {
      this.#item.text = `$(loading~spin) ${this.#name}: ${settings.stackMode} · starting`;
      this.#item.tooltip = `npm run stack:up is starting a ${settings.stackMode} stack (output in ${stackUpLog}).`;
      this.#item.command = undefined;
      return status;
    }
    this.#item.text = status.warm
      ? `$(server-process) ${this.#name}: ${status.mode} · warm`
      : `$(server) ${this.#name}: ${status.mode} · cold`;
    this.#item.tooltip = status.warm
      ? `A warm ${status.mode} stack runs at ${status.apiUrl}; runs reuse it. Click to stop it.`
      : `No warm stack: each run starts a ${status.mode} stack. Click to start one that runs keep reusing.`;
    // The suite's root goes with the command, so a click serves this suite among several.
    this.#item.command = {
      title: status.warm ? 'Stop the warm stack' : 'Start a warm stack',
      command: status.warm ? 'journeys.stopWarmStack' : 'journeys.startWarmStack',
      arguments: [this.#suite.root],
    };
    return status;
  }

  /**
   * Starts `npm run stack:up` and resolves once the stack file points at a live stack; rejects
   * with what to do when npm cannot start, stack:up stops early, or the stack is not up in time.
   */
  async start(): Promise<StackStatus> {
    if (this.#starting) throw new Error('The warm stack is already starting: wait for it, or stop it.');
    if ((await this.refresh()).warm) return this.#status as StackStatus;
    const { settings } = readSettings(this.#vscode, this.#suite.folder.uri);
    this.#starting = true;
    try {
      await this.refresh();
      // stack:up keeps running (detached, so it outlives this window) for as long as the stack does.
      const ended = exitOf(this.#npm('stack:up', runEnvironment(settings)));
      const deadline = Date.now() + this.#startTimeoutMs;
      // The stack writes its file when it is ready: watch for that rather than guess a duration.
      for (;;) {
        const status = await this.refresh();
        if (status.warm) return status;
        const exit = ended.outcome;
        if (exit?.error) throw new Error(npmMissing(exit.error));
        if (exit) {
          throw new Error(
            `npm run stack:up stopped (exit code ${exit.code}) before the stack was up: see ${stackUpLog}.`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            `The warm stack was not up after ${Math.round(this.#startTimeoutMs / 1000)} s: see ${stackUpLog}, then stop it and start again.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      this.#starting = false;
      await this.refresh();
    }
  }

  async stop(): Promise<StackStatus> {
    const { settings } = readSettings(this.#vscode, this.#suite.folder.uri);
    const child = this.#npm('stack:down', runEnvironment(settings));
    const exit = await exitOf(child).done;
    const status = await this.refresh();
    if (exit.error) throw new Error(npmMissing(exit.error));
    if (exit.code !== 0)
      throw new Error(`npm run stack:down failed (exit code ${exit.code}): see the Journey Explorer output.`);
    return status;
  }

  dispose(): void {
    this.#item.dispose();
  }

  #npm(script: string, env: Record<string, string>): ChildProcess {
    const cwd = this.#suite.root;
    const detached = script === 'stack:up';
    // The warm stack outlives this window, so its output goes to a file rather than a pipe.
    let stdio: StdioOptions = ['ignore', 'pipe', 'pipe'];
    if (detached) {
      mkdirSync(path.join(cwd, '.journeys'), { recursive: true });
      const logFile = openSync(path.join(cwd, stackUpLog), 'a');
      stdio = ['ignore', logFile, logFile];
    }
    // npm is a .cmd script on Windows, which Node only starts through a shell.
    const child = spawn('npm', ['run', script], {
      cwd,
      env: { ...process.env, ...env },
      stdio,
      detached,
      shell: process.platform === 'win32',
    });
    const log = (text: Buffer) => this.#log.appendLine(`[${script}] ${text.toString().trimEnd()}`);
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    child.on('error', (error) => this.#log.appendLine(`[${script}] could not start npm: ${error.message}`));
    if (detached) child.unref();
    return child;
  }
}

interface ProcessEnd {
  code: number | null;
  error?: Error;
}

/** How a child ends: its exit code, or the error that kept it from starting (npm not found). */
function exitOf(child: ChildProcess): {
  readonly outcome: ProcessEnd | undefined;
  done: Promise<ProcessEnd>;
} {
  const watch: { outcome: ProcessEnd | undefined; done: Promise<ProcessEnd> } = {
    outcome: undefined,
    done: new Promise((resolve) => {
      child.on('error', (error) => {
        watch.outcome = { code: null, error };
        resolve(watch.outcome);
      });
      child.on('exit', (code) => {
        watch.outcome = { code };
        resolve(watch.outcome);
      });
    }),
  };
  return watch;
}

function npmMissing(error: Error): string {
  return `Could not start npm (${error.message}): install Node.js with npm, or put npm on the PATH VS Code is started with, then try again.`;
}
