import { CsvError, parse } from 'csv-parse/sync';

/**
 * Turns an uploaded CSV into a typed table, or refuses it with every problem found, each
 * naming its row (1-based, the header is row 1) and column, so the author can fix the file
 * in one go. Nothing here touches storage: a refused file leaves no trace.
 */
export type ColumnType = 'number' | 'string' | 'boolean' | 'timestamp';
export type Cell = number | boolean | string | null;

export interface DatasetColumn {
  name: string;
  type: ColumnType;
}

export interface ParsedDataset {
  columns: DatasetColumn[];
  labelColumn: string | null;
  rows: Cell[][];
}

export interface CsvProblem {
  row: number | null;
  column: string | null;
  problem: string;
}

export interface CsvLimits {
  maxRows: number;
  maxColumns: number;
}

/** Reported problems are capped so a thoroughly broken file still gets a readable answer. */
const maxProblems = 20;

export class CsvRejectedError extends Error {
  override name = 'CsvRejectedError';
  readonly problems: CsvProblem[];
  constructor(problems: CsvProblem[]) {
    super(problems[0]?.problem ?? 'The file is not a valid dataset.');
    this.problems = problems;
  }
}

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const timestampPattern = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const booleanWords = new Set(['true', 'false']);
const labelWords: Record<string, boolean> = { '1': true, '0': false, true: true, false: false };
export const defaultLabelNames = ['label', 'is_anomaly'];

const isNumber = (value: string) => numberPattern.test(value);
const isTimestamp = (value: string) => timestampPattern.test(value) && Number.isFinite(Date.parse(value));
const isBoolean = (value: string) => booleanWords.has(value.toLowerCase());
const formatCount = (count: number) => count.toLocaleString('en-US');

function reject(problem: string, row: number | null = null, column: string | null = null): never {
  throw new CsvRejectedError([{ row, column, problem }]);
}

interface RawRecord {
  line: number;
  cells: string[];
}

function readRecords(text: string): RawRecord[] {
  try {
    const records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
  } catch (error) {
    if (error instanceof CsvError) {
      const row = (error as CsvError & { lines?: number }).lines ?? null;
      const what =
        error.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted value is never closed'
          : error.code === 'CSV_INVALID_CLOSING_QUOTE'
            ? 'a closing quote is followed by other characters'
            : 'the CSV syntax is broken';
      reject(`Row ${row ?? '?'}: ${what}; check the quotes on that row.`, row);
    }
    throw error;
  }
}

function readHeader(record: RawRecord | undefined, limits: CsvLimits): string[] {
  if (!record) reject('The file is empty: upload a CSV with a header row and at least one data row.');
  const names = record.cells.map((name) => name.trim());
  if (names.length > limits.maxColumns) {
    reject(
      `The file has ${formatCount(names.length)} columns; the limit is ${formatCount(limits.maxColumns)} columns.`,
      1,
    );
  }
  const problems: CsvProblem[] = [];
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === '') {
      problems.push({
        row: 1,
        column: null,
        problem: `Row 1 (header): column ${index + 1} has no name; give it one.`,
      });
    } else if (seen.has(name)) {
      problems.push({
        row: 1,
        column: name,
        problem: `Row 1 (header): column "${name}" appears twice; rename one.`,
      });
    }
    if (name.startsWith('=')) {
      problems.push({
        row: 1,
        column: name,
        problem: `Row 1 (header), column "${name}": a name starting with "=" looks like a spreadsheet formula; rename it.`,
      });
    }
    seen.add(name);
  });
  if (problems.length > 0) throw new CsvRejectedError(problems);
  return names;
}

function inferType(values: string[]): ColumnType {
  const present = values.filter((value) => value !== '');
  if (present.length === 0) return 'string';
  const numbers = present.filter(isNumber).length;
  if (numbers === present.length) return 'number';
  if (present.every(isBoolean)) return 'boolean';
  if (present.every(isTimestamp)) return 'timestamp';
  // Mostly numbers: a numeric column with bad cells, which are reported rather than hidden.
  return numbers * 2 > present.length ? 'number' : 'string';
}

function convert(value: string, type: ColumnType, isLabel: boolean): Cell {
  if (value === '') return null;
  if (isLabel) return labelWords[value.toLowerCase()] ?? null;
  if (type === 'number') return Number(value);
  if (type === 'boolean') return value.toLowerCase() === 'true';
  return value;
}

export function parseDatasetCsv(
  text: string,
  limits: CsvLimits,
  options: { labelColumn?: string | undefined } = {},
): ParsedDataset {
  if (text.trim() === '')
    reject('The file is empty: upload a CSV with a header row and at least one data row.');
  if (text.includes('\u0000')) reject('The file is not text (it contains binary data); upload a CSV file.');

  const [headerRecord, ...dataRecords] = readRecords(text);
  const header = readHeader(headerRecord, limits);
  if (dataRecords.length === 0) reject('The file has a header but no data rows; add at least one row.', 2);
  if (dataRecords.length > limits.maxRows) {
    reject(
      `The file has ${formatCount(dataRecords.length)} data rows; the limit is ${formatCount(limits.maxRows)} rows.`,
    );
  }

  const wantedLabel = options.labelColumn?.trim();
  if (wantedLabel && !header.includes(wantedLabel)) {
    reject(
      `Label column "${wantedLabel}" is not in the header (row 1); pick one of: ${header.join(', ')}.`,
      1,
      wantedLabel,
    );
  }
  const labelColumn =
    wantedLabel || header.find((name) => defaultLabelNames.includes(name.toLowerCase())) || null;

  const problems: CsvProblem[] = [];
  const add = (problem: CsvProblem) => {
    if (problems.length < maxProblems) problems.push(problem);
  };

  const wellFormed: RawRecord[] = [];
  for (const record of dataRecords) {
    if (record.cells.length !== header.length) {
      add({
        row: record.line,
        column: null,
        problem: `Row ${record.line} has ${record.cells.length} values but the header has ${header.length} columns; make every row match the header.`,
      });
      continue;
    }
    record.cells.forEach((cell, index) => {
      if (/^\s*=/.test(cell)) {
        add({
          row: record.line,
          column: header[index] ?? null,
          problem: `Row ${record.line}, column "${header[index]}": "${cell.slice(0, 40)}" looks like a spreadsheet formula; remove the leading "=".`,
        });
      }
    });
    wellFormed.push({ line: record.line, cells: record.cells.map((cell) => cell.trim()) });
  }

  const columns: DatasetColumn[] = header.map((name, index) => {
    const isLabel = name === labelColumn;
    const values = wellFormed.map((record) => record.cells[index] ?? '');
    const type = isLabel ? 'boolean' : inferType(values);
    wellFormed.forEach((record, position) => {
      const value = values[position] ?? '';
      if (isLabel && !(value.toLowerCase() in labelWords)) {
        add({
          row: record.line,
          column: name,
          problem:
            value === ''
              ? `Row ${record.line}, column "${name}": the label is empty; every row needs 1/0 or true/false.`
              : `Row ${record.line}, column "${name}": "${value.slice(0, 40)}" is not a label; use 1/0 or true/false.`,
        });
      } else if (
        !isLabel &&
        type === 'number' &&
        value !== '' &&
        !isNumber(value) &&
        !value.startsWith('=')
      ) {
        add({
          row: record.line,
          column: name,
          problem: `Row ${record.line}, column "${name}": "${value.slice(0, 40)}" is not a number; use a number like 12.5 or leave the cell empty.`,
        });
      }
    });
    return { name, type };
  });

  if (problems.length > 0) {
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    throw new CsvRejectedError(problems);
  }

  const rows = wellFormed.map((record) =>
    record.cells.map((value, index) => {
      const column = columns[index] as DatasetColumn;
      return convert(value, column.type, column.name === labelColumn);
    }),
  );
  return { columns, labelColumn, rows };
}
