import type { TestItem, VSCode } from '../vscodeApi.ts';

/** The context key listing the test ids whose last failure kept a trace (for the item menu). */
export const testsWithTraceContextKey = 'journeys.testsWithTrace';

/** The trace each failed journey left in its last run, so "Open trace" can find it. */
export class TraceStore {
  readonly #vscode: VSCode;
  readonly #traces = new Map<string, { item: TestItem; trace: string }>();

  constructor(vscode: VSCode) {
    this.#vscode = vscode;
  }

  set(item: TestItem, trace: string | undefined): void {
    if (trace) this.#traces.set(item.id, { item, trace });
    else if (!this.#traces.delete(item.id)) return;
    void this.#vscode.commands.executeCommand('setContext', testsWithTraceContextKey, [
      ...this.#traces.keys(),
    ]);
  }

  traceOf(item: TestItem): string | undefined {
    for (let current: TestItem | undefined = item; current; current = current.parent) {
      const entry = this.#traces.get(current.id);
      if (entry) return entry.trace;
    }
    return undefined;
  }

  all(): { item: TestItem; trace: string }[] {
    return [...this.#traces.values()];
  }
}
