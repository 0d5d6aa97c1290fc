import type { OutputChannel, VSCode } from '../vscodeApi.ts';
import { type ServedTrace, serveTrace } from './traceViewerServer.ts';
import { traceViewerAssets } from './viewerAssets.ts';

/**
 * Opens a trace in Playwright's trace viewer, served over HTTP on a loopback port and shown in
 * VS Code's Simple Browser. `asExternalUri` makes the port reachable when the editor runs
 * elsewhere (code-server, a dev container), so the same path works locally and remotely.
 */
export class TraceViewer {
  readonly #vscode: VSCode;
  readonly #log: OutputChannel;
  #served: ServedTrace | undefined;

  constructor(vscode: VSCode, log: OutputChannel) {
    this.#vscode = vscode;
    this.#log = log;
  }

  /** Serves the trace and shows it; returns the URL it opened. */
  async open(workspaceDir: string, trace: string): Promise<string> {
    await this.close();
    // A fresh server per trace: the viewer's service worker caches a trace by its URL, and a
    // rerun rewrites the same file.
    this.#served = await serveTrace(traceViewerAssets(workspaceDir), trace);
    const external = await this.#vscode.env.asExternalUri(this.#vscode.Uri.parse(this.#served.url));
    this.#log.appendLine(`[trace] ${trace} served at ${this.#served.url}, opened as ${external.toString()}`);
    await this.#vscode.commands.executeCommand('simpleBrowser.show', external.toString());
    return external.toString();
  }

  async close(): Promise<void> {
    const served = this.#served;
    this.#served = undefined;
    await served?.close();
  }
}
