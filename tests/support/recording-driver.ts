import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';

/**
 * Acts in a recording (scripts/record.ts) or a locator pick (scripts/pick-locator.ts) the way a
 * person would, from a test: the script's browser opens Chromium's DevTools protocol on a port the
 * test chose (`--debugging-port`), and this connects to it as a second client, so the clicks are
 * real input events the recorder sees.
 */

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * Where a test's recorded journey goes: among the journeys (so a run from the tree finds it) under
 * a name .gitignore keeps out of commits; the test deletes it when it ends.
 */
export function recordedByATest(personaFolder: string, root: string = repoRoot): string {
  return path.join(
    root,
    'journeys',
    personaFolder,
    `recorded-by-a-test-${randomBytes(3).toString('hex')}.journey.ts`,
  );
}

/** The page of the platform in the script's browser. */
export async function connectToPersonaPage(debuggingPort: number): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${debuggingPort}`);
  const page = browser
    .contexts()
    .flatMap((context) => context.pages())
    .find((candidate) => candidate.url().startsWith('http'));
  if (!page) throw new Error(`The browser on port ${debuggingPort} shows no page of the platform.`);
  return { browser, page };
}

/**
 * Resolves once Playwright's recorder or picker is listening in the page: it lays a glass pane
 * over the page while recording or picking (an element of its own, `x-pw-glass`). A click before
 * that would act on the page without being recorded or picked.
 */
export async function untilRecorderListens(page: Page): Promise<void> {
  await page.locator('x-pw-glass').waitFor({ state: 'attached', timeout: 30_000 });
}

export interface ScriptRun {
  /** Resolves with everything printed once this line appears; rejects if it never does. */
  untilPrinted(text: string, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code and everything printed. */
  exited: Promise<{ code: number | null; output: string }>;
}

/** Runs one of the project's scripts, as npm would, with extra environment. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ScriptRun {
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.once('exit', (code) => {
      for (const waiter of waiters) waiter();
      resolve({ code, output });
    });
  });
  return {
    exited,
    untilPrinted: (text, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(output);
          } else if (child.exitCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`${script} ended (${child.exitCode}) before printing "${text}":\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${script} did not print "${text}" within ${timeoutMs / 1000} s:\n${output}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
