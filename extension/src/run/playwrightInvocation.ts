import path from 'node:path';
import type { JourneySettings } from '../settings.ts';
import { runEnvironment } from '../settings.ts';
import { resolveFromWorkspace, resolvePlaywrightCli } from './playwrightCli.ts';
import { keepBrowserVariable, reporterAddressVariable } from './reporterProtocol.ts';

/** A Playwright command line: what a run spawns and what a debug session launches. */
export interface PlaywrightInvocation {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface InvocationInput {
  /** Where Playwright runs: the config's folder. */
  workspaceDir: string;
  configFile: string;
  settings: JourneySettings;
  /** The `--test-list` file naming the journeys to run (testList.ts). */
  testListFile: string;
  /** Record a trace of every journey (`--trace=on`), not only of failures. */
  trace: boolean;
  reporterFile: string;
  reporterAddress: string;
  debug: boolean;
  /** Whether a display exists, so a debugged journey can show its browser. */
  hasDisplay: boolean;
  /** Show browser: the journeys run headed, in the full Chromium. */
  headed?: boolean;
  /** The hold file that keeps the last journey's browser open after the run (keptBrowser.ts). */
  keepBrowserFile?: string;
}

export function playwrightInvocation(input: InvocationInput): PlaywrightInvocation {
  const { settings } = input;
  // `--reporter` replaces the config's reporters: keep a readable log beside the stream, and
  // Allure results when the workspace uses allure-playwright, so the report covers editor runs.
  const reporters = [input.reporterFile, 'list'];
  if (resolveFromWorkspace(input.workspaceDir, 'allure-playwright')) reporters.push('allure-playwright');
  const args = [
    'test',
    '--config',
    path.relative(input.workspaceDir, input.configFile),
    '--test-list',
    input.testListFile,
    `--reporter=${reporters.join(',')}`,
    // A journey's own output reaches the run through the streaming reporter, attached to that
    // journey; without --quiet the list reporter printed it a second time.
    '--quiet',
  ];
  if (settings.project !== undefined) args.push(`--project=${settings.project}`);
  if (input.trace) args.push('--trace=on');
  if (input.debug) {
    // One worker and no timeout so a paused breakpoint is not killed; no retries so it stops once.
    args.push('--workers=1', '--timeout=0', '--retries=0');
    if (input.hasDisplay) args.push('--headed');
  } else if (input.keepBrowserFile !== undefined) {
    // One worker, so one browser window is the last journey's (playwright-vscode does the same).
    args.push('--headed', '--workers=1');
  } else {
    if (input.headed) args.push('--headed');
    if (settings.workers !== undefined) args.push(`--workers=${settings.workers}`);
  }
  return {
    program: resolvePlaywrightCli(input.workspaceDir),
    args,
    cwd: input.workspaceDir,
    env: {
      ...runEnvironment(settings),
      [reporterAddressVariable]: input.reporterAddress,
      FORCE_COLOR: '1',
      ...(input.keepBrowserFile !== undefined ? { [keepBrowserVariable]: input.keepBrowserFile } : {}),
    },
  };
}
