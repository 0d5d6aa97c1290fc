/**
 * `npm run trace`: opens a test's Playwright trace in the Chromium the suite runs its journeys in
 * (fixtures/browser.ts, E2E_CHROMIUM), which `npx playwright show-trace` cannot do with only a
 * system Chromium.
 *
 *   npm run trace -- [trace.zip] [--port <n>] [--host <address>]
 *
 * Without a path it opens the newest trace in test-results/ (the last failed test's). With --port
 * or --host, or on a machine without a display, it serves the viewer and prints its address
 * instead of opening a window (`--host 0.0.0.0 --port 9323` to open it from another machine).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumLaunchOptions, findChromium } from '../fixtures/browser.ts';
import { newestTrace, traceProblem } from './trace-files.ts';
import { hasDisplay, openViewerWindow, serveTrace } from './trace-viewer.ts';

const usage = 'npm run trace -- [path/to/trace.zip] [--port <n>] [--host <address>]';

function fail(sentence: string, code = 1): never {
  console.error(sentence);
  process.exit(code);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { port: { type: 'string', short: 'p' }, host: { type: 'string', short: 'h' } },
    });
  } catch (error) {
    return fail(`${(error as Error).message}: use ${usage}.`, 2);
  }
}

const { values, positionals } = parse();
if (positionals.length > 1) fail(`Give one trace, not ${positionals.length}: ${usage}.`, 2);
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
  fail(`--port ${values.port} is not a port: give a number from 0 (any free port) to 65535.`, 2);
}

// npm runs scripts from the package root; a path the user typed is relative to where they were.
const userDir = process.env.INIT_CWD ?? process.cwd();
let trace: string;
if (positionals[0] !== undefined) {
  trace = path.resolve(userDir, positionals[0]);
  const problem = traceProblem(trace);
  if (problem) fail(problem);
} else {
  const newest = newestTrace(path.resolve('test-results'));
  if (!newest) {
    fail(
      `No failed test has left a trace in ${path.resolve('test-results')}: run the journeys (a failed one keeps its trace), or give a trace: ${usage}.`,
    );
  }
  trace = newest;
}

const served = await serveTrace(trace, { host: values.host, port });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await served.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

function printAddress(why: string) {
  console.log(`Trace viewer for ${path.relative(userDir, trace) || trace}: ${served.url}`);
  console.log(`${why} Ctrl-C stops it.`);
}

if (values.port !== undefined || values.host !== undefined) {
  printAddress('Open that address in a browser.');
} else if (!hasDisplay()) {
  printAddress('No display here (DISPLAY and WAYLAND_DISPLAY are unset): open that address in a browser.');
} else {
  let launch: ReturnType<typeof chromiumLaunchOptions> | undefined;
  let noWindow: string | undefined;
  try {
    // The full browser: a headless shell cannot open a window.
    if (findChromium({ headless: false }).headlessShell) {
      noWindow = 'E2E_CHROMIUM is a headless shell, which opens no window: open that address in a browser.';
    } else launch = chromiumLaunchOptions({ headless: false });
  } catch (error) {
    noWindow = `${(error as Error).message} Meanwhile, open that address in a browser.`;
  }
  if (launch) {
    const window = await openViewerWindow(served.pageUrl, launch);
    console.log(`Trace viewer open for ${path.relative(userDir, trace) || trace}; close its window to end.`);
    // Closing the window ends the viewer, as with show-trace.
    window.on('close', stop);
    for (const page of window.pages()) page.on('close', stop);
  } else printAddress(noWindow ?? '');
}
