import { spawn } from 'node:child_process';
import path from 'node:path';
import { readPersonaFixtures } from '../discovery/personaFixtures.ts';
import type { JourneySuite } from '../journeySuites.ts';
import { readSettings, runEnvironment } from '../settings.ts';
import type { OutputChannel, VSCode } from '../vscodeApi.ts';

/**
 * "Journeys: Record as a persona…" and "Journeys: Pick locator": the suite's own scripts
 * (`npm run record`, `npm run pick-locator`) open Playwright's recorder or locator picker on the
 * running stack, signed in as the chosen persona of a fresh tenant; this picks the persona, runs
 * the script, and opens the journey it wrote or copies the locator it printed.
 */
export class PersonaRecorder {
  readonly #vscode: VSCode;
  readonly #suite: JourneySuite;
  readonly #log: OutputChannel;

  constructor(vscode: VSCode, suite: JourneySuite, log: OutputChannel) {
    this.#vscode = vscode;
    this.#suite = suite;
    this.#log = log;
  }

  /** Records as a persona and opens the journey written; undefined when no persona was chosen. */
  async record(): Promise<string | undefined> {
    const persona = await this.#choosePersona('Record a new journey as which persona?');
    if (!persona) return undefined;
    const output = await this.#runScript('record', ['--persona', persona]);
    const written = /^Wrote (.+)$/m.exec(output)?.[1]?.trim();
    if (!written) throw new Error(`npm run record wrote no journey: ${lastLine(output)}`);
    const file = path.resolve(this.#suite.root, written);
    await this.#vscode.commands.executeCommand('vscode.open', this.#vscode.Uri.file(file));
    return file;
  }

  /**
   * Picks an element's locator as a persona, copies it, and types it at the cursor of the editor
   * that has the focus (none: it is on the clipboard only).
   */
  async pickLocator(): Promise<string | undefined> {
    const persona = await this.#choosePersona('Pick a locator on the platform as which persona?');
    if (!persona) return undefined;
    const output = await this.#runScript('pick-locator', ['--persona', persona]);
    const locator = /^Locator: (.+)$/m.exec(output)?.[1]?.trim();
    if (!locator) throw new Error(`npm run pick-locator picked no locator: ${lastLine(output)}`);
    await this.#vscode.env.clipboard.writeText(locator);
    await this.#vscode.commands.executeCommand('type', { text: locator });
    void this.#vscode.window.showInformationMessage(`Copied ${locator}`);
    return locator;
  }

  /** The persona fixtures of the suite's platform profile (its `personas`, not their aliases). */
  async #choosePersona(placeHolder: string): Promise<string | undefined> {
    const { names, problem } = await readPersonaFixtures(this.#suite.root, ['personas']);
    if (names.size === 0)
      throw new Error(problem ?? 'The platform profile declares no personas to record as.');
    const choice = await this.#vscode.window.showQuickPick(
      [...names].map((name) => ({ label: name })),
      { placeHolder },
    );
    return choice?.label;
  }

  /** Runs `npm run <script> -- <args>` in the workspace with the run settings; resolves with its output. */
  #runScript(script: string, args: string[]): Promise<string> {
    const { settings } = readSettings(this.#vscode, this.#suite.folder.uri);
    this.#log.appendLine(`[${script}] npm run ${script} -- ${args.join(' ')}`);
    return new Promise<string>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
        cwd: this.#suite.root,
        env: { ...process.env, ...runEnvironment(settings) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        for (const line of text.split('\n')) if (line.trim()) this.#log.appendLine(`[${script}] ${line}`);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', (error) =>
        reject(new Error(`npm run ${script} could not start (${error.message}): is npm on the PATH?`)),
      );
      child.once('close', (code) =>
        code === 0
          ? resolve(output)
          : reject(new Error(`npm run ${script} stopped (exit ${code}): ${lastLine(output)}`)),
      );
    });
  }
}

function lastLine(output: string): string {
  return (
    output
      .trim()
      .split('\n')
      .filter((line) => line.trim())
      .at(-1) ?? 'it printed nothing'
  );
}
