import { stripVTControlCharacters } from 'node:util';
import type { Location, TestMessage, TestMessageStackFrame, VSCode } from '../vscodeApi.ts';
import type { ReportedError, SourceLocation } from './reporterProtocol.ts';

/** The context value that makes VS Code offer "Open trace" on a failure message. */
export const traceMessageContext = 'journeys.trace';

/** Drops the colours of Playwright's terminal output: a TestMessage is plain text. */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

export interface ExpectedActual {
  expected: string;
  actual: string;
}

/**
 * Expected and actual values from a matcher's message, when it printed them: the
 * `Expected: … / Received: …` lines of most matchers, or the `- Expected / + Received` diff of
 * deep-equality matchers (each side rebuilt from the diff's common and own lines).
 */
export function expectedAndActual(message: string): ExpectedActual | undefined {
  const lines = stripAnsi(message).split('\n');
  const diffStart = lines.findIndex(
    (line, index) => /^- Expected\b/.test(line) && /^\+ Received\b/.test(lines[index + 1] ?? ''),
  );
  if (diffStart >= 0) {
    const expected: string[] = [];
    const actual: string[] = [];
    for (const line of lines.slice(diffStart + 2)) {
      if (line === '' && expected.length === 0 && actual.length === 0) continue;
      if (line.startsWith('- ')) expected.push(line.slice(2));
      else if (line.startsWith('+ ')) actual.push(line.slice(2));
      else if (line.startsWith('  ')) {
        expected.push(line.slice(2));
        actual.push(line.slice(2));
      } else if (line.trim() === '') {
        expected.push('');
        actual.push('');
      } else break;
    }
    return { expected: trimEnd(expected).join('\n'), actual: trimEnd(actual).join('\n') };
  }
  const expected = lines.find((line) => /^Expected(?: [a-z]+)?:/.test(line));
  const actual = lines.find((line) => /^Received(?: [a-z]+)?:/.test(line));
  if (expected === undefined || actual === undefined) return undefined;
  return { expected: valueAfterColon(expected), actual: valueAfterColon(actual) };
}

function valueAfterColon(line: string): string {
  return line.slice(line.indexOf(':') + 1).trim();
}

function trimEnd(lines: string[]): string[] {
  const copy = [...lines];
  while (copy.at(-1) === '') copy.pop();
  return copy;
}

/** A failure as VS Code shows it: at the failing line, with the stack and a diff when there is one. */
export function testMessageFor(
  vscode: VSCode,
  error: ReportedError,
  options: { hasTrace: boolean },
): TestMessage {
  const text = stripAnsi(error.message);
  const values = expectedAndActual(error.message);
  const message = values
    ? vscode.TestMessage.diff(text, values.expected, values.actual)
    : new vscode.TestMessage(text);
  const stackTrace = error.stack ? stackFrames(vscode, error.stack) : [];
  if (stackTrace.length > 0) message.stackTrace = stackTrace;
  const location = error.location
    ? locationOf(vscode, error.location)
    : firstFrameLocation(vscode, stackTrace);
  if (location) message.location = location;
  if (options.hasTrace) message.contextValue = traceMessageContext;
  return message;
}

export function locationOf(vscode: VSCode, location: SourceLocation): Location {
  const line = Math.max(0, location.line - 1);
  const column = Math.max(0, location.column - 1);
  return new vscode.Location(vscode.Uri.file(location.file), new vscode.Position(line, column));
}

const framePattern = /^\s*at (?:(.+?) \()?(\/[^()]+?|[A-Za-z]:\\[^()]+?):(\d+):(\d+)\)?$/;

export function stackFrames(vscode: VSCode, stack: string): TestMessageStackFrame[] {
  const frames: TestMessageStackFrame[] = [];
  for (const line of stripAnsi(stack).split('\n')) {
    const match = line.match(framePattern);
    if (!match?.[2]) continue;
    const [, label, file, lineNumber, column] = match;
    frames.push(
      new vscode.TestMessageStackFrame(
        label ?? file.split(/[\\/]/).at(-1) ?? file,
        vscode.Uri.file(file),
        new vscode.Position(Number(lineNumber) - 1, Number(column) - 1),
      ),
    );
  }
  return frames;
}

function firstFrameLocation(vscode: VSCode, frames: TestMessageStackFrame[]): Location | undefined {
  const frame = frames.find((candidate) => candidate.uri && !candidate.uri.fsPath.includes('node_modules'));
  if (!frame?.uri || !frame.position) return undefined;
  return new vscode.Location(frame.uri, new vscode.Position(frame.position.line, frame.position.character));
}
