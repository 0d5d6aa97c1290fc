import { type ChildProcess, spawn } from 'node:child_process';
import { type Dirent, existsSync, type FSWatcher, readdirSync, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  ConfigurationChangeEvent,
  DebugConfiguration,
  DebugSession,
  FileSystemWatcher,
  OutputChannel,
  QuickPickItem,
  StatusBarAlignment,
  StatusBarItem,
  TestRunProfileKind,
  TextDocumentChangeEvent,
  VSCode,
  WorkspaceFolder,
} from '../../src/vscodeApi.ts';
import { disposable, Emitter } from './events.ts';
import { FakeTestController } from './testing.ts';
import {
  Location,
  Position,
  Range,
  RelativePattern,
  TestMessage,
  TestMessageStackFrame,
  TestTag,
  Uri,
} from './values.ts';

export interface FakeStatusBarItem extends StatusBarItem {
  id: string;
  visible: boolean;
}

/**
 * Watches a folder for real and reports paths matching the pattern. Each directory gets its own
 * watch, set up synchronously, so a change made right after the watcher exists is never missed
 * (Node's recursive watch on Linux walks the tree asynchronously, and a busy machine lost the
 * first change that way); a directory created later is watched, and its files reported, on sight.
 */
class FakeFileSystemWatcher implements FileSystemWatcher {
  readonly #create = new Emitter<Uri>();
  readonly #change = new Emitter<Uri>();
  readonly #delete = new Emitter<Uri>();
  readonly onDidCreate = this.#create.event;
  readonly onDidChange = this.#change.event;
  readonly onDidDelete = this.#delete.event;
  readonly #base: string;
  readonly #pattern: string;
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #known = new Set<string>();

  constructor(pattern: RelativePattern) {
    this.#base = pattern.baseUri.fsPath;
    this.#pattern = pattern.pattern;
    this.#watchDirectory(this.#base, false);
  }

  dispose(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  /** Watches `dir` and the directories below it; `report` fires create for the files already there. */
  #watchDirectory(dir: string, report: boolean): void {
    // Folders off the pattern's path (test-results, containers, …) can hold no match: not watched.
    if (this.#watchers.has(dir) || !this.#couldHoldMatches(dir)) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    this.#watchers.set(
      dir,
      watch(dir, (_event, name) => {
        if (name) this.#seen(path.join(dir, name.toString()));
      }),
    );
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) this.#watchDirectory(file, report);
      else if (report) this.#seen(file);
    }
  }

  #seen(file: string): void {
    void stat(file).then(
      (found) => {
        if (found.isDirectory()) return this.#watchDirectory(file, true);
        if (!this.#matches(file)) return;
        const emitter = this.#known.has(file) ? this.#change : this.#create;
        this.#known.add(file);
        emitter.fire(Uri.file(file));
      },
      () => {
        const watcher = this.#watchers.get(file);
        if (watcher) {
          // VS Code reports a deleted (or renamed) folder as the folder alone: nothing is said
          // about the files that were in it. Only folders where the pattern could match count.
          if (!this.#couldHoldMatches(file)) return;
          for (const [dir, below] of this.#watchers) {
            if (dir === file || dir.startsWith(file + path.sep)) {
              below.close();
              this.#watchers.delete(dir);
            }
          }
          for (const known of [...this.#known])
            if (known.startsWith(file + path.sep)) this.#known.delete(known);
          this.#delete.fire(Uri.file(file));
          return;
        }
        if (!this.#matches(file)) return;
        // A file that went with its folder is not reported: the folder's deletion is.
        if (!existsSync(path.dirname(file))) return;
        this.#known.delete(file);
        this.#delete.fire(Uri.file(file));
      },
    );
  }

  // Whether the folder lies on the literal start of the pattern (`journeys` for journeys/**/*.ts).
  #couldHoldMatches(dir: string): boolean {
    const relative = path.relative(this.#base, dir).split(path.sep).join('/');
    if (relative === '') return true;
    const literal = this.#pattern
      .split('/')
      .filter((_, index, all) => all.slice(0, index + 1).every((part) => !/[*?{[]/.test(part)));
    const prefix = literal.join('/');
    return (
      prefix === '' ||
      relative === prefix ||
      relative.startsWith(`${prefix}/`) ||
      prefix.startsWith(`${relative}/`)
    );
  }

  #matches(file: string): boolean {
    const relative = path.relative(this.#base, file).split(path.sep).join('/');
    return path.matchesGlob(relative, this.#pattern);
  }
}

/**
 * A `vscode` module for unit tests: real files, real processes, and every UI effect recorded so
 * a test can assert on it (messages shown, commands run, context keys set, pages opened).
 */
export class FakeVSCode implements VSCode {
  readonly version = '1.139.0';
  readonly controllers: FakeTestController[] = [];
  readonly statusBarItems: FakeStatusBarItem[] = [];
  readonly outputLines: string[] = [];
  readonly errors: string[] = [];
  readonly informationMessages: string[] = [];
  readonly executedCommands: { command: string; args: unknown[] }[] = [];
  readonly openedExternally: string[] = [];
  /** What the extension last copied. */
  clipboardText = '';
  readonly contextKeys = new Map<string, unknown>();
  readonly debugSessions: { session: DebugSession; process: ChildProcess }[] = [];
  readonly #commands = new Map<string, (...args: never[]) => unknown>();
  readonly #configuration: Record<string, unknown>;
  /** Settings of one workspace folder (its `.vscode/settings.json`), by folder path: they win there. */
  readonly #folderConfiguration: Record<string, Record<string, unknown>>;
  readonly #configurationChanged = new Emitter<ConfigurationChangeEvent>();
  readonly #foldersChanged = new Emitter<unknown>();
  readonly #folders: WorkspaceFolder[];
  readonly #documentChanged = new Emitter<TextDocumentChangeEvent>();
  readonly #debugStarted = new Emitter<DebugSession>();
  readonly #debugTerminated = new Emitter<DebugSession>();
  readonly #watchers: FakeFileSystemWatcher[] = [];

  readonly Uri = Uri;
  readonly Position = Position as unknown as VSCode['Position'];
  readonly Range = Range as unknown as VSCode['Range'];
  readonly Location = Location as unknown as VSCode['Location'];
  readonly RelativePattern = RelativePattern;
  readonly TestTag = TestTag;
  readonly TestMessage = TestMessage;
  readonly TestMessageStackFrame = TestMessageStackFrame as unknown as VSCode['TestMessageStackFrame'];
  readonly TestRunProfileKind = { Run: 1 as TestRunProfileKind, Debug: 2 as TestRunProfileKind };
  readonly StatusBarAlignment = { Left: 1 as StatusBarAlignment, Right: 2 as StatusBarAlignment };

  readonly tests: VSCode['tests'];
  readonly workspace: VSCode['workspace'];
  readonly window: VSCode['window'];
  readonly commands: VSCode['commands'];
  readonly debug: VSCode['debug'];
  readonly env: VSCode['env'];

  constructor(
    workspaceDirs: string[],
    configuration: Record<string, unknown> = {},
    folderConfiguration: Record<string, Record<string, unknown>> = {},
  ) {
    this.#configuration = { ...configuration };
    this.#folderConfiguration = folderConfiguration;
    const folders: WorkspaceFolder[] = workspaceDirs.map((dir, index) => ({
      uri: Uri.file(dir),
      name: path.basename(dir),
      index,
    }));
    this.#folders = folders;
    this.tests = {
      createTestController: (id, label) => {
        const controller = new FakeTestController(id, label);
        this.controllers.push(controller);
        return controller;
      },
    };
    this.workspace = {
      workspaceFolders: folders,
      getConfiguration: (section, scope) => ({
        get: <T>(key: string) => {
          const name = `${section}.${key}`;
          const folder = this.#folderOf(scope);
          const scoped = folder ? this.#folderConfiguration[folder] : undefined;
          return (scoped && name in scoped ? scoped[name] : this.#configuration[name]) as T | undefined;
        },
        update: async (key: string, value: unknown) => this.setConfiguration(`${section}.${key}`, value),
      }),
      createFileSystemWatcher: (pattern) => {
        const watcher = new FakeFileSystemWatcher(pattern as RelativePattern);
        this.#watchers.push(watcher);
        return watcher;
      },
      onDidChangeConfiguration: this.#configurationChanged.event,
      onDidChangeWorkspaceFolders: this.#foldersChanged.event,
      onDidChangeTextDocument: this.#documentChanged.event,
    };
    this.window = {
      createStatusBarItem: (id) => {
        // As VS Code does: the status bar holds one entry per id, the last one created.
        for (const other of this.statusBarItems) if (other.id === id) other.visible = false;
        const item: FakeStatusBarItem = {
          id,
          text: '',
          tooltip: undefined,
          command: undefined,
          visible: false,
          show: () => {
            item.visible = true;
          },
          dispose: () => {
            item.visible = false;
          },
        };
        this.statusBarItems.push(item);
        return item;
      },
      createOutputChannel: (): OutputChannel => ({
        appendLine: (line) => this.outputLines.push(line),
        dispose: () => {},
      }),
      showErrorMessage: async (message) => {
        this.errors.push(message);
        return undefined;
      },
      showInformationMessage: async (message) => {
        this.informationMessages.push(message);
        return undefined;
      },
      // A person picks the first entry.
      showQuickPick: async <T extends QuickPickItem>(items: readonly T[]) => items[0],
    };
    this.commands = {
      registerCommand: (command, callback) => {
        // As VS Code does: a command has one handler, a second registration is refused.
        if (this.#commands.has(command)) throw new Error(`command '${command}' already exists`);
        this.#commands.set(command, callback);
        return disposable(() => this.#commands.delete(command));
      },
      executeCommand: async <T>(command: string, ...args: unknown[]) => {
        this.executedCommands.push({ command, args });
        if (command === 'setContext') {
          this.contextKeys.set(args[0] as string, args[1]);
          return undefined as T;
        }
        const registered = this.#commands.get(command) as ((...rest: unknown[]) => unknown) | undefined;
        return (await registered?.(...args)) as T;
      },
    };
    this.debug = {
      // No debugger here: the launch configuration is run as the Node program it describes, so
      // what the extension asks the debugger to run is what runs.
      startDebugging: async (_folder, configuration: DebugConfiguration) => {
        if (configuration.type !== 'node' || configuration.request !== 'launch') return false;
        const session: DebugSession = {
          id: `debug-${this.debugSessions.length + 1}`,
          name: configuration.name,
          configuration,
        };
        // As VS Code's JavaScript debugger does: node with the inspector on, the program, its args.
        const child = spawn(
          process.execPath,
          ['--inspect=127.0.0.1:0', configuration.program as string, ...(configuration.args as string[])],
          {
            cwd: configuration.cwd as string,
            env: { ...process.env, ...(configuration.env as Record<string, string>) },
            stdio: 'ignore',
          },
        );
        this.debugSessions.push({ session, process: child });
        this.#debugStarted.fire(session);
        child.on('exit', () => this.#debugTerminated.fire(session));
        return true;
      },
      onDidStartDebugSession: this.#debugStarted.event,
      onDidTerminateDebugSession: this.#debugTerminated.event,
      stopDebugging: async (session) => {
        this.debugSessions.find((entry) => entry.session === session)?.process.kill();
      },
    };
    this.env = {
      remoteName: undefined,
      asExternalUri: async (uri) => uri,
      openExternal: async (uri) => {
        this.openedExternally.push(uri.toString());
        return true;
      },
      clipboard: {
        writeText: async (value) => {
          this.clipboardText = value;
        },
      },
    };
  }

  /** Runs a command the extension registered, as the command palette or a menu would. */
  runCommand(command: string, ...args: unknown[]): Promise<unknown> {
    if (!this.#commands.has(command)) throw new Error(`No command ${command} is registered`);
    return this.commands.executeCommand(command, ...args) as Promise<unknown>;
  }

  /** Types `text` as the whole unsaved content of `file`, as an editor reports each edit. */
  typeInto(file: string, text: string): void {
    this.#documentChanged.fire({ document: { uri: Uri.file(file), getText: () => text } });
  }

  setConfiguration(key: string, value: unknown): void {
    this.#configuration[key] = value;
    this.#configurationChanged.fire({
      affectsConfiguration: (section) => key === section || key.startsWith(`${section}.`),
    });
  }

  /** Adds a folder to the workspace, as "Add Folder to Workspace…" does. */
  addWorkspaceFolder(dir: string): void {
    this.#folders.push({ uri: Uri.file(dir), name: path.basename(dir), index: this.#folders.length });
    this.#foldersChanged.fire({ added: [this.#folders.at(-1)], removed: [] });
  }

  /** The workspace folder (its path) a settings scope lies in, as VS Code resolves a resource scope. */
  #folderOf(scope: Uri | undefined): string | undefined {
    if (!scope) return undefined;
    return this.workspace.workspaceFolders
      ?.map((folder) => folder.uri.fsPath)
      .find((dir) => scope.fsPath === dir || scope.fsPath.startsWith(dir + path.sep));
  }

  get controller(): FakeTestController {
    const controller = this.controllers[0];
    if (!controller) throw new Error('The extension created no test controller');
    return controller;
  }

  dispose(): void {
    for (const watcher of this.#watchers) watcher.dispose();
    for (const { process: child } of this.debugSessions) child.kill();
  }
}
