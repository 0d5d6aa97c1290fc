import { readSettings } from '../settings.ts';
import type { Disposable, StatusBarItem, VSCode, WorkspaceFolder } from '../vscodeApi.ts';
import type { KeptBrowser } from './keptBrowser.ts';

/**
 * The Show browser toggle (`journeys.showBrowser`): on, every run is headed in the full Chromium,
 * as the "Run headed" profile is. It sits in the status bar and in the Testing view's title bar
 * (package.json: the two commands show whichever state it is not in). Turning it off closes a
 * browser a headed run kept open, as there is nothing left to watch.
 */
export class ShowBrowserToggle implements Disposable {
  readonly #vscode: VSCode;
  readonly #folder: WorkspaceFolder;
  readonly #kept: KeptBrowser;
  readonly #item: StatusBarItem;
  readonly #disposables: Disposable[];

  constructor(vscode: VSCode, folder: WorkspaceFolder, kept: KeptBrowser) {
    this.#vscode = vscode;
    this.#folder = folder;
    this.#kept = kept;
    this.#item = vscode.window.createStatusBarItem('journeys.showBrowser', vscode.StatusBarAlignment.Left, 9);
    this.#item.command = 'journeys.toggleShowBrowser';
    this.#item.show();
    this.#disposables = [
      this.#item,
      vscode.commands.registerCommand('journeys.showBrowser', () => this.set(true)),
      vscode.commands.registerCommand('journeys.hideBrowser', () => this.set(false)),
      vscode.commands.registerCommand('journeys.toggleShowBrowser', () => this.set(!this.on)),
      vscode.commands.registerCommand('journeys.closeBrowser', () => this.#kept.close()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('journeys.showBrowser')) this.#show();
      }),
    ];
    this.#show();
  }

  get on(): boolean {
    return readSettings(this.#vscode, this.#folder.uri).settings.showBrowser;
  }

  /** Writes the user's setting, so the choice follows the person, not the repository. */
  async set(on: boolean): Promise<void> {
    await this.#vscode.workspace
      .getConfiguration('journeys', this.#folder.uri)
      .update('showBrowser', on, true);
    this.#show();
    if (!on) await this.#kept.close();
  }

  #show(): void {
    const on = this.on;
    this.#item.text = `$(${on ? 'eye' : 'eye-closed'}) Show browser: ${on ? 'on' : 'off'}`;
    this.#item.tooltip = on
      ? 'Journeys run headed in the full Chromium, and the last one stays open. Click to run headless.'
      : 'Journeys run headless. Click to watch them in the full Chromium.';
  }

  dispose(): void {
    for (const disposable of this.#disposables) disposable.dispose();
  }
}
