import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { discoverJourneys, isJourneyFile, journeyFileOf, readJourneyFile } from './discovery/journeyFiles.ts';
import { noPersonas, type PersonaVocabulary, parseJourneyFile } from './discovery/journeyParser.ts';
import { readPersonaFixtures } from './discovery/personaFixtures.ts';
import { readTaskTitles } from './discovery/personaTasks.ts';
import { PersonaRecorder } from './record/personaRecorder.ts';
import { AllureReport } from './report/allureReport.ts';
import { JourneyRunner } from './run/journeyRunner.ts';
import { KeptBrowser } from './run/keptBrowser.ts';
import { RunProfiles } from './run/runProfiles.ts';
import { ShowBrowserToggle } from './run/showBrowserToggle.ts';
import { readSettings } from './settings.ts';
import { WarmStack } from './stack/warmStack.ts';
import { TraceStore } from './trace/traceStore.ts';
import { TraceViewer } from './trace/traceViewer.ts';
import { JourneyTree } from './tree/journeyTree.ts';
import type { Disposable, OutputChannel, TestItem, Uri, VSCode, WorkspaceFolder } from './vscodeApi.ts';

export const controllerId = 'journeys';

/** How long typing pauses before the tree follows an unsaved journey file. */
const typingPause = 250;

/**
 * The workspace folder Journey Explorer serves: the first with a `journeys/` folder and a
 * Playwright config, at its root or where that folder's `journeys.configPath` says (a config in
 * a subfolder counts). Every folder is looked at, not only the first of a multi-root workspace.
 */
export function findJourneysFolder(vscode: VSCode): WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.find((folder) => {
    const dir = folder.uri.fsPath;
    if (!existsSync(path.join(dir, 'journeys'))) return false;
    const { settings } = readSettings(vscode, folder.uri);
    if (existsSync(path.resolve(dir, settings.configPath))) return true;
    return readdirSync(dir).some((name) => /^playwright\.config\.[cm]?[jt]s$/.test(name));
  });
}

/**
 * Everything Journey Explorer does in one workspace folder, put together: the tree kept in step
 * with the files, the run profiles, the trace, stack and report commands.
 */
export class JourneyExplorer {
  readonly tree: JourneyTree;
  readonly traces: TraceStore;
  readonly warmStack: WarmStack;
  readonly #vscode: VSCode;
  readonly #folder: WorkspaceFolder;
  readonly #profiles: RunProfiles;
  readonly #traceViewer: TraceViewer;
  readonly #report: AllureReport;
  readonly #recorder: PersonaRecorder;
  readonly #disposables: Disposable[] = [];
  readonly #log: OutputChannel;
  readonly #sourceListeners = new Set<(uri: Uri) => unknown>();
  /** The suite's persona fixtures and their tasks; read again on refresh and when fixtures change. */
  #personas: PersonaVocabulary = noPersonas;
  /** Pending as-you-type re-reads, per file: edits come per keystroke, a parse per pause is enough. */
  readonly #typing = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(vscode: VSCode, folder: WorkspaceFolder, extensionDir: string) {
    this.#vscode = vscode;
    this.#folder = folder;
    const log = vscode.window.createOutputChannel('Journey Explorer');
    this.#log = log;
    const controller = vscode.tests.createTestController(controllerId, 'Journeys');
    this.#disposables.push(log, controller);
    this.tree = new JourneyTree(vscode, controller, path.join(folder.uri.fsPath, 'journeys'));
    this.traces = new TraceStore(vscode, folder.uri.fsPath);
    const keptBrowser = new KeptBrowser(vscode);
    const runner = new JourneyRunner({
      keptBrowser,
      vscode,
      controller,
      tree: this.tree,
      traces: this.traces,
      folder,
      extensionDir,
      log,
    });
    this.#profiles = new RunProfiles(vscode, controller, this.tree, runner, (listener) => {
      this.#sourceListeners.add(listener);
      return { dispose: () => this.#sourceListeners.delete(listener) };
    });
    this.#traceViewer = new TraceViewer(vscode, log);
    this.warmStack = new WarmStack(vscode, folder, log);
    this.#report = new AllureReport(vscode, folder, log);
    // After the stack's status bar item, so it stands to its right.
    this.#disposables.push(new ShowBrowserToggle(vscode, folder, keptBrowser), {
      dispose: () => void keptBrowser.close(),
    });
    this.#recorder = new PersonaRecorder(vscode, folder, log);
    this.#disposables.push(
      this.warmStack,
      { dispose: () => this.#traceViewer.close() },
      { dispose: () => this.#report.dispose() },
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
      vscode.commands.registerCommand('journeys.openTrace', (target?: unknown) =>
        this.#reportErrors(() => this.openTrace(target)),
      ),
      vscode.commands.registerCommand('journeys.startWarmStack', () =>
        this.#reportErrors(() => this.warmStack.start()),
      ),
      vscode.commands.registerCommand('journeys.stopWarmStack', () =>
        this.#reportErrors(() => this.warmStack.stop()),
      ),
      vscode.commands.registerCommand('journeys.openAllureReport', () =>
        this.#reportErrors(() => this.#report.open()),
      ),
      vscode.commands.registerCommand('journeys.refresh', () => this.refresh()),
      vscode.commands.registerCommand('journeys.recordAsPersona', () =>
        this.#reportErrors(() => this.#recorder.record()),
      ),
      vscode.commands.registerCommand('journeys.pickLocator', () =>
        this.#reportErrors(() => this.#recorder.pickLocator()),
      ),
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
    return this.#traceViewer.open(this.#folder.uri.fsPath, trace);
  }

  /** A line in the Journey Explorer output channel. */
  log(line: string): void {
    this.#log.appendLine(line);
  }

  dispose(): void {
    for (const disposable of this.#disposables.reverse()) disposable.dispose();
  }

  async #readPersonas(): Promise<void> {
    const workspaceDir = this.#folder.uri.fsPath;
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
    if (!isInside(path.join(this.#folder.uri.fsPath, 'fixtures'), uri.fsPath)) return;
    await this.refresh();
    this.#sourceChanged(uri);
  }

  #sourceChanged(uri: Uri): void {
    for (const listener of this.#sourceListeners) listener(uri);
  }

  #watch(pattern: string, onChange: (uri: Uri, deleted: boolean) => unknown): void {
    const watcher = this.#vscode.workspace.createFileSystemWatcher(
      new this.#vscode.RelativePattern(this.#folder, pattern),
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

  async #reportErrors<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      void this.#vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }
}

function asTestItem(value: unknown): TestItem | undefined {
  return typeof value === 'object' && value !== null && 'id' in value && 'children' in value
    ? (value as TestItem)
    : undefined;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
