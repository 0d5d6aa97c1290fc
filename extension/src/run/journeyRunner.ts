import path from 'node:path';
import { debugPlaywright } from '../debug/debugLauncher.ts';
import { readSettings } from '../settings.ts';
import type { TraceStore } from '../trace/traceStore.ts';
import type { JourneyTree } from '../tree/journeyTree.ts';
import type {
  CancellationToken,
  OutputChannel,
  TestController,
  TestItem,
  TestRunRequest,
  VSCode,
  WorkspaceFolder,
} from '../vscodeApi.ts';
import { stripAnsi } from './failureMessage.ts';
import { configFileOrError } from './playwrightCli.ts';
import { playwrightInvocation } from './playwrightInvocation.ts';
import { runPlaywrightProcess } from './playwrightProcess.ts';
import { openReporterServer } from './reporterServer.ts';
import { RunRecorder } from './runRecorder.ts';
import { selectRun } from './runSelection.ts';

export interface RunnerContext {
  vscode: VSCode;
  controller: TestController;
  tree: JourneyTree;
  traces: TraceStore;
  folder: WorkspaceFolder;
  /** Where the built extension lives; the streaming reporter is `dist/reporter.cjs` in it. */
  extensionDir: string;
  log: OutputChannel;
}

export type RunMode = 'run' | 'debug';

/** Runs or debugs what a request asks for and reports it live in one TestRun. */
export class JourneyRunner {
  readonly #context: RunnerContext;

  constructor(context: RunnerContext) {
    this.#context = context;
  }

  /**
   * `include` narrows the request (a continuous run re-runs only what changed); the TestRun still
   * belongs to the request, so VS Code shows it as part of that run.
   */
  async run(
    request: TestRunRequest,
    token: CancellationToken,
    mode: RunMode,
    tag?: string,
    include: readonly TestItem[] | undefined = request.include,
  ): Promise<void> {
    const { vscode, controller, tree, traces, folder, log } = this.#context;
    const workspaceDir = folder.uri.fsPath;
    const { settings, problems } = readSettings(vscode, folder.uri);
    for (const problem of problems) void vscode.window.showErrorMessage(problem);

    const selection = selectRun(tree, workspaceDir, { include, exclude: request.exclude, tag });
    const run = controller.createTestRun(request, mode === 'debug' ? 'Debug journeys' : 'Journeys', true);
    if (selection.journeys.length === 0) {
      run.appendOutput('No journey matches this request: nothing to run.\r\n');
      run.end();
      return;
    }
    for (const journey of selection.journeys) run.enqueued(journey);

    const recorder = new RunRecorder(vscode, tree, run, traces);
    const server = await openReporterServer(
      (event) => recorder.handle(event),
      (line) => log.appendLine(`Ignored a line from the reporter that is not an event: ${line}`),
    );
    let problem: string | undefined;
    try {
      configFileOrError(workspaceDir, settings.configPath);
      const invocation = playwrightInvocation({
        workspaceDir,
        settings,
        selection,
        reporterFile: path.join(this.#context.extensionDir, 'dist', 'reporter.cjs'),
        reporterAddress: server.address,
        debug: mode === 'debug',
        hasDisplay:
          process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY),
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
      } else {
        const outcome = await runPlaywrightProcess(
          invocation,
          (text) => run.appendOutput(text.replace(/\r?\n/g, '\r\n')),
          token,
        );
        await server.settled();
        if (outcome.exitCode !== 0 && !token.isCancellationRequested && !recorder.reportedAny) {
          problem = `Playwright exited with code ${outcome.exitCode} before reporting this journey: ${lastLines(outcome.stderrTail) || 'see the test output'}`;
        }
      }
      await server.settled();
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(problem);
    } finally {
      recorder.finish(selection.journeys, problem);
      run.end();
      await server.close();
    }
  }
}

function lastLines(text: string): string {
  return stripAnsi(text).trim().split('\n').slice(-6).join('\n');
}
