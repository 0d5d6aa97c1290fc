import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, expect, type Page, test } from '@playwright/test';
import { chromiumLaunchOptions } from '../../fixtures/browser.ts';
import { newestTrace, traceProblem } from '../../scripts/trace-files.ts';
import { hasDisplay, openViewerWindow, serveTrace } from '../../scripts/trace-viewer.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A real trace of one click, as a failed journey leaves it. */
async function recordTrace(browser: Browser, file: string) {
  const context = await browser.newContext();
  await context.tracing.start({ snapshots: true });
  const page = await context.newPage();
  await page.setContent('<button>Ship the model</button>');
  await page.getByRole('button', { name: 'Ship the model' }).click();
  await context.tracing.stop({ path: file });
  await context.close();
}

/** The viewer shows the trace's action. */
async function expectViewerShowsTheClick(page: Page) {
  await expect(page.getByText(/Click.*Ship the model/).first()).toBeVisible({ timeout: 20_000 });
}

function firstLineMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(pattern);
      if (match) resolve(match);
    });
    child.on('exit', (code) => reject(new Error(`npm run trace ended (${code}) before printing: ${out}`)));
  });
}

test.describe('npm run trace', () => {
  let dir: string;
  // A browser of its own per test, closed after it: the worker's shared browser would outlive the
  // test as a child process of the worker, which the stack's clean-up tests rightly count.
  let browser: Browser;
  test.beforeEach(async ({ launchOptions }) => {
    dir = mkdtempSync(path.join(tmpdir(), 'trace-open-'));
    browser = await chromium.launch(launchOptions);
  });
  test.afterEach(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without a display it serves the newest trace in test-results and prints where', async () => {
    const newer = path.join(dir, 'test-results', 'artifacts', 'journey-b', 'trace.zip');
    const older = path.join(dir, 'test-results', 'artifacts', 'journey-a', 'trace.zip');
    mkdirSync(path.dirname(newer), { recursive: true });
    mkdirSync(path.dirname(older), { recursive: true });
    await recordTrace(browser, newer);
    copyFileSync(newer, older);
    utimesSync(older, new Date(2020, 0, 1), new Date(2020, 0, 1));

    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.INIT_CWD;
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/trace.ts')], { cwd: dir, env });
    try {
      const [, shown, url] = await firstLineMatching(
        child,
        /^Trace viewer for (.+): (http:\/\/127\.0\.0\.1:\d+\/)$/m,
      );
      expect(shown).toBe(path.join('test-results', 'artifacts', 'journey-b', 'trace.zip'));
      const page = await browser.newPage();
      await page.goto(url ?? '');
      await expectViewerShowsTheClick(page);
    } finally {
      // Waited for: a child left behind would count against the stack's clean-up tests.
      const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
      child.kill();
      await exited;
    }
  });

  test('opens the viewer as a window of the suite’s full Chromium', async () => {
    const trace = path.join(dir, 'trace.zip');
    await recordTrace(browser, trace);
    const served = await serveTrace(trace);
    // Headless here: the same launch as on a desktop, minus the window (CI has no display).
    const window = await openViewerWindow(served.pageUrl, chromiumLaunchOptions({ headless: false }), {
      headless: true,
    });
    try {
      const [page] = window.pages();
      if (!page) throw new Error('the viewer window has no page');
      await expectViewerShowsTheClick(page);
    } finally {
      await window.close();
      await served.stop();
    }
  });

  test('a bad path or no trace at all gets one sentence with the fix', () => {
    expect(traceProblem(path.join(dir, 'missing.zip'))).toBe(
      `There is no file at ${path.join(dir, 'missing.zip')}: give the trace.zip a failed test left (the run ends with its npm run trace line), or run npm run trace alone for the newest one.`,
    );
    expect(traceProblem(dir)).toBe(
      `${dir} is a directory, not a trace: give the trace.zip a failed test left (the run ends with its npm run trace line).`,
    );
    writeFileSync(path.join(dir, 'notes.txt'), 'not a zip');
    expect(traceProblem(path.join(dir, 'notes.txt'))).toBe(
      `${path.join(dir, 'notes.txt')} is not a trace (a trace is a .zip archive): give the trace.zip a failed test left (the run ends with its npm run trace line).`,
    );
    expect(newestTrace(path.join(dir, 'test-results'))).toBeUndefined();
  });

  test('a window opens only where there is a display', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });
});
