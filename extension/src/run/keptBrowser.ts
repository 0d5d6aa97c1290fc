import { rmSync } from 'node:fs';
import path from 'node:path';
import type { VSCode } from '../vscodeApi.ts';
import type { RunningProcess } from './playwrightProcess.ts';
import { killProcessTree } from './processTree.ts';

/** The context key that is true while a run's browser is kept open (for Close browser's menus). */
export const browserKeptContextKey = 'journeys.browserKept';

/** How long Playwright gets to close the browser and exit once released, before its tree is killed. */
export const releaseGraceMs = 10_000;

/**
 * The browser the last headed run left open (Show browser with journeys.keepBrowserOpen): the
 * Playwright process whose worker holds it while the hold file exists. Deleting the file lets the
 * worker close the browser and the run exit; the next run, Close browser and deactivation do that.
 */
export class KeptBrowser {
  readonly #vscode: VSCode;
  #kept: { process: RunningProcess; holdFile: string } | undefined;

  constructor(vscode: VSCode) {
    this.#vscode = vscode;
  }

  get isOpen(): boolean {
    return this.#kept !== undefined;
  }

  /** `holdFile` sits alone in a folder of its own, which goes when the browser closes. */
  keep(process: RunningProcess, holdFile: string): void {
    const kept = { process, holdFile };
    this.#kept = kept;
    void this.#setContext(true);
    // Closed from the browser's side (its window closed, the time limit): nothing is kept any more.
    void process.exited.then(() => {
      if (this.#kept !== kept) return;
      this.#kept = undefined;
      release(holdFile);
      void this.#setContext(false);
    });
  }

  /** Closes the kept browser and waits until its run has exited; nothing happens when none is kept. */
  async close(): Promise<void> {
    const kept = this.#kept;
    if (!kept) return;
    this.#kept = undefined;
    release(kept.holdFile);
    let grace: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<'stuck'>((resolve) => {
      grace = setTimeout(() => resolve('stuck'), releaseGraceMs);
    });
    if ((await Promise.race([kept.process.exited, stuck])) === 'stuck') {
      killProcessTree(kept.process.pid, 'SIGKILL');
      await kept.process.exited;
    }
    clearTimeout(grace);
    await this.#setContext(false);
  }

  async #setContext(open: boolean): Promise<void> {
    await this.#vscode.commands.executeCommand('setContext', browserKeptContextKey, open);
  }
}

function release(holdFile: string): void {
  rmSync(path.dirname(holdFile), { recursive: true, force: true });
}
