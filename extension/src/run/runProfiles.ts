import { personaLabel } from '../personas.ts';
import type { JourneyTree } from '../tree/journeyTree.ts';
import type { CancellationToken, Event, TestController, TestRunRequest, Uri, VSCode } from '../vscodeApi.ts';
import { runContinuously } from './continuousRuns.ts';
import type { JourneyRunner, RunMode } from './journeyRunner.ts';

/**
 * The ways to run journeys from the Testing view: Run (default, also continuous), Debug, Run with
 * trace, Run headed (Show browser for one run), the `@smoke` journeys, and one profile per persona. Tagged profiles only apply to items carrying
 * their tag and run only the journeys that carry it.
 */
export class RunProfiles {
  readonly #vscode: VSCode;
  readonly #controller: TestController;
  readonly #tree: JourneyTree;
  readonly #runner: JourneyRunner;
  readonly #onSourceChanged: Event<Uri>;
  readonly #personas = new Set<string>();

  constructor(
    vscode: VSCode,
    controller: TestController,
    tree: JourneyTree,
    runner: JourneyRunner,
    onSourceChanged: Event<Uri>,
  ) {
    this.#vscode = vscode;
    this.#controller = controller;
    this.#tree = tree;
    this.#runner = runner;
    this.#onSourceChanged = onSourceChanged;
    const { Run, Debug } = vscode.TestRunProfileKind;
    controller.createRunProfile(
      'Run',
      Run,
      (request, token) => this.#handle(request, token, 'run'),
      true,
      undefined,
      true,
    );
    controller.createRunProfile(
      'Debug',
      Debug,
      (request, token) => this.#handle(request, token, 'debug'),
      true,
    );
    // Traces are kept for failures; this one records every journey's, so a passing one has one too.
    controller.createRunProfile(
      'Run with trace',
      Run,
      (request, token) => this.#handle(request, token, 'run', undefined, true),
      false,
    );
    // Show browser for one run: headed in the full Chromium, the last journey's browser kept open.
    controller.createRunProfile(
      'Run headed',
      Run,
      (request, token) => this.#handle(request, token, 'run', undefined, false, true),
      false,
      undefined,
      true,
    );
    this.#tagged('Run @smoke journeys', 'smoke');
  }

  /** Adds a profile for each persona folder not seen before. */
  addPersonas(folders: Iterable<string>): void {
    for (const folder of folders) {
      if (!folder || this.#personas.has(folder)) continue;
      this.#personas.add(folder);
      this.#tagged(`Run ${personaLabel(folder).toLowerCase()} journeys`, folder);
    }
  }

  #tagged(label: string, tag: string): void {
    this.#controller.createRunProfile(
      label,
      this.#vscode.TestRunProfileKind.Run,
      (request, token) => this.#handle(request, token, 'run', tag),
      false,
      new this.#vscode.TestTag(tag),
      true,
    );
  }

  #handle(
    request: TestRunRequest,
    token: CancellationToken,
    mode: RunMode,
    tag?: string,
    trace = false,
    headed = false,
  ): Promise<void> {
    if (request.continuous) {
      return runContinuously(this.#tree, request, token, this.#onSourceChanged, (include) =>
        this.#runner.run(request, token, mode, { tag, include, trace, headed }),
      );
    }
    return this.#runner.run(request, token, mode, { tag, trace, headed });
  }
}
