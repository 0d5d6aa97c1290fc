import type { Cell } from '../datasets/csv-dataset.ts';
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

export function toResultRows(input: RunResultsInput): ResultRow[] {
  return input.rows.map((cells, index) => {
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
  });
}

/** `row,<dataset columns…>,score,anomaly`, one line per data row. */
export function resultsToCsv(input: RunResultsInput): string {
  const lines = [csvLine(['row', ...input.columns, 'score', 'anomaly'])];
  for (const result of toResultRows(input)) {
    lines.push(
      csvLine([
        result.row,
        ...input.columns.map((column) => result.values[column] ?? null),
        result.score,
        result.anomaly,
      ]),
    );
  }
  return lines.join('');
}
