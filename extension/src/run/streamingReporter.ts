import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type {
  FullResult,
  Reporter,
  Suite,
  TestCase,
  TestError,
  TestResult,
  TestStep,
} from '@playwright/test/reporter';
import {
  keepBrowserVariable,
  type ReportedError,
  type ReporterEvent,
  reporterAddressVariable,
  type SourceLocation,
  type TestIdentity,
} from './reporterProtocol.ts';

/**
 * A Playwright reporter that streams every test and step as it begins and ends to the editor
 * that started the run. It is bundled on its own (`dist/reporter.cjs`) and passed with
 * `--reporter`, beside whatever reporters the workspace's config already has.
 */
export default class StreamingReporter implements Reporter {
  readonly #socket: Socket;
  readonly #stepIds = new WeakMap<TestStep, string>();
  #nextStepId = 1;
  /** Journeys not yet ended for good (a failed attempt Playwright retries has not ended). */
  #journeysToEnd = 0;

  constructor() {
    const address = process.env[reporterAddressVariable];
    const match = address?.match(/^(.+):(\d+)$/);
    if (!match?.[1] || !match[2]) {
      throw new Error(
        `The Journey Explorer reporter streams to the editor that started the run, but ${reporterAddressVariable} is not set: run the journeys from the Testing view, or drop this --reporter.`,
      );
    }
    this.#socket = connect({ host: match[1], port: Number(match[2]) });
    // A run must not hang or crash because the editor went away; the events are simply lost.
    this.#socket.on('error', () => {});
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: unknown, suite: Suite): void {
    this.#journeysToEnd = suite.allTests().length;
    this.#send({ type: 'begin', totalTests: this.#journeysToEnd });
  }

  onTestBegin(test: TestCase, result: TestResult): void {
    this.#send({ type: 'testBegin', retry: result.retry, ...identity(test) });
  }

  onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    if (step.category !== 'test.step') return;
    const stepId = `s${this.#nextStepId++}`;
    this.#stepIds.set(step, stepId);
    const parent = nearestUserStep(step.parent);
    this.#send({
      type: 'stepBegin',
      testId: test.id,
      retry: result.retry,
      stepId,
      parentStepId: parent ? this.#stepIds.get(parent) : undefined,
      title: step.title,
      location: step.location,
    });
  }

  onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    const stepId = this.#stepIds.get(step);
    if (!stepId) return;
    this.#send({
      type: 'stepEnd',
      testId: test.id,
      retry: result.retry,
      stepId,
      duration: step.duration,
      error: step.error ? reportedError(step.error) : undefined,
    });
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const outcome = test.outcome();
    const willRetry = outcome === 'unexpected' && result.retry < test.retries;
    this.#send({
      type: 'testEnd',
      ...identity(test),
      retry: result.retry,
      status: result.status,
      outcome,
      willRetry,
      duration: result.duration,
      errors: result.errors.map(reportedError),
      attachments: result.attachments.map(({ name, contentType, path }) => ({ name, contentType, path })),
    });
    if (!willRetry) this.#journeyEnded();
  }

  /** After the last journey, asks the workers to keep their browser open (Show browser). */
  #journeyEnded(): void {
    this.#journeysToEnd--;
    const holdFile = process.env[keepBrowserVariable];
    if (this.#journeysToEnd !== 0 || !holdFile) return;
    writeFileSync(holdFile, 'the browser stays open while this file exists\n');
    this.#send({ type: 'browserKept' });
  }

  onStdOut(chunk: string | Buffer, test?: TestCase): void {
    this.#send({ type: 'output', stream: 'stdout', text: chunk.toString(), testId: test?.id });
  }

  onStdErr(chunk: string | Buffer, test?: TestCase): void {
    this.#send({ type: 'output', stream: 'stderr', text: chunk.toString(), testId: test?.id });
  }

  onError(error: TestError): void {
    this.#send({ type: 'error', error: reportedError(error) });
  }

  async onEnd(result: FullResult): Promise<void> {
    this.#send({ type: 'end', status: result.status });
    await new Promise<void>((resolve) => {
      if (this.#socket.destroyed) resolve();
      else this.#socket.end(resolve);
    });
  }

  #send(event: ReporterEvent): void {
    if (!this.#socket.destroyed) this.#socket.write(`${JSON.stringify(event)}\n`);
  }
}

function identity(test: TestCase): TestIdentity {
  const titlePath: string[] = [test.title];
  for (let suite = test.parent; suite.type === 'describe'; suite = suite.parent as Suite) {
    if (suite.title) titlePath.unshift(suite.title);
  }
  return { testId: test.id, location: test.location, titlePath };
}

function nearestUserStep(step: TestStep | undefined): TestStep | undefined {
  let current = step;
  while (current && current.category !== 'test.step') current = current.parent;
  return current;
}

function reportedError(error: TestError): ReportedError {
  const location: SourceLocation | undefined = error.location;
  return {
    message: error.message ?? error.value ?? 'Unknown error',
    stack: error.stack,
    location,
    snippet: error.snippet,
  };
}
