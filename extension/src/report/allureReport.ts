import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { JourneySuite } from '../journeySuites.ts';
import type { OutputChannel, VSCode } from '../vscodeApi.ts';
import { type ServedFolder, serveFolder } from './staticFolderServer.ts';

/** Builds the Allure report from `allure-results/` (`npm run report`) and opens it in a browser. */
export class AllureReport {
  readonly #vscode: VSCode;
  readonly #suite: JourneySuite;
  readonly #log: OutputChannel;
  #served: ServedFolder | undefined;

  constructor(vscode: VSCode, suite: JourneySuite, log: OutputChannel) {
    this.#vscode = vscode;
    this.#suite = suite;
    this.#log = log;
  }

  /** Returns the URL it opened. */
  async open(): Promise<string> {
    const workspaceDir = this.#suite.root;
    if (!existsSync(path.join(workspaceDir, 'allure-results'))) {
      throw new Error('There are no Allure results yet: run some journeys first, then open the report.');
    }
    await this.#build(workspaceDir);
    const reportDir = path.join(workspaceDir, 'allure-report');
    if (!existsSync(path.join(reportDir, 'index.html'))) {
      throw new Error(
        'npm run report finished but wrote no allure-report/index.html: check the "report" script in package.json.',
      );
    }
    this.#served ??= await serveFolder(reportDir);
    const external = await this.#vscode.env.asExternalUri(this.#vscode.Uri.parse(this.#served.url));
    await this.#vscode.env.openExternal(external);
    return external.toString();
  }

  async dispose(): Promise<void> {
    await this.#served?.close();
    this.#served = undefined;
  }

  #build(workspaceDir: string): Promise<void> {
    // npm is a .cmd script on Windows, which Node only starts through a shell.
    const child = spawn('npm', ['run', 'report'], {
      cwd: workspaceDir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      this.#log.appendLine(`[report] ${text.trimEnd()}`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return new Promise((resolve, reject) => {
      child.on('error', (error) => reject(new Error(`Could not run npm run report: ${error.message}`)));
      child.on('exit', (code) => {
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `npm run report failed (exit code ${code}): ${tail.trim().split('\n').slice(-3).join(' ')}`,
            ),
          );
      });
    });
  }
}
