import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { resolvePlaywrightCli } from '../run/playwrightCli.ts';

/**
 * The folder of Playwright's trace viewer web app (index.html, sw.bundle.js and assets) from the
 * workspace's own Playwright, the version that wrote its traces.
 */
export function traceViewerAssets(workspaceDir: string): string {
  const folder = path.join(path.dirname(playwrightCorePackage(workspaceDir)), 'lib', 'vite', 'traceViewer');
  if (!existsSync(path.join(folder, 'index.html')) || !existsSync(path.join(folder, 'sw.bundle.js'))) {
    throw new Error(
      `The workspace's Playwright has no trace viewer in ${folder}: update @playwright/test there, then open the trace again.`,
    );
  }
  return folder;
}

/**
 * playwright-core's package.json, reached from the CLI through the packages that depend on it,
 * so an install that does not hoist it (pnpm) resolves it too.
 */
function playwrightCorePackage(workspaceDir: string): string {
  const fromCli = createRequire(resolvePlaywrightCli(workspaceDir));
  try {
    return fromCli.resolve('playwright-core/package.json');
  } catch {
    try {
      return createRequire(fromCli.resolve('playwright/package.json')).resolve(
        'playwright-core/package.json',
      );
    } catch {
      throw new Error(
        `playwright-core is not installed for ${workspaceDir}: run npm install there, then open the trace again.`,
      );
    }
  }
}
