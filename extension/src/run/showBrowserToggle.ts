import { type JourneySuite, suiteScoped, titled } from '../journeySuites.ts';
import { readSettings } from '../settings.ts';
import type { Disposable, StatusBarItem, VSCode } from '../vscodeApi.ts';
import type { KeptBrowser } from './keptBrowser.ts';

/**
 * The Show browser toggle (`journeys.showBrowser`): on, every run is headed in the full Chromium,
 * as the "Run headed" profile is. It sits in the status bar and in the Testing view's title bar
 * (package.json: the two commands show whichever state it is not in). Turning it off closes a
 * browser a headed run kept open, as there is nothing left to watch. Its commands are the
 * explorers' (explorerCommands.ts), which may serve several suites.
 */
export class ShowBrowserToggle implements Disposable {
  readonly #vscode: VSCode;
  readonly #suite: JourneySuite;
  readonly #kept: KeptBrowser;
  readonly #item: StatusBarItem;
  readonly #disposables: Disposable[];

  constructor(vscode: VSCode, suite: JourneySuite, kept: KeptBrowser) {
    this.#vscode = vscode;
    this.#suite = suite;
    this.#kept = kept;
    this.#item = vscode.window.createStatusBarItem(
      suiteScoped('journeys.showBrowser', suite),
      vscode.StatusBarAlignment.Left,
      9,
    );
    this.#item.command = {
      title: 'Show browser',
      command: 'journeys.toggleShowBrowser',
      arguments: [suite.root],
    };
    this.#item.show();
    this.#disposables = [
      this.#item,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('journeys.showBrowser')) this.#show();
      }),
    ];
    this.#show();
  }

  get on(): boolean {
    return readSettings(this.#vscode, this.#suite.folder.uri).settings.showBrowser;
  }

  /** Writes the user's setting, so the choice follows the person, not the repository. */
  async set(on: boolean): Promise<void> {
    await this.#vscode.workspace
      .getConfiguration('journeys', this.#suite.folder.uri)
      .update('showBrowser', on, true);
    this.#show();
    if (!on) await this.#kept.close();
  }

  #show(): void {
    const on = this.on;
    this.#item.text = `$(${on ? 'eye' : 'eye-closed'}) ${titled('Show browser', this.#suite, ' ')}: ${on ? 'on' : 'off'}`;
    this.#item.tooltip = on
      ? 'Journeys run headed in the full Chromium, and the last one stays open. Click to run headless.'
      : 'Journeys run headless. Click to watch them in the full Chromium.';
  }

  dispose(): void {
    for (const disposable of this.#disposables) disposable.dispose();
  }
}
