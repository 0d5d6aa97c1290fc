import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type LaunchOptions } from '@playwright/test';

/**
 * Playwright's trace viewer, served by Playwright's own server (what `npx playwright show-trace
 * --port` runs), opened in the Chromium the suite chose (fixtures/browser.ts) instead of the one
 * `show-trace` insists on: it only looks for Playwright's download or a Chrome/Edge channel, and
 * fails on a machine with only the system's Chromium.
 *
 * The server is reached through playwright-core's bundle, the very copy @playwright/test runs on.
 * It is not a documented API: the check below turns a changed shape into one clear sentence, and
 * tests/unit/trace-open.test.ts serves a real trace through it.
 */

interface ViewerServer {
  urlPrefix(purpose: 'precise' | 'human-readable'): string;
  rootUrl(purpose: 'precise' | 'human-readable'): string;
  installRootRedirect(location: string): void;
  stop(): Promise<void>;
}

interface TraceViewerModule {
  startTraceViewerServer(options: {
    host?: string;
    port?: number;
    allowedFileRoots: () => string[];
  }): Promise<ViewerServer>;
  traceViewerPath(traceUrl: string, options: object): string;
}

function traceViewerModule(): TraceViewerModule {
  // @playwright/test → playwright → playwright-core: follow the runner's own dependencies.
  const fromTest = createRequire(createRequire(import.meta.url).resolve('@playwright/test'));
  const fromPlaywright = createRequire(fromTest.resolve('playwright'));
  const bundle = fromPlaywright('playwright-core/lib/coreBundle') as { server?: Partial<TraceViewerModule> };
  const server = bundle.server;
  if (typeof server?.startTraceViewerServer !== 'function' || typeof server.traceViewerPath !== 'function') {
    throw new Error(
      'This Playwright version no longer exposes its trace viewer server where scripts/trace-viewer.ts looks: use `npx playwright show-trace --port 0 <trace>` and update scripts/trace-viewer.ts.',
    );
  }
  return server as TraceViewerModule;
}

export interface ServedTrace {
  /** The viewer's address to print: its root redirects to the trace. */
  url: string;
  /** The viewer page itself, for a window opened on this machine. */
  pageUrl: string;
  stop(): Promise<void>;
}

/** Serves the viewer with this one trace, on 127.0.0.1 and a free port unless told otherwise. */
export async function serveTrace(
  trace: string,
  { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {},
): Promise<ServedTrace> {
  const viewer = traceViewerModule();
  const file = path.resolve(trace);
  // As show-trace does: the viewer may read the trace's own directory and nothing else.
  const server = await viewer.startTraceViewerServer({
    host,
    port,
    allowedFileRoots: () => [path.dirname(file)],
  });
  const viewerPath = viewer.traceViewerPath(`file?path=${encodeURIComponent(file)}`, {});
  server.installRootRedirect(viewerPath);
  // Listening on every address: name this machine, which other machines can reach.
  const wildcard = host === '0.0.0.0' || host === '::';
  const url = wildcard
    ? `http://${os.hostname()}:${new URL(server.rootUrl('precise')).port}/`
    : `${server.rootUrl('human-readable')}/`;
  return {
    url,
    pageUrl: server.urlPrefix('precise') + viewerPath,
    stop: () => server.stop(),
  };
}

/**
 * Opens the viewer as an app window (no tabs, no address bar), as show-trace does. Closing the
 * window closes the returned context.
 */
export async function openViewerWindow(
  pageUrl: string,
  launch: LaunchOptions,
  { headless = false }: { headless?: boolean } = {},
): Promise<BrowserContext> {
  // An empty user data directory: Playwright makes a temporary one and removes it afterwards.
  const context = await chromium.launchPersistentContext('', {
    ...launch,
    headless,
    viewport: null,
    // Without the "controlled by automated test software" bar.
    ignoreDefaultArgs: ['--enable-automation'],
    args: [...(launch.args ?? []), '--app=data:text/html,', '--window-size=1280,800'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(pageUrl);
  return context;
}

/** Whether a window can open here: Linux and other Unix desktops say so in the environment. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY?.trim() || env.WAYLAND_DISPLAY?.trim());
}
