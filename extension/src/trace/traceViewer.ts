import { type ChildProcess, spawn } from 'node:child_process';
import { nodeExecutable } from '../run/nodeExecutable.ts';
import { resolvePlaywrightCli } from '../run/playwrightCli.ts';
import type { OutputChannel, VSCode } from '../vscodeApi.ts';

/**
 * Opens a trace in Playwright's trace viewer, served over HTTP on a loopback port and shown in
 * VS Code's Simple Browser. `asExternalUri` makes the port reachable when the editor runs
 * elsewhere (code-server, a dev container), so the same path works locally and remotely.
 */
export class TraceViewer {
  readonly #vscode: VSCode;
  readonly #log: OutputChannel;
  #viewer: ChildProcess | undefined;

  constructor(vscode: VSCode, log: OutputChannel) {
    this.#vscode = vscode;
    this.#log = log;
  }

  /** Serves the trace and shows it; returns the URL it opened. */
  async open(workspaceDir: string, trace: string): Promise<string> {
    this.close();
    const local = await this.#serve(workspaceDir, trace);
    const external = await this.#vscode.env.asExternalUri(this.#vscode.Uri.parse(local));
    await this.#vscode.commands.executeCommand('simpleBrowser.show', external.toString());
    return external.toString();
  }

  close(): void {
    this.#viewer?.kill();
    this.#viewer = undefined;
  }

  #serve(workspaceDir: string, trace: string): Promise<string> {
    const node = nodeExecutable();
    const viewer = spawn(
      node.command,
      [resolvePlaywrightCli(workspaceDir), 'show-trace', '--host', '127.0.0.1', '--port', '0', trace],
      { cwd: workspaceDir, env: { ...process.env, ...node.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#viewer = viewer;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (text: string) => {
        output += text;
        this.#log.appendLine(text.trimEnd());
        const url = output.match(/Listening on (http:\/\/\S+)/)?.[1];
        if (url) resolve(url);
      };
      viewer.stdout.setEncoding('utf8').on('data', onData);
      viewer.stderr.setEncoding('utf8').on('data', onData);
      viewer.on('error', (error) => reject(new Error(`Could not start the trace viewer: ${error.message}`)));
      viewer.on('exit', (code) => {
        if (this.#viewer === viewer) this.#viewer = undefined;
        reject(
          new Error(
            `The trace viewer stopped (exit code ${code}) before serving ${trace}: ${output.trim() || 'no output'}`,
          ),
        );
      });
    });
  }
}
