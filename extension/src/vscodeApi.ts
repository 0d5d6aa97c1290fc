/**
 * The part of the `vscode` module Journey Explorer uses, as structural types. The real module is
 * checked against it where the extension is wired (`extension.ts`), and the unit tests pass a fake
 * that implements exactly this: nothing here may reach for an API the fake does not have.
 */

export interface Disposable {
  dispose(): unknown;
}

export type Event<T> = (listener: (event: T) => unknown) => Disposable;

// VS Code's enums, as types only: the values come from the module passed in.
export type StatusBarAlignment = import('vscode').StatusBarAlignment;
export type TestRunProfileKind = import('vscode').TestRunProfileKind;

/** VS Code's own value types: its constructors and configuration scopes take exactly these. */
export type Uri = import('vscode').Uri;

export type Position = import('vscode').Position;
export type Range = import('vscode').Range;

/** What the extension reads of a position or range it holds (VS Code's classes have more). */
export interface PositionValue {
  readonly line: number;
  readonly character: number;
}

export interface RangeValue {
  readonly start: PositionValue;
  readonly end: PositionValue;
}

export interface Location {
  readonly uri: Uri;
  readonly range: RangeValue;
}

export interface TestTag {
  readonly id: string;
}

export interface TestItemCollection {
  readonly size: number;
  get(itemId: string): TestItem | undefined;
  add(item: TestItem): void;
  delete(itemId: string): void;
  replace(items: readonly TestItem[]): void;
  forEach(callback: (item: TestItem, collection: TestItemCollection) => unknown): void;
}

export interface TestItem {
  readonly id: string;
  readonly uri: Uri | undefined;
  readonly children: TestItemCollection;
  readonly parent: TestItem | undefined;
  tags: readonly TestTag[];
  label: string;
  description?: string;
  sortText?: string;
  range: RangeValue | undefined;
  error: string | MarkdownString | undefined;
  busy: boolean;
  canResolveChildren: boolean;
}

export interface MarkdownString {
  readonly value: string;
}

export interface TestMessageStackFrame {
  readonly label: string;
  readonly uri?: Uri;
  readonly position?: PositionValue;
}

export interface TestMessage {
  message: string | MarkdownString;
  expectedOutput?: string;
  actualOutput?: string;
  location?: Location;
  contextValue?: string;
  stackTrace?: TestMessageStackFrame[];
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  readonly onCancellationRequested: Event<unknown>;
}

export interface TestRun {
  readonly token: CancellationToken;
  enqueued(test: TestItem): void;
  started(test: TestItem): void;
  skipped(test: TestItem): void;
  failed(test: TestItem, message: TestMessage | readonly TestMessage[], duration?: number): void;
  errored(test: TestItem, message: TestMessage | readonly TestMessage[], duration?: number): void;
  passed(test: TestItem, duration?: number): void;
  appendOutput(output: string, location?: Location, test?: TestItem): void;
  end(): void;
}

export interface TestRunRequest {
  readonly include: readonly TestItem[] | undefined;
  readonly exclude: readonly TestItem[] | undefined;
  readonly profile: TestRunProfile | undefined;
  readonly continuous?: boolean;
}

export type RunHandler = (request: TestRunRequest, token: CancellationToken) => Thenable<void> | void;

export interface TestRunProfile {
  label: string;
  isDefault: boolean;
  tag: TestTag | undefined;
  supportsContinuousRun: boolean;
  dispose(): void;
}

export interface TestController {
  readonly id: string;
  readonly items: TestItemCollection;
  refreshHandler: ((token: CancellationToken) => Thenable<void> | void) | undefined;
  createTestItem(id: string, label: string, uri?: Uri): TestItem;
  createRunProfile(
    label: string,
    kind: TestRunProfileKind,
    runHandler: RunHandler,
    isDefault?: boolean,
    tag?: TestTag,
    supportsContinuousRun?: boolean,
  ): TestRunProfile;
  createTestRun(request: TestRunRequest, name?: string, persist?: boolean): TestRun;
  dispose(): void;
}

export interface FileSystemWatcher extends Disposable {
  readonly onDidCreate: Event<Uri>;
  readonly onDidChange: Event<Uri>;
  readonly onDidDelete: Event<Uri>;
}

export interface WorkspaceFolder {
  readonly uri: Uri;
  readonly name: string;
  readonly index: number;
}

export interface WorkspaceConfiguration {
  get<T>(section: string): T | undefined;
  /** `target` true writes the user's settings, false or undefined the workspace's. */
  update(section: string, value: unknown, target?: boolean): Thenable<void>;
}

export interface ConfigurationChangeEvent {
  affectsConfiguration(section: string): boolean;
}

export interface StatusBarItem extends Disposable {
  text: string;
  tooltip: string | MarkdownString | undefined;
  command:
    | string
    | { readonly title: string; readonly command: string; readonly arguments?: readonly unknown[] }
    | undefined;
  show(): void;
}

export interface OutputChannel extends Disposable {
  appendLine(value: string): void;
}

export interface QuickPickItem {
  label: string;
  description?: string;
  detail?: string;
}

export interface DebugSession {
  readonly id: string;
  readonly name: string;
  readonly configuration: { readonly [key: string]: unknown };
}

export interface DebugConfiguration {
  type: string;
  name: string;
  request: string;
  [key: string]: unknown;
}

/** Every value Journey Explorer takes from `import * as vscode from 'vscode'`. */
export interface VSCode {
  readonly version: string;
  readonly tests: {
    createTestController(id: string, label: string): TestController;
  };
  readonly workspace: {
    readonly workspaceFolders: readonly WorkspaceFolder[] | undefined;
    getConfiguration(section: string, scope?: Uri): WorkspaceConfiguration;
    createFileSystemWatcher(pattern: RelativePattern): FileSystemWatcher;
    readonly onDidChangeConfiguration: Event<ConfigurationChangeEvent>;
    /** A folder added to or removed from a multi-root workspace (the first one reloads the window). */
    readonly onDidChangeWorkspaceFolders: Event<unknown>;
    /** Every edit of an open document, before it is saved. */
    readonly onDidChangeTextDocument: Event<TextDocumentChangeEvent>;
  };
  readonly window: {
    createStatusBarItem(id: string, alignment?: StatusBarAlignment, priority?: number): StatusBarItem;
    createOutputChannel(name: string): OutputChannel;
    showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
    showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
    showQuickPick<T extends QuickPickItem>(
      items: readonly T[],
      options?: { placeHolder?: string },
    ): Thenable<T | undefined>;
  };
  readonly commands: {
    registerCommand(command: string, callback: (...args: never[]) => unknown): Disposable;
    executeCommand<T = unknown>(command: string, ...rest: unknown[]): Thenable<T>;
  };
  readonly debug: {
    startDebugging(folder: WorkspaceFolder | undefined, configuration: DebugConfiguration): Thenable<boolean>;
    readonly onDidStartDebugSession: Event<DebugSession>;
    readonly onDidTerminateDebugSession: Event<DebugSession>;
    stopDebugging(session?: DebugSession): Thenable<void>;
  };
  readonly env: {
    readonly remoteName: string | undefined;
    asExternalUri(target: Uri): Thenable<Uri>;
    openExternal(target: Uri): Thenable<boolean>;
    readonly clipboard: { writeText(value: string): Thenable<void> };
  };
  readonly Uri: {
    file(path: string): Uri;
    parse(value: string): Uri;
  };
  readonly Position: new (line: number, character: number) => Position;
  readonly Range: new (
    startLine: number,
    startCharacter: number,
    endLine: number,
    endCharacter: number,
  ) => Range;
  readonly Location: new (uri: Uri, rangeOrPosition: Range | Position) => Location;
  readonly RelativePattern: new (base: WorkspaceFolder | Uri | string, pattern: string) => RelativePattern;
  readonly TestTag: new (id: string) => TestTag;
  readonly TestMessage: {
    new (message: string): TestMessage;
    diff(message: string, expected: string, actual: string): TestMessage;
  };
  readonly TestMessageStackFrame: new (
    label: string,
    uri?: Uri,
    position?: Position,
  ) => TestMessageStackFrame;
  readonly TestRunProfileKind: { readonly Run: TestRunProfileKind; readonly Debug: TestRunProfileKind };
  readonly StatusBarAlignment: { readonly Left: StatusBarAlignment; readonly Right: StatusBarAlignment };
}

export interface TextDocumentChangeEvent {
  readonly document: { readonly uri: Uri; getText(): string };
}

export interface RelativePattern {
  readonly baseUri: Uri;
  readonly base: string;
  readonly pattern: string;
}

export type Thenable<T> = PromiseLike<T>;
