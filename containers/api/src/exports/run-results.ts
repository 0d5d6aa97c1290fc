import type { Cell } from '../datasets/csv-dataset.ts';
import { yieldToEventLoop } from '../event-loop-yield.ts';
import { csvLine } from './csv-cells.ts';

export interface ResultRow {
  /** 1-based over data rows. */
  row: number;
  values: Record<string, Cell>;
  score: number | null;
  anomaly: boolean;
}

export interface RunResultsInput {
  columns: string[];
  rows: Cell[][];
  scores: number[];
  flags: boolean[];
}

/** Rows written between two yields to the event loop while streaming an export. */
const rowsPerBatch = 2_000;

function resultRow(input: RunResultsInput, index: number): ResultRow {
  const cells = input.rows[index] ?? [];
  const values: Record<string, Cell> = {};
  input.columns.forEach((column, position) => {
    values[column] = cells[position] ?? null;
  });
  const score = input.scores[index];
  return {
    row: index + 1,
    values,
    score: typeof score === 'number' && Number.isFinite(score) ? score : null,
    anomaly: input.flags[index] === true,
  };
}

const csvHeader = (input: RunResultsInput) => csvLine(['row', ...input.columns, 'score', 'anomaly']);

function csvRow(input: RunResultsInput, index: number): string {
  const result = resultRow(input, index);
  return csvLine([
    result.row,
    ...input.columns.map((column) => result.values[column] ?? null),
    result.score,
    result.anomaly,
  ]);
}

export function toResultRows(input: RunResultsInput): ResultRow[] {
  return input.rows.map((_cells, index) => resultRow(input, index));
}

/** `row,<dataset columns…>,score,anomaly`, one line per data row. */
export function resultsToCsv(input: RunResultsInput): string {
  return csvHeader(input) + input.rows.map((_cells, index) => csvRow(input, index)).join('');
}

/** The same CSV in pieces, yielding to the event loop between batches (large exports stream). */
export async function* streamResultsCsv(input: RunResultsInput): AsyncGenerator<string> {
  yield csvHeader(input);
  for (let start = 0; start < input.rows.length; start += rowsPerBatch) {
    let batch = '';
    const end = Math.min(start + rowsPerBatch, input.rows.length);
    for (let index = start; index < end; index++) batch += csvRow(input, index);
    yield batch;
    await yieldToEventLoop();
  }
}

/** `{ runId, rows: [...] }` in pieces, exactly as JSON.stringify would write it. */
export async function* streamResultsJson(runId: string, input: RunResultsInput): AsyncGenerator<string> {
  yield `{"runId":${JSON.stringify(runId)},"rows":[`;
  for (let start = 0; start < input.rows.length; start += rowsPerBatch) {
    const parts: string[] = [];
    const end = Math.min(start + rowsPerBatch, input.rows.length);
    for (let index = start; index < end; index++) parts.push(JSON.stringify(resultRow(input, index)));
    yield (start === 0 ? '' : ',') + parts.join(',');
    await yieldToEventLoop();
  }
  yield ']}';
}
