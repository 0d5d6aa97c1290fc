import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { debugPlaywright } from '../debug/debugLauncher.ts';
import type { JourneySuite } from '../journeySuites.ts';
import { readSettings } from '../settings.ts';
import type { TraceStore } from '../trace/traceStore.ts';
import type { JourneyTree } from '../tree/journeyTree.ts';
import type {
  CancellationToken,
  OutputChannel,
  TestController,
  TestItem,
  TestRun,
  TestRunRequest,
  VSCode,
} from '../vscodeApi.ts';
import { stripAnsi } from './failureMessage.ts';
import type { KeptBrowser } from './keptBrowser.ts';
import { configFileOrError } from './playwrightCli.ts';
import { playwrightInvocation } from './playwrightInvocation.ts';
import { runPlaywrightProcess } from './playwrightProcess.ts';
import { openReporterServer } from './reporterServer.ts';
import { RunRecorder } from './runRecorder.ts';
import { selectRun } from './runSelection.ts';
import { configRootDir } from './testList.ts';

export interface RunnerContext {
  vscode: VSCode;
  controller: TestController;
  tree: JourneyTree;
  traces: TraceStore;
  suite: JourneySuite;
  /** Where the built extension lives; the streaming reporter is `dist/reporter.cjs` in it. */
  extensionDir: string;
  log: OutputChannel;
  /** The browser a headed run left open: closed when the next run starts. */
  keptBrowser: KeptBrowser;
}

export type RunMode = 'run' | 'debug';

export interface RunOptions {
  /** Tag id the profile runs (`smoke`, a persona folder). */
  tag?: string;
  /** Narrows the request (a continuous run re-runs only what changed). */
  include?: readonly TestItem[] | undefined;
  /** Record a trace of every journey, passing ones too (`--trace=on`). */
  trace?: boolean;
  /** Show the browser (the "Run headed" profile); the Show browser toggle does it for every run. */
  headed?: boolean;
}

/** What a headed run says when there is nowhere to show the browser. */
export const noDisplayProblem = 'Show browser needs a display: set DISPLAY or run under xvfb-run.';

function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/**
 * Runs or debugs what a request asks for and reports it live in one TestRun. One run at a time:
 * Playwright empties its output folder and a cold run starts a stack of its own, so a second run
 * beside the first would delete the first's traces and start a second stack. A request made
 * while a run is going waits its turn and says so in its output.
 */
export class JourneyRunner {
  readonly #context: RunnerContext;
  #queue: Promise<void> = Promise.resolve();
  /** Runs accepted and not yet ended, the one going included. */
  #active = 0;

  constructor(context: RunnerContext) {
    this.#context = context;
  }

  async run(
    request: TestRunRequest,
    token: CancellationToken,
    mode: RunMode,
    options: RunOptions = {},
  ): Promise<void> {
    const { vscode, controller } = this.#context;
    const include = 'include' in options ? options.include : request.include;
    const run = controller.createTestRun(request, mode === 'debug' ? 'Debug journeys' : 'Journeys', true);
    const queued = this.#active > 0;
    this.#active++;
    // A run cancelled while it waits ends at once, rather than when its turn comes.
    let waiting = true;
    const endWaiting = () => {
      if (!waiting) return;
      waiting = false;
      run.appendOutput('Cancelled before it started.\r\n');
      run.end();
    };
    const cancelWaiting = token.onCancellationRequested(endWaiting);
    const turn = this.#queue.then(async () => {
      try {
        cancelWaiting.dispose();
        if (token.isCancellationRequested) endWaiting();
        if (!waiting) return;
        waiting = false;
        await this.#run(run, request, token, mode, { ...options, include });
      } finally {
        this.#active--;
      }
    });
    if (queued) {
      run.appendOutput(
        'Another journey run is in progress: this one starts when it ends (one run at a time, so runs do not share test-results or start two stacks).\r\n',
      );
      void vscode.window.showInformationMessage(
        'Journey Explorer runs one run at a time: this one is queued and starts when the current run ends.',
      );
    }
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /** The TestRun belongs to the request, so VS Code shows a continuous run's re-runs as part of it. */
  async #run(
    run: TestRun,
    request: TestRunRequest,
    token: CancellationToken,
    mode: RunMode,
    options: RunOptions,
  ): Promise<void> {
    const { vscode, tree, traces, suite, log, keptBrowser } = this.#context;
    const { folder } = suite;
    const { settings, problems } = readSettings(vscode, folder.uri);
    for (const problem of problems) void vscode.window.showErrorMessage(problem);
    // The browser the last run kept open was for looking at that run; this one starts afresh.
    await keptBrowser.close();
    const headed = mode === 'run' && (options.headed === true || settings.showBrowser);

    let configFile: string;
    let rootDir: string;
    // The config is read at run time, as the folder's setting says now (relative to the folder).
    let workspaceDir: string;
    try {
      if (headed && !hasDisplay()) throw new Error(noDisplayProblem);
      configFile = configFileOrError(folder.uri.fsPath, settings.configPath);
      // Runs work in the config's folder, the suite's root: its package, its node_modules.
      workspaceDir = path.dirname(configFile);
      rootDir = configRootDir(configFile);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(problem);
      const journeys = tree.journeysBelow(options.include);
      for (const journey of journeys) run.errored(journey, new vscode.TestMessage(problem));
      run.end();
      return;
    }
    const selection = selectRun(tree, rootDir, {
      include: options.include,
      exclude: request.exclude,
      tag: options.tag,
    });
    if (selection.journeys.length === 0) {
      run.appendOutput('No journey matches this request: nothing to run.\r\n');
      run.end();
      return;
    }
    for (const journey of selection.journeys) run.enqueued(journey);

    const recorder = new RunRecorder(vscode, tree, run, traces);
    // The reporter says when every journey has ended and the browser is being kept.
    let browserKept: () => void = () => {};
    const handOver = new Promise<void>((resolve) => {
      browserKept = resolve;
    });
    // Set once the run has ended with its browser kept: what comes after goes to the log.
    let kept = false;
    const server = await openReporterServer(
      (event) => {
        if (event.type === 'browserKept') browserKept();
        else if (kept) {
          if (event.type === 'output') log.appendLine(stripAnsi(event.text).trimEnd());
        } else recorder.handle(event);
      },
      (line) => log.appendLine(`Ignored a line from the reporter that is not an event: ${line}`),
    );
    const listDir = await mkdtemp(path.join(tmpdir(), 'journeys-run-'));
    const testListFile = path.join(listDir, 'journeys.txt');
    await writeFile(testListFile, `${selection.testList.join('\n')}\n`);
    // Its own folder: the worker watches the folder for the file's removal.
    const holdFile =
      headed && settings.keepBrowserOpen
        ? path.join(await mkdtemp(path.join(tmpdir(), 'journeys-keep-browser-')), 'hold')
        : undefined;
    let problem: string | undefined;
    try {
      const invocation = playwrightInvocation({
        workspaceDir,
        configFile,
        settings,
        testListFile,
        trace: options.trace === true,
        reporterFile: path.join(this.#context.extensionDir, 'dist', 'reporter.cjs'),
        reporterAddress: server.address,
        debug: mode === 'debug',
        hasDisplay: hasDisplay(),
        headed,
        keepBrowserFile: holdFile,
      });
      log.appendLine(`${mode}: playwright ${invocation.args.join(' ')}`);
      if (mode === 'debug') {
        await debugPlaywright(
          vscode,
          folder,
          invocation,
          `Debug ${selection.journeys.length === 1 ? selection.journeys[0]?.label : 'journeys'}`,
          token,
        );
        await server.settled();
        // A debug session gives no exit code: a Playwright that reported nothing failed to start.
        if (!token.isCancellationRequested && !recorder.reportedAny && recorder.globalErrors.length === 0) {
          problem =
            'Playwright ended before reporting any journey: see the Debug Console for why, fix it, then debug again.';
        }
      } else {
        const outcome = await runPlaywrightProcess(
          invocation,
          // Once the run has ended, what the process still prints (closing the kept browser) is logged.
          (text) =>
            kept
              ? log.appendLine(stripAnsi(text).trimEnd())
              : run.appendOutput(text.replace(/\r?\n/g, '\r\n')),
          token,
          holdFile ? handOver : undefined,
        );
        if (outcome.handedOver && holdFile) {
          // Every journey has reported; the process stays while the browser is kept open.
          kept = true;
          keptBrowser.keep(outcome.handedOver, holdFile);
          run.appendOutput(
            'A browser the journeys opened stays open until the next run or "Journeys: Close browser".\r\n',
          );
        } else {
          await server.settled();
          if (outcome.exitCode !== 0 && !token.isCancellationRequested && !recorder.reportedAny) {
            problem = `Playwright exited with code ${outcome.exitCode} before reporting this journey: ${lastLines(outcome.stderrTail) || 'see the test output'}`;
          }
        }
      }
      if (!kept) await server.settled();
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(problem);
    } finally {
      recorder.finish(selection.journeys, problem);
      run.end();
      await server.close();
      await rm(listDir, { recursive: true, force: true });
      if (holdFile && !kept) await rm(path.dirname(holdFile), { recursive: true, force: true });
    }
  }
}

function lastLines(text: string): string {
  return stripAnsi(text).trim().split('\n').slice(-6).join('\n');
}
