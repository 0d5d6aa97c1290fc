import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/** The newest trace.zip under a test-results directory (the last failed test's), if any. */
export function newestTrace(resultsDir: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(resultsDir, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return entries
    .filter((entry) => path.basename(entry) === 'trace.zip')
    .map((entry) => path.join(resultsDir, entry))
    .map((file) => ({ file, modified: statSync(file).mtimeMs }))
    .sort((a, b) => b.modified - a.modified)[0]?.file;
}

/**
 * The problem with a trace path a user gave, as one sentence with the fix; undefined when it is
 * a trace (a zip file: Playwright writes each test's trace as one).
 */
export function traceProblem(trace: string): string | undefined {
  const usage = 'give the trace.zip a failed test left (the run ends with its npm run trace line)';
  let isFile: boolean;
  try {
    isFile = statSync(trace).isFile();
  } catch {
    return `There is no file at ${trace}: ${usage}, or run npm run trace alone for the newest one.`;
  }
  if (!isFile) return `${trace} is a directory, not a trace: ${usage}.`;
  const head = Buffer.alloc(4);
  const fd = openSync(trace, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  // Every zip archive starts with the local file header's signature.
  if (!head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    return `${trace} is not a trace (a trace is a .zip archive): ${usage}.`;
  }
  return undefined;
}
