import { existsSync } from 'node:fs';
import path from 'node:path';
import { discoverJourneys, isJourneyFile, journeyFileOf, readJourneyFile } from './discovery/journeyFiles.ts';
import { noPersonas, type PersonaVocabulary, parseJourneyFile } from './discovery/journeyParser.ts';
import { readPersonaFixtures } from './discovery/personaFixtures.ts';
import { readTaskTitles } from './discovery/personaTasks.ts';
import { type JourneySuite, suiteScoped, titled } from './journeySuites.ts';
import { PersonaRecorder } from './record/personaRecorder.ts';
import { AllureReport } from './report/allureReport.ts';
import { JourneyRunner } from './run/journeyRunner.ts';
import { KeptBrowser } from './run/keptBrowser.ts';
import { RunProfiles } from './run/runProfiles.ts';
import { ShowBrowserToggle } from './run/showBrowserToggle.ts';
import { WarmStack } from './stack/warmStack.ts';
import { TraceStore } from './trace/traceStore.ts';
import { TraceViewer } from './trace/traceViewer.ts';
import { JourneyTree } from './tree/journeyTree.ts';
import type { Disposable, OutputChannel, TestItem, Uri, VSCode } from './vscodeApi.ts';

/** How long typing pauses before the tree follows an unsaved journey file. */
const typingPause = 250;

/**
 * Everything Journey Explorer does for one suite, put together: the tree kept in step with the
 * files, the run profiles, the trace viewer, the warm stack, the report and the recorder. The
 * commands that reach them are registered once for every suite served (explorerCommands.ts).
 */
export class JourneyExplorer {
  readonly tree: JourneyTree;
  readonly traces: TraceStore;
  readonly warmStack: WarmStack;
  readonly suite: JourneySuite;
  readonly showBrowser: ShowBrowserToggle;
  readonly keptBrowser: KeptBrowser;
  readonly #vscode: VSCode;
  readonly #profiles: RunProfiles;
  readonly #traceViewer: TraceViewer;
  readonly report: AllureReport;
  readonly recorder: PersonaRecorder;
  readonly #disposables: Disposable[] = [];
  readonly #log: OutputChannel;
  readonly #sourceListeners = new Set<(uri: Uri) => unknown>();
  /** The suite's persona fixtures and their tasks; read again on refresh and when fixtures change. */
  #personas: PersonaVocabulary = noPersonas;
  /** Pending as-you-type re-reads, per file: edits come per keystroke, a parse per pause is enough. */
  readonly #typing = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(vscode: VSCode, suite: JourneySuite, extensionDir: string) {
    this.#vscode = vscode;
    this.suite = suite;
    const log = vscode.window.createOutputChannel(titled('Journey Explorer', suite, ' '));
    this.#log = log;
    // One controller per suite: beside others, each is a root of its own in the Testing view.
    const controller = vscode.tests.createTestController(
      suiteScoped('journeys', suite),
      titled('Journeys', suite, ': '),
    );
    this.#disposables.push(log, controller);
    this.tree = new JourneyTree(vscode, controller, suite.journeysDir);
    this.traces = new TraceStore(vscode, suite.root);
    const keptBrowser = new KeptBrowser(vscode);
    this.keptBrowser = keptBrowser;
    const runner = new JourneyRunner({
      keptBrowser,
      vscode,
      controller,
      tree: this.tree,
      traces: this.traces,
      suite,
      extensionDir,
      log,
    });
    this.#profiles = new RunProfiles(vscode, controller, this.tree, runner, (listener) => {
      this.#sourceListeners.add(listener);
      return { dispose: () => this.#sourceListeners.delete(listener) };
    });
    this.#traceViewer = new TraceViewer(vscode, log);
    this.warmStack = new WarmStack(vscode, suite, log);
    this.report = new AllureReport(vscode, suite, log);
    // After the stack's status bar item, so it stands to its right.
    this.showBrowser = new ShowBrowserToggle(vscode, suite, keptBrowser);
    this.#disposables.push(this.showBrowser, {
      dispose: () => void keptBrowser.close(),
    });
    this.recorder = new PersonaRecorder(vscode, suite, log);
    this.#disposables.push(
      this.warmStack,
      { dispose: () => this.#traceViewer.close() },
      { dispose: () => this.report.dispose() },
    );

    controller.refreshHandler = () => this.refresh();
    // Journey files and the helpers beside them (`journeys/<persona>/support/*.ts`). A deleted or
    // renamed folder is reported as the folder alone, so a deletion prunes every file that is gone.
    this.#watch('journeys/**/*.ts', (uri, deleted) => this.#journeySourceChanged(uri, deleted));
    this.#watch('fixtures/**/*.ts', (uri) => this.#fixtureChanged(uri));
    this.#watch('.journeys/stack.json', () => this.warmStack.refresh());
    this.#disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('journeys')) void this.warmStack.refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => this.#edited(event.document)),
      {
        dispose: () => {
          for (const timer of this.#typing.values()) clearTimeout(timer);
        },
      },
    );
  }

  /** Discovers every journey again and shows the warm stack's state. */
  async refresh(): Promise<void> {
    await this.#readPersonas();
    const files = await discoverJourneys(this.tree.journeysDir, this.#personas);
    this.tree.replaceAll(files);
    this.#profiles.addPersonas(files.map((file) => file.persona));
    await this.warmStack.refresh();
    void this.#vscode.commands.executeCommand('setContext', 'journeys.active', true);
  }

  /**
   * Opens the trace of a failed journey: from the item menu (a TestItem), a failure message
   * (`{ test, message }`), or the command palette (a pick of the journeys that left one).
   * Returns the URL it opened.
   */
  async openTrace(target?: unknown): Promise<string | undefined> {
    let item = asTestItem(target) ?? asTestItem((target as { test?: unknown } | undefined)?.test);
    if (!item) {
      const choices = this.traces
        .all()
        .map(({ item: journey, trace }) => ({ label: journey.label, description: trace, journey }));
      if (choices.length === 0)
        throw new Error(
          'No journey has a trace yet: run the journeys (a failure keeps its trace; "Run with trace" keeps every one), then open it.',
        );
      item = (
        await this.#vscode.window.showQuickPick(choices, { placeHolder: 'Open the trace of which journey?' })
      )?.journey;
      if (!item) return undefined;
    }
    const trace = this.traces.traceOf(item);
    if (!trace)
      throw new Error(
        `"${item.label}" has no trace from its last run: run it with the "Run with trace" profile (plain runs keep traces of failures only).`,
      );
    return this.#traceViewer.open(this.suite.root, trace);
  }

  /** Whether the item is one of this suite's: a journey, file or persona folder under its journeys. */
  owns(item: TestItem): boolean {
    const file = item.uri?.fsPath;
    return file !== undefined && (file === this.tree.journeysDir || isInside(this.tree.journeysDir, file));
  }

  /** A line in the Journey Explorer output channel. */
  log(line: string): void {
    this.#log.appendLine(line);
  }

  dispose(): void {
    for (const disposable of this.#disposables.reverse()) disposable.dispose();
  }

  async #readPersonas(): Promise<void> {
    const workspaceDir = this.suite.root;
    const [fixtures, tasks] = await Promise.all([
      readPersonaFixtures(workspaceDir),
      readTaskTitles(workspaceDir),
    ]);
    if (fixtures.problem) this.#log.appendLine(`[discovery] ${fixtures.problem}`);
    this.#personas = { fixtures: fixtures.names, tasks };
  }

  async #journeySourceChanged(uri: Uri, deleted: boolean): Promise<void> {
    if (!isInside(this.tree.journeysDir, uri.fsPath)) return;
    if (deleted) this.tree.removeMissing(existsSync);
    else if (isJourneyFile(uri.fsPath)) {
      const file = await readJourneyFile(this.tree.journeysDir, uri.fsPath, this.#personas);
      this.tree.upsertFile(file);
      this.#profiles.addPersonas([file.persona]);
    }
    this.#sourceChanged(uri);
  }

  /** A journey file being edited: the tree follows the text as typed, a pause after the last key. */
  #edited(document: { uri: Uri; getText(): string }): void {
    const file = document.uri.fsPath;
    const journeysDir = this.tree.journeysDir;
    if (!isJourneyFile(file) || !isInside(journeysDir, file)) return;
    clearTimeout(this.#typing.get(file));
    this.#typing.set(
      file,
      setTimeout(() => {
        this.#typing.delete(file);
        const journeys = parseJourneyFile(file, document.getText(), this.#personas);
        const journeyFile = journeyFileOf(journeysDir, file, journeys);
        this.tree.upsertFile(journeyFile);
        this.#profiles.addPersonas([journeyFile.persona]);
      }, typingPause),
    );
  }

  /** Fixtures hold the personas and their tasks: when they change, every journey is read again. */
  async #fixtureChanged(uri: Uri): Promise<void> {
    if (!isInside(path.join(this.suite.root, 'fixtures'), uri.fsPath)) return;
    await this.refresh();
    this.#sourceChanged(uri);
  }

  #sourceChanged(uri: Uri): void {
    for (const listener of this.#sourceListeners) listener(uri);
  }

  #watch(pattern: string, onChange: (uri: Uri, deleted: boolean) => unknown): void {
    const watcher = this.#vscode.workspace.createFileSystemWatcher(
      new this.#vscode.RelativePattern(this.suite.root, pattern),
    );
    const handle = (deleted: boolean) => (uri: Uri) =>
      Promise.resolve(onChange(uri, deleted)).catch((error: unknown) =>
        this.#vscode.window.showErrorMessage(
          `Journey Explorer could not process ${uri.fsPath}: ${String(error)}`,
        ),
      );
    this.#disposables.push(
      watcher,
      watcher.onDidCreate(handle(false)),
      watcher.onDidChange(handle(false)),
      watcher.onDidDelete(handle(true)),
    );
  }
}

export function asTestItem(value: unknown): TestItem | undefined {
  return typeof value === 'object' && value !== null && 'id' in value && 'children' in value
    ? (value as TestItem)
    : undefined;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
