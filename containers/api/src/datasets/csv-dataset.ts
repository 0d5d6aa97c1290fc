import { once } from 'node:events';
import { CsvError, parse } from 'csv-parse';
import { yieldToEventLoop } from '../event-loop-yield.ts';

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

/** Records are processed in batches; between batches the event loop serves other requests. */
const recordsPerBatch = 2_000;
const textSliceLength = 64 * 1024;

function describeSyntaxError(error: CsvError): never {
  const row = (error as CsvError & { lines?: number }).lines ?? null;
  const what =
    error.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted value is never closed'
      : error.code === 'CSV_INVALID_CLOSING_QUOTE'
        ? 'a closing quote is followed by other characters'
        : 'the CSV syntax is broken';
  reject(`Row ${row ?? '?'}: ${what}; check the quotes on that row.`, row);
}

/** Streams the records out of the text, feeding the parser slice by slice. */
async function* readRecords(text: string): AsyncGenerator<RawRecord> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  const feeding = (async () => {
    for (let offset = 0; offset < text.length; offset += textSliceLength) {
      if (parser.destroyed) return;
      if (!parser.write(text.slice(offset, offset + textSliceLength))) await once(parser, 'drain');
    }
    parser.end();
  })().catch(() => {
    // A parse error ends the stream; the loop below reports it.
  });
  let count = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (++count % recordsPerBatch === 0) await yieldToEventLoop();
      yield { line: item.info.lines, cells: item.record };
    }
  } catch (error) {
    if (error instanceof CsvError) describeSyntaxError(error);
    throw error;
  } finally {
    parser.destroy();
    await feeding;
  }
}

function readHeader(record: RawRecord, limits: CsvLimits): string[] {
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

/** What the cells of one column looked like, to decide its type without a second look. */
interface ColumnTally {
  present: number;
  numbers: number;
  booleans: number;
  timestamps: number;
}

function typeFromTally(tally: ColumnTally): ColumnType {
  if (tally.present === 0) return 'string';
  if (tally.numbers === tally.present) return 'number';
  if (tally.booleans === tally.present) return 'boolean';
  if (tally.timestamps === tally.present) return 'timestamp';
  // Mostly numbers: a numeric column with bad cells, which are reported rather than hidden.
  return tally.numbers * 2 > tally.present ? 'number' : 'string';
}

function convert(value: string, type: ColumnType, isLabel: boolean): Cell {
  if (value === '') return null;
  if (isLabel) return labelWords[value.toLowerCase()] ?? null;
  if (type === 'number') return Number(value);
  if (type === 'boolean') return value.toLowerCase() === 'true';
  return value;
}

export async function parseDatasetCsv(
  text: string,
  limits: CsvLimits,
  options: { labelColumn?: string | undefined } = {},
): Promise<ParsedDataset> {
  if (text.trim() === '')
    reject('The file is empty: upload a CSV with a header row and at least one data row.');
  if (text.includes('\u0000')) reject('The file is not text (it contains binary data); upload a CSV file.');

  const problems: CsvProblem[] = [];
  const add = (problem: CsvProblem) => {
    if (problems.length < maxProblems) problems.push(problem);
  };
  let header: string[] | null = null;
  let labelColumn: string | null = null;
  let tallies: ColumnTally[] = [];
  let dataRows = 0;
  const wellFormed: RawRecord[] = [];

  for await (const record of readRecords(text)) {
    if (!header) {
      header = readHeader(record, limits);
      const wantedLabel = options.labelColumn?.trim();
      if (wantedLabel && !header.includes(wantedLabel)) {
        reject(
          `Label column "${wantedLabel}" is not in the header (row 1); pick one of: ${header.join(', ')}.`,
          1,
          wantedLabel,
        );
      }
      labelColumn =
        wantedLabel || header.find((name) => defaultLabelNames.includes(name.toLowerCase())) || null;
      tallies = header.map(() => ({ present: 0, numbers: 0, booleans: 0, timestamps: 0 }));
      continue;
    }
    dataRows += 1;
    // Past the limit, rows are only counted, so the refusal can say how many there were.
    if (dataRows > limits.maxRows) continue;
    if (record.cells.length !== header.length) {
      add({
        row: record.line,
        column: null,
        problem: `Row ${record.line} has ${record.cells.length} values but the header has ${header.length} columns; make every row match the header.`,
      });
      continue;
    }
    const cells = record.cells.map((cell, index) => {
      if (/^\s*=/.test(cell)) {
        add({
          row: record.line,
          column: header?.[index] ?? null,
          problem: `Row ${record.line}, column "${header?.[index]}": "${cell.slice(0, 40)}" looks like a spreadsheet formula; remove the leading "=".`,
        });
      }
      const value = cell.trim();
      if (value !== '') {
        const tally = tallies[index] as ColumnTally;
        tally.present += 1;
        if (isNumber(value)) tally.numbers += 1;
        else if (isBoolean(value)) tally.booleans += 1;
        else if (isTimestamp(value)) tally.timestamps += 1;
      }
      return value;
    });
    wellFormed.push({ line: record.line, cells });
  }

  if (!header) reject('The file is empty: upload a CSV with a header row and at least one data row.');
  if (dataRows === 0) reject('The file has a header but no data rows; add at least one row.', 2);
  if (dataRows > limits.maxRows) {
    reject(
      `The file has ${formatCount(dataRows)} data rows; the limit is ${formatCount(limits.maxRows)} rows.`,
    );
  }

  const columns: DatasetColumn[] = header.map((name, index) => ({
    name,
    type: name === labelColumn ? 'boolean' : typeFromTally(tallies[index] as ColumnTally),
  }));
  const labelIndex = labelColumn === null ? -1 : header.indexOf(labelColumn);

  const rows: Cell[][] = [];
  for (const [position, record] of wellFormed.entries()) {
    if (position > 0 && position % recordsPerBatch === 0) await yieldToEventLoop();
    const row = record.cells.map((value, index) => {
      const column = columns[index] as DatasetColumn;
      if (index === labelIndex) {
        if (!(value.toLowerCase() in labelWords)) {
          add({
            row: record.line,
            column: column.name,
            problem:
              value === ''
                ? `Row ${record.line}, column "${column.name}": the label is empty; every row needs 1/0 or true/false.`
                : `Row ${record.line}, column "${column.name}": "${value.slice(0, 40)}" is not a label; use 1/0 or true/false.`,
          });
        }
      } else if (column.type === 'number' && value !== '' && !isNumber(value) && !value.startsWith('=')) {
        add({
          row: record.line,
          column: column.name,
          problem: `Row ${record.line}, column "${column.name}": "${value.slice(0, 40)}" is not a number; use a number like 12.5 or leave the cell empty.`,
        });
      }
      return convert(value, column.type, index === labelIndex);
    });
    rows.push(row);
  }

  if (problems.length > 0) {
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    throw new CsvRejectedError(problems);
  }
  return { columns, labelColumn, rows };
}
