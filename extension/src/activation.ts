import { registerExplorerCommands } from './explorerCommands.ts';
import { JourneyExplorer } from './journeyExplorer.ts';
import { findJourneySuites, type JourneySuite } from './journeySuites.ts';
import type { Disposable, VSCode } from './vscodeApi.ts';

/**
 * What activation does, on any `vscode` (the real one, or the tests' fake): an explorer for each
 * suite in the workspace's folders and the commands that reach them. Discovery is started, not
 * awaited, so activation returns once the controllers, commands and watchers exist, and the trees
 * fill when the journeys are parsed. When `journeys.configPath` or the workspace's folders
 * change which suites there are, they are served again.
 */
export class ServedSuites implements Disposable {
  readonly #vscode: VSCode;
  readonly #extensionDir: string;
  #explorers: JourneyExplorer[] = [];
  #commands: Disposable[] = [];
  readonly #listeners: Disposable[];
  /** Settles when every suite's first discovery has (failed ones said so in their output). */
  ready: Promise<void> = Promise.resolve();

  constructor(vscode: VSCode, extensionDir: string) {
    this.#vscode = vscode;
    this.#extensionDir = extensionDir;
    this.#serve();
    this.#listeners = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('journeys.configPath')) this.#serveAgainIfChanged();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.#serveAgainIfChanged()),
    ];
  }

  get explorers(): readonly JourneyExplorer[] {
    return this.#explorers;
  }

  dispose(): void {
    for (const listener of this.#listeners) listener.dispose();
    this.#stopServing();
  }

  /** The suites as they are now; served again (every tree rebuilt) only when they differ. */
  #serveAgainIfChanged(): void {
    const now = findJourneySuites(this.#vscode).suites;
    if (
      sameSuites(
        now,
        this.#explorers.map((explorer) => explorer.suite),
      )
    )
      return;
    this.#stopServing();
    this.#serve();
  }

  #serve(): void {
    const { suites, problems } = findJourneySuites(this.#vscode);
    for (const problem of problems) void this.#vscode.window.showErrorMessage(problem);
    this.#explorers = suites.map((suite) => new JourneyExplorer(this.#vscode, suite, this.#extensionDir));
    this.#commands =
      this.#explorers.length > 0 ? registerExplorerCommands(this.#vscode, this.#explorers) : [];
    const discoveries = this.#explorers.map((explorer) => {
      const discoveryStart = performance.now();
      return explorer.refresh().then(
        () => explorer.log(`[discovery] the journeys were listed in ${since(discoveryStart)} ms`),
        (error: unknown) => {
          explorer.log(`[discovery] failed: ${String(error)}`);
          void this.#vscode.window.showErrorMessage(
            `Journey Explorer could not list the journeys of ${explorer.suite.root}: ${String(error)}`,
          );
        },
      );
    });
    this.ready = Promise.all(discoveries).then(() => {});
  }

  #stopServing(): void {
    for (const command of this.#commands) command.dispose();
    for (const explorer of this.#explorers) explorer.dispose();
    this.#commands = [];
    this.#explorers = [];
  }
}

function sameSuites(a: readonly JourneySuite[], b: readonly JourneySuite[]): boolean {
  const key = (suites: readonly JourneySuite[]) =>
    suites.map((suite) => `${suite.root}|${suite.title}`).join('\n');
  return key(a) === key(b);
}

export function since(start: number): number {
  return Math.round(performance.now() - start);
}
