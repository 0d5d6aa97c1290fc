import type { TraceStore } from '../trace/traceStore.ts';
import type { JourneyTree } from '../tree/journeyTree.ts';
import type { TestItem, TestMessage, TestRun, VSCode } from '../vscodeApi.ts';
import { locationOf, stripAnsi, testMessageFor } from './failureMessage.ts';
import type { ReportedError, ReporterEvent } from './reporterProtocol.ts';

interface Attempt {
  item: TestItem;
  retry: number;
  steps: Map<string, TestItem>;
  /** Per parent item id: how often each step title ran so far, to tell repeated steps apart. */
  occurrences: Map<string, Map<string, number>>;
  ran: Set<string>;
}

/**
 * Turns the reporter's events into what the Testing view shows: each journey and each step
 * started, passed, failed or skipped as it happens, failures at their line, output per journey.
 */
export class RunRecorder {
  readonly #vscode: VSCode;
  readonly #tree: JourneyTree;
  readonly #run: TestRun;
  readonly #traces: TraceStore;
  readonly #attempts = new Map<string, Attempt>();
  /** Ids, not items: an edit saved during the run replaces nothing, but VS Code keys results by id too. */
  readonly #finished = new Set<string>();
  readonly #globalErrors: ReportedError[] = [];

  constructor(vscode: VSCode, tree: JourneyTree, run: TestRun, traces: TraceStore) {
    this.#vscode = vscode;
    this.#tree = tree;
    this.#run = run;
    this.#traces = traces;
  }

  /** Whether any journey began: a run that ends without one never got going. */
  get reportedAny(): boolean {
    return this.#attempts.size > 0;
  }

  /** Errors outside any test: a file that does not load, a failing global setup. */
  get globalErrors(): readonly ReportedError[] {
    return this.#globalErrors;
  }

  handle(event: ReporterEvent): void {
    switch (event.type) {
      case 'testBegin': {
        const item = this.#tree.journeyFor(
          event.location.file,
          event.titlePath,
          event.location.line,
          event.location.column,
        );
        this.#attempts.set(event.testId, {
          item,
          retry: event.retry,
          steps: new Map(),
          occurrences: new Map(),
          ran: new Set(),
        });
        if (event.retry > 0) this.#output(item, `\nRetry #${event.retry}\n`);
        this.#run.started(item);
        return;
      }
      case 'stepBegin': {
        const attempt = this.#attempts.get(event.testId);
        if (!attempt) return;
        const parent = (event.parentStepId && attempt.steps.get(event.parentStepId)) || attempt.item;
        const counts = attempt.occurrences.get(parent.id) ?? new Map<string, number>();
        attempt.occurrences.set(parent.id, counts);
        const key = event.title.toLowerCase();
        const occurrence = counts.get(key) ?? 0;
        counts.set(key, occurrence + 1);
        const step = this.#tree.stepFor(parent, event.title, occurrence, event.location?.line);
        attempt.steps.set(event.stepId, step);
        attempt.ran.add(step.id);
        this.#run.started(step);
        return;
      }
      case 'stepEnd': {
        const step = this.#attempts.get(event.testId)?.steps.get(event.stepId);
        if (!step) return;
        if (event.error) this.#run.failed(step, this.#message(event.error, false), event.duration);
        else this.#run.passed(step, event.duration);
        return;
      }
      case 'testEnd': {
        const attempt = this.#attempts.get(event.testId);
        if (!attempt) return;
        const { item } = attempt;
        const trace = event.attachments.find((attachment) => attachment.name === 'trace')?.path;
        if (event.willRetry) {
          const summary = event.errors.map((error) => stripAnsi(error.message)).join('\n');
          this.#output(item, `\nAttempt ${event.retry + 1} failed; Playwright retries it.\n${summary}\n`);
          return;
        }
        this.#skipStepsThatDidNotRun(item, attempt.ran);
        this.#finished.add(item.id);
        this.#traces.set(item, trace);
        item.description = withoutFlakyNote(item.description);
        if (event.outcome === 'skipped') this.#run.skipped(item);
        else if (event.outcome === 'unexpected') {
          const messages = event.errors.map((error) => this.#message(error, trace !== undefined));
          this.#run.failed(
            item,
            messages.length > 0 ? messages : [this.#statusMessage(event.status)],
            event.duration,
          );
        } else {
          if (event.outcome === 'flaky') {
            item.description = [item.description, 'flaky'].filter(Boolean).join(' · ');
            this.#output(item, `\nFlaky: passed on retry #${event.retry} after failing.\n`);
          }
          this.#run.passed(item, event.duration);
        }
        return;
      }
      case 'output': {
        const item = event.testId ? this.#attempts.get(event.testId)?.item : undefined;
        if (item) this.#output(item, event.text);
        else this.#run.appendOutput(crlf(event.text));
        return;
      }
      case 'error':
        this.#globalErrors.push(event.error);
        this.#run.appendOutput(crlf(`${stripAnsi(event.error.stack ?? event.error.message)}\n`));
        return;
      default:
        return;
    }
  }

  /**
   * Settles the journeys the run was asked for but never reported: errored with the run's
   * global errors or `problem` when there are any (they never got to run), skipped otherwise.
   */
  finish(expected: readonly TestItem[], problem?: string): void {
    const reasons: TestMessage[] = this.#globalErrors.map((error) => this.#message(error, false));
    if (problem) reasons.push(new this.#vscode.TestMessage(problem));
    for (const item of expected) {
      if (this.#finished.has(item.id)) continue;
      if (reasons.length > 0) this.#run.errored(item, reasons);
      else this.#run.skipped(item);
    }
  }

  /**
   * Steps found statically that did not run are skipped (the journey failed before them, or took
   * another path); a computed-title placeholder gives way to the real steps the run showed.
   */
  #skipStepsThatDidNotRun(parent: TestItem, ran: Set<string>): void {
    const children: TestItem[] = [];
    parent.children.forEach((step) => {
      children.push(step);
    });
    for (const step of children) {
      if (ran.has(step.id)) {
        this.#skipStepsThatDidNotRun(step, ran);
        continue;
      }
      const node = this.#tree.node(step);
      if (node?.kind === 'step' && node.computed) this.#tree.removeStep(step);
      else {
        this.#run.skipped(step);
        this.#skipStepsThatDidNotRun(step, ran);
      }
    }
  }

  #message(error: ReportedError, hasTrace: boolean): TestMessage {
    return testMessageFor(this.#vscode, error, { hasTrace });
  }

  #statusMessage(status: string): TestMessage {
    const text = status === 'timedOut' ? 'The journey timed out.' : `The journey ended ${status}.`;
    return new this.#vscode.TestMessage(text);
  }

  #output(item: TestItem, text: string): void {
    const location =
      item.uri && item.range
        ? locationOf(this.#vscode, { file: item.uri.fsPath, line: item.range.start.line + 1, column: 1 })
        : undefined;
    this.#run.appendOutput(crlf(text), location, item);
  }
}

/** VS Code's test output is a terminal: lines end in CRLF. */
function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

function withoutFlakyNote(description: string | undefined): string | undefined {
  const kept = description
    ?.split(' · ')
    .filter((part) => part !== 'flaky')
    .join(' · ');
  return kept ? kept : undefined;
}
