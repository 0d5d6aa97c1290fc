import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, watch } from 'node:fs';
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
  visible: boolean;
}

/** Watches a folder for real (recursive fs.watch) and reports paths matching the pattern. */
class FakeFileSystemWatcher implements FileSystemWatcher {
  readonly #create = new Emitter<Uri>();
  readonly #change = new Emitter<Uri>();
  readonly #delete = new Emitter<Uri>();
  readonly onDidCreate = this.#create.event;
  readonly onDidChange = this.#change.event;
  readonly onDidDelete = this.#delete.event;
  readonly #watcher: FSWatcher;
  readonly #known = new Set<string>();

  constructor(pattern: RelativePattern) {
    const base = pattern.baseUri.fsPath;
    this.#watcher = watch(base, { recursive: true }, (_event, name) => {
      if (!name) return;
      const relative = name.toString().split(path.sep).join('/');
      if (!path.matchesGlob(relative, pattern.pattern)) return;
      const file = path.join(base, name.toString());
      void import('node:fs/promises').then(({ stat }) =>
        stat(file).then(
          () => {
            const emitter = this.#known.has(file) ? this.#change : this.#create;
            this.#known.add(file);
            emitter.fire(Uri.file(file));
          },
          () => {
            this.#known.delete(file);
            this.#delete.fire(Uri.file(file));
          },
        ),
      );
    });
  }

  dispose(): void {
    this.#watcher.close();
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
  readonly contextKeys = new Map<string, unknown>();
  readonly debugSessions: { session: DebugSession; process: ChildProcess }[] = [];
  readonly #commands = new Map<string, (...args: never[]) => unknown>();
  readonly #configuration: Record<string, unknown>;
  readonly #configurationChanged = new Emitter<ConfigurationChangeEvent>();
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

  constructor(workspaceDirs: string[], configuration: Record<string, unknown> = {}) {
    this.#configuration = { ...configuration };
    const folders: WorkspaceFolder[] = workspaceDirs.map((dir, index) => ({
      uri: Uri.file(dir),
      name: path.basename(dir),
      index,
    }));
    this.tests = {
      createTestController: (id, label) => {
        const controller = new FakeTestController(id, label);
        this.controllers.push(controller);
        return controller;
      },
    };
    this.workspace = {
      workspaceFolders: folders,
      getConfiguration: (section) => ({
        get: <T>(key: string) => this.#configuration[`${section}.${key}`] as T | undefined,
      }),
      createFileSystemWatcher: (pattern) => {
        const watcher = new FakeFileSystemWatcher(pattern as RelativePattern);
        this.#watchers.push(watcher);
        return watcher;
      },
      onDidChangeConfiguration: this.#configurationChanged.event,
    };
    this.window = {
      createStatusBarItem: () => {
        const item: FakeStatusBarItem = {
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
        const child = spawn(
          process.execPath,
          [configuration.program as string, ...(configuration.args as string[])],
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
    };
  }

  /** Runs a command the extension registered, as the command palette or a menu would. */
  runCommand(command: string, ...args: unknown[]): Promise<unknown> {
    if (!this.#commands.has(command)) throw new Error(`No command ${command} is registered`);
    return this.commands.executeCommand(command, ...args) as Promise<unknown>;
  }

  setConfiguration(key: string, value: unknown): void {
    this.#configuration[key] = value;
    this.#configurationChanged.fire({
      affectsConfiguration: (section) => key === section || key.startsWith(`${section}.`),
    });
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
