import type { Cell, DatasetColumn } from './csv-dataset.ts';

export interface ColumnProfile {
  name: string;
  type: DatasetColumn['type'];
  missing: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  stddev?: number;
}

export interface DatasetProfile {
  rows: number;
  columns: ColumnProfile[];
}

function numericSummary(values: number[]): Pick<ColumnProfile, 'min' | 'max' | 'mean' | 'stddev'> {
  if (values.length === 0) return {};
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  // Sample standard deviation (n - 1), as spreadsheets and pandas report it.
  const stddev = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
  return { min, max, mean, stddev };
}

function timestampSummary(values: string[]): Pick<ColumnProfile, 'min' | 'max'> {
  if (values.length === 0) return {};
  let min = values[0] as string;
  let max = min;
  for (const value of values) {
    if (Date.parse(value) < Date.parse(min)) min = value;
    if (Date.parse(value) > Date.parse(max)) max = value;
  }
  return { min, max };
}

/** Per column: type, missing cells, and for numbers min/max/mean/stddev (timestamps: min/max). */
export function profileDataset(columns: DatasetColumn[], rows: Cell[][]): DatasetProfile {
  return {
    rows: rows.length,
    columns: columns.map((column, index) => {
      const present = rows
        .map((row) => row[index] ?? null)
        .filter((cell): cell is Exclude<Cell, null> => cell !== null);
      const profile: ColumnProfile = {
        name: column.name,
        type: column.type,
        missing: rows.length - present.length,
      };
      if (column.type === 'number') {
        Object.assign(
          profile,
          numericSummary(present.filter((cell): cell is number => typeof cell === 'number')),
        );
      } else if (column.type === 'timestamp') {
        Object.assign(
          profile,
          timestampSummary(present.filter((cell): cell is string => typeof cell === 'string')),
        );
      }
      return profile;
    }),
  };
}
