import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestItem, VSCode } from '../vscodeApi.ts';

/** The context key listing the test ids whose last run kept a trace (for the item menu). */
export const testsWithTraceContextKey = 'journeys.testsWithTrace';

/** Where kept traces live, relative to the workspace folder (beside the warm stack's file). */
export const keptTracesDir = path.join('.journeys', 'traces');

/**
 * The trace each journey left in its last run, so "Open trace" can find it. Playwright empties
 * its output folder when the next run starts, so the trace is copied out of it the moment the
 * journey ends: the path the store gives stays valid until that journey runs again.
 */
export class TraceStore {
  readonly #vscode: VSCode;
  readonly #dir: string;
  readonly #traces = new Map<string, { item: TestItem; trace: string }>();

  constructor(vscode: VSCode, workspaceDir: string) {
    this.#vscode = vscode;
    this.#dir = path.join(workspaceDir, keptTracesDir);
  }

  /** Keeps a copy of `trace` (a file Playwright will delete) for the item, or forgets its old one. */
  set(item: TestItem, trace: string | undefined): void {
    const kept = path.join(
      this.#dir,
      createHash('sha256').update(item.id).digest('hex').slice(0, 24),
      'trace.zip',
    );
    if (trace && existsSync(trace)) {
      mkdirSync(path.dirname(kept), { recursive: true });
      copyFileSync(trace, kept);
      this.#traces.set(item.id, { item, trace: kept });
    } else {
      rmSync(kept, { force: true });
      if (!this.#traces.delete(item.id)) return;
    }
    void this.#vscode.commands.executeCommand('setContext', testsWithTraceContextKey, [
      ...this.#traces.keys(),
    ]);
  }

  traceOf(item: TestItem): string | undefined {
    for (let current: TestItem | undefined = item; current; current = current.parent) {
      const entry = this.#traces.get(current.id);
      if (entry && existsSync(entry.trace)) return entry.trace;
    }
    return undefined;
  }

  all(): { item: TestItem; trace: string }[] {
    return [...this.#traces.values()].filter((entry) => existsSync(entry.trace));
  }
}
