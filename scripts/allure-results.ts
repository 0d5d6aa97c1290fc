import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_ID_LABEL } from '../fixtures/reporting/run-results.ts';

/**
 * Reads what allure-playwright writes into a results directory (`*-result.json`), for the scripts
 * that judge a run after it ended: the quality gate and the report's environment.
 */

export interface AllureLabel {
  name: string;
  value: string;
}

export interface AllureAttachment {
  name: string;
  type?: string;
  /** The attachment's file name inside the results directory. */
  source: string;
}

interface AllureStep {
  attachments?: AllureAttachment[];
  steps?: AllureStep[];
}

export interface AllureResult extends AllureStep {
  uuid: string;
  name: string;
  fullName?: string;
  historyId?: string;
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  labels?: AllureLabel[];
  parameters?: Array<{ name: string; value: string; excluded?: boolean }>;
  start?: number;
  stop?: number;
}

/** Every test result in the directory; an absent directory holds none. */
export function readAllureResults(dir: string): AllureResult[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => name.endsWith('-result.json'))
    .map((name) => {
      const file = path.join(dir, name);
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as AllureResult;
      } catch (error) {
        throw new Error(
          `${file} is not valid JSON (${(error as Error).message}): delete it, or run the tests again to rewrite it.`,
        );
      }
    });
}

/** Playwright tags as Allure records them (allure-playwright drops the leading `@`). */
export function tagsOf(result: AllureResult): string[] {
  return (result.labels ?? [])
    .filter((label) => label.name === 'tag')
    .map((label) => label.value.replace(/^@/, ''));
}

export function hasTag(result: AllureResult, tag: string): boolean {
  return tagsOf(result).includes(tag.replace(/^@/, ''));
}

export function parameterOf(result: AllureResult, name: string): string | undefined {
  return result.parameters?.find((parameter) => parameter.name === name)?.value;
}

/** Attachments of the result and of all its steps (allure-playwright files most of them under steps). */
export function attachmentsOf(result: AllureStep): AllureAttachment[] {
  return [...(result.attachments ?? []), ...(result.steps ?? []).flatMap((step) => attachmentsOf(step))];
}

/**
 * One result per test: a retried or repeated test leaves several, and its last attempt is the one
 * that stands. Tests are told apart by Allure's history id (name plus parameters such as the
 * stack mode), so the same journey on two stacks stays two tests.
 */
export function lastAttempts(results: readonly AllureResult[]): AllureResult[] {
  const byTest = new Map<string, AllureResult>();
  for (const result of results) {
    const key = result.historyId ?? result.fullName ?? result.uuid;
    const kept = byTest.get(key);
    if (!kept || (result.stop ?? 0) >= (kept.stop ?? 0)) byTest.set(key, result);
  }
  return [...byTest.values()];
}


/**
 * The runs whose results the directory holds, in the order they first appear by time: results of
 * one run share a run id; results without one (written before the suite labelled them) count as one
 * run of their own.
 */
export function runsIn(results: readonly AllureResult[]): Array<{ runId?: string; results: number }> {
  const byRun = new Map<string | undefined, { runId?: string; results: number; first: number }>();
  for (const result of results) {
    const runId = result.labels?.find((label) => label.name === RUN_ID_LABEL)?.value;
    const run = byRun.get(runId) ?? { runId, results: 0, first: Number.POSITIVE_INFINITY };
    run.results += 1;
    run.first = Math.min(run.first, result.start ?? result.stop ?? Number.POSITIVE_INFINITY);
    byRun.set(runId, run);
  }
  return [...byRun.values()]
    .sort((a, b) => a.first - b.first)
    .map(({ runId, results: count }) => ({ runId, results: count }));
}
