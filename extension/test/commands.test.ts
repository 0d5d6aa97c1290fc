import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startEditorPortProxy } from './editorPortProxy.ts';
import { expect, runProfile, test } from './explorerFixtures.ts';
import type { FakeVSCode } from './fake/fakeVscode.ts';
import type { FakeTestController } from './fake/testing.ts';

test.describe('Open trace', () => {
  const brokenJourney = [
    'Security analyst',
    'counts-alerts.journey.ts',
    'counts alerts by severity (deliberately broken)',
  ] as const;

  /** Runs the broken journey and opens its trace as the failure message's context menu does. */
  async function openTraceOfFailure(controller: FakeTestController, vscode: FakeVSCode): Promise<string> {
    const journey = controller.find(...brokenJourney);
    const run = await runProfile(controller, 'Run', { include: [journey] });
    const failure = run.stateOf(journey);
    if (failure?.kind !== 'failed') throw new Error('the journey did not fail');
    const url = (await vscode.runCommand('journeys.openTrace', {
      test: journey,
      message: failure.messages[0],
    })) as string;
    expect(vscode.executedCommands.find((command) => command.command === 'simpleBrowser.show')?.args).toEqual(
      [url],
    );
    expect(vscode.errors).toEqual([]);
    return url;
  }

  /** The viewer has loaded the trace when it lists the journey's steps. */
  async function expectTraceLoaded(page: Page): Promise<void> {
    await expect(page).toHaveTitle('Playwright Trace Viewer');
    expect(page.url()).toContain('trace.zip');
    await expect(page.getByText('the summary counts each severity').first()).toBeVisible();
  }

  test('serves the failed journey’s trace and shows the viewer in the Simple Browser', async ({
    controller,
    vscode,
    page,
  }) => {
    const url = await openTraceOfFailure(controller, vscode);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}\/$/);
    await page.goto(url);
    await expectTraceLoaded(page);
  });

  test('behind a remote editor’s port proxy the viewer loads under its own service worker', async ({
    controller,
    vscode,
    page,
  }) => {
    const editor = await startEditorPortProxy();
    try {
      vscode.env.asExternalUri = async (uri) => vscode.Uri.parse(editor.externalUri(uri.toString()));
      // As in code-server: the editor's root service worker already controls the origin.
      await page.goto(editor.url);
      await expect
        .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL))
        .toMatch(/\/editor-sw\.js$/);

      const url = await openTraceOfFailure(controller, vscode);
      expect(url.startsWith(`${editor.url}proxy/`), url).toBe(true);
      await page.goto(url);
      await expectTraceLoaded(page);
      // The viewer asks its worker for the trace; had the editor's worker answered, it would hang.
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(
        /\/trace\/sw\.bundle\.js$/,
      );
    } finally {
      await editor.close();
    }
  });

  test('the viewer’s server serves the viewer and the opened trace, nothing else', async ({
    controller,
    vscode,
  }) => {
    const url = await openTraceOfFailure(controller, vscode);
    const origin = new URL(url).origin;
    expect((await fetch(`${url}trace/index.html`)).status).toBe(200);
    expect((await fetch(`${url}trace/file?path=${encodeURIComponent(import.meta.filename)}`)).status).toBe(
      403,
    );
    expect((await fetch(`${url}trace/..%2F..%2Fpackage.json`)).status).toBe(403);
    // Without the random first segment nothing answers, so other web pages cannot read traces.
    expect((await fetch(`${origin}/`)).status).toBe(404);
    expect((await fetch(`${origin}/trace/index.html`)).status).toBe(404);
  });

  test('the palette command picks among the failures that left a trace', async ({ controller, vscode }) => {
    const journey = controller.find(
      'Security analyst',
      'counts-alerts.journey.ts',
      'counts alerts by severity (deliberately broken)',
    );
    await runProfile(controller, 'Run', { include: [journey] });
    const url = (await vscode.runCommand('journeys.openTrace')) as string;
    expect((await fetch(url)).status).toBe(200);
  });

  test('a journey without a trace gets a sentence saying what to do', async ({ controller, vscode }) => {
    const journey = controller.find(
      'Production deployer',
      'ships-model.journey.ts',
      'ships a model to production',
    );
    await runProfile(controller, 'Run', { include: [journey] });
    expect(await vscode.runCommand('journeys.openTrace', journey)).toBeUndefined();
    expect(vscode.errors).toEqual([
      '"ships a model to production" has no trace from its last run: run it with the "Run with trace" profile (plain runs keep traces of failures only).',
    ]);
  });
});

test.describe('warm stack', () => {
  test.beforeEach(async ({ workspace }) => {
    // Stand-ins for the suite's stack:up / stack:down with the same contract: stack:up keeps a
    // platform answering and records it in .journeys/stack.json; stack:down stops it.
    await writeFile(
      path.join(workspace, 'stack-up.js'),
      `const http = require('node:http'); const fs = require('node:fs');
const server = http.createServer((request, response) => response.end('ok'));
server.listen(0, '127.0.0.1', () => {
  fs.mkdirSync('.journeys', { recursive: true });
  fs.writeFileSync('.journeys/stack.json', JSON.stringify({ mode: process.env.E2E_STACK, apiUrl: 'http://127.0.0.1:' + server.address().port, pid: process.pid }));
});`,
    );
    await writeFile(
      path.join(workspace, 'stack-down.js'),
      `const fs = require('node:fs');
const { pid } = JSON.parse(fs.readFileSync('.journeys/stack.json', 'utf8'));
process.kill(pid); fs.rmSync('.journeys/stack.json');`,
    );
    const manifest = JSON.parse(await readFile(path.join(workspace, 'package.json'), 'utf8'));
    manifest.type = 'commonjs';
    manifest.scripts = { 'stack:up': 'node stack-up.js', 'stack:down': 'node stack-down.js' };
    await writeFile(path.join(workspace, 'package.json'), JSON.stringify(manifest));
  });

  test('the status bar shows the mode and whether a warm stack runs; the commands start and stop it', async ({
    explorer,
    vscode,
    workspace,
  }) => {
    const [status] = vscode.statusBarItems;
    expect(status?.visible).toBe(true);
    expect(status?.text).toBe('$(server) Stack: embedded · cold');
    // The item's command names its suite, so a click serves this one among several.
    expect(status?.command).toMatchObject({ command: 'journeys.startWarmStack', arguments: [workspace] });

    await vscode.runCommand('journeys.startWarmStack', workspace);
    expect(status?.text).toBe('$(server-process) Stack: embedded · warm');
    expect(status?.command).toMatchObject({ command: 'journeys.stopWarmStack', arguments: [workspace] });
    const apiUrl = explorer.warmStack.status?.apiUrl;
    expect((await fetch(apiUrl as string)).status).toBe(200);

    await vscode.runCommand('journeys.stopWarmStack');
    expect(status?.text).toBe('$(server) Stack: embedded · cold');
    await expect(fetch(apiUrl as string)).rejects.toThrow();
    expect(vscode.errors).toEqual([]);
  });

  test('follows the stack mode setting and ignores a stack file whose process is gone', async ({
    vscode,
    workspace,
  }) => {
    vscode.setConfiguration('journeys.stackMode', 'containers');
    const [status] = vscode.statusBarItems;
    await expect.poll(() => status?.text).toBe('$(server) Stack: containers · cold');
    await mkdir(path.join(workspace, '.journeys'));
    await writeFile(
      path.join(workspace, '.journeys', 'stack.json'),
      JSON.stringify({ mode: 'embedded', apiUrl: 'http://127.0.0.1:9', pid: 2 ** 22 + 7 }),
    );
    await vscode.runCommand('journeys.refresh');
    expect(status?.text).toBe('$(server) Stack: containers · cold');
  });
});

test.describe('Open Allure report', () => {
  test('builds the report with npm run report and opens it served over HTTP', async ({
    vscode,
    workspace,
  }) => {
    await mkdir(path.join(workspace, 'allure-results'));
    await writeFile(
      path.join(workspace, 'make-report.js'),
      `const fs = require('node:fs'); fs.mkdirSync('allure-report', { recursive: true });
fs.writeFileSync('allure-report/index.html', '<title>Allure Report</title>' + fs.readdirSync('allure-results').length);`,
    );
    const manifest = JSON.parse(await readFile(path.join(workspace, 'package.json'), 'utf8'));
    manifest.type = 'commonjs';
    manifest.scripts = { report: 'node make-report.js' };
    await writeFile(path.join(workspace, 'package.json'), JSON.stringify(manifest));

    await vscode.runCommand('journeys.openAllureReport');
    expect(vscode.errors).toEqual([]);
    const [opened] = vscode.openedExternally;
    expect(opened).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/$/);
    expect(await (await fetch(opened as string)).text()).toBe('<title>Allure Report</title>0');
    expect((await fetch(new URL('../../package.json', opened))).status).toBe(404);
  });

  test('serves the report only under its random prefix, and refuses a path that does not decode', async () => {
    const { serveFolder } = await import('../src/report/staticFolderServer.ts');
    const root = test.info().outputPath('report');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<title>Allure Report</title>');
    const served = await serveFolder(root);
    try {
      const origin = new URL(served.url).origin;
      expect((await fetch(`${origin}/index.html`)).status, 'without the prefix').toBe(404);
      expect(served.url).toMatch(/\/[0-9a-f]{32}\/$/);
      const malformed = await fetch(`${served.url}%E0%A4%A`, { signal: AbortSignal.timeout(5000) });
      expect(malformed.status).toBe(400);
    } finally {
      await served.close();
    }
  });

  test('without results it says to run journeys first', async ({ vscode }) => {
    await vscode.runCommand('journeys.openAllureReport');
    expect(vscode.errors).toEqual([
      'There are no Allure results yet: run some journeys first, then open the report.',
    ]);
    expect(vscode.openedExternally).toEqual([]);
  });
});

test.describe('Traces that last', () => {
  test('the trace of a failure still opens after another journey ran', async ({ controller, explorer }) => {
    const broken = controller.find(
      'Security analyst',
      'counts-alerts.journey.ts',
      'counts alerts by severity (deliberately broken)',
    );
    await runProfile(controller, 'Run', { include: [broken] });
    const ships = controller.find(
      'Production deployer',
      'ships-model.journey.ts',
      'ships a model to production',
    );
    await runProfile(controller, 'Run', { include: [ships] });
    const trace = explorer.traces.traceOf(broken);
    expect(trace, 'a trace is kept').toBeDefined();
    expect(existsSync(trace as string), `${trace} exists`).toBe(true);
  });

  test('"Run with trace" keeps a trace of a passing journey', async ({ controller, explorer }) => {
    const ships = controller.find(
      'Production deployer',
      'ships-model.journey.ts',
      'ships a model to production',
    );
    const run = await runProfile(controller, 'Run with trace', { include: [ships] });
    expect(run.stateOf(ships)?.kind).toBe('passed');
    const trace = explorer.traces.traceOf(ships);
    expect(trace && existsSync(trace)).toBe(true);
  });
});

test.describe('Warm stack feedback', () => {
  test('Start says "starting" while it waits, and gives up after its timeout with what to do', async ({
    vscode,
    workspace,
    explorer,
  }) => {
    const { WarmStack } = await import('../src/stack/warmStack.ts');
    const manifest = JSON.parse(await readFile(path.join(workspace, 'package.json'), 'utf8'));
    // A stack:up that never brings a stack up (it gives up on its own after a while).
    manifest.scripts = { 'stack:up': 'node -e "setTimeout(() => {}, 20000)"' };
    await writeFile(path.join(workspace, 'package.json'), JSON.stringify(manifest));
    const stack = new WarmStack(
      vscode,
      explorer.suite,
      { appendLine: () => {}, dispose: () => {} },
      { startTimeoutMs: 1500 },
    );
    const item = vscode.statusBarItems.at(-1);
    const starting = stack.start();
    const outcome = starting.then(
      () => 'started',
      (error: Error) => error.message,
    );
    await expect.poll(() => item?.text).toContain('starting');
    const bounded = await Promise.race([
      outcome,
      new Promise((resolve) => setTimeout(() => resolve('Start was still waiting after 15 s'), 15_000)),
    ]);
    expect(bounded).toBe(
      'The warm stack was not up after 2 s: see .journeys/stack-up.log, then stop it and start again.',
    );
    expect(item?.text).toContain('cold');
  });

  test('Start and Stop say what to do when npm is not on the PATH, instead of hanging', async ({
    vscode,
    explorer,
  }) => {
    const { WarmStack } = await import('../src/stack/warmStack.ts');
    const stack = new WarmStack(
      vscode,
      explorer.suite,
      { appendLine: () => {}, dispose: () => {} },
      { startTimeoutMs: 60_000 },
    );
    const path_ = process.env.PATH;
    process.env.PATH = test.info().outputPath('no-npm-here');
    try {
      for (const action of [() => stack.start(), () => stack.stop()]) {
        const message = await Promise.race([
          action().then(
            () => 'it succeeded',
            (error: Error) => error.message,
          ),
          new Promise((resolve) => setTimeout(() => resolve('it was still waiting after 15 s'), 15_000)),
        ]);
        expect(message).toMatch(
          /^Could not start npm \(spawn npm ENOENT\): install Node\.js with npm, or put npm on the PATH/,
        );
      }
    } finally {
      process.env.PATH = path_;
    }
  });
});
