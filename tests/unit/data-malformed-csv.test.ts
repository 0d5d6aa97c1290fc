import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { DEFAULT_UPLOAD_MAX_BYTES, dataFactories, seededFaker } from '../../fixtures/data/index.ts';

const broken = dataFactories(seededFaker(2024)).malformedCsv;

function lines(content: Buffer): string[][] {
  return parse(content, { relax_column_count: true }) as string[][];
}

test.describe('malformed CSV variants', () => {
  test('ragged: exactly the named row has the wrong number of cells', () => {
    const file = broken.ragged();
    const [header = [], ...rows] = lines(file.content);
    const wrong = rows.flatMap((row, index) => (row.length === header.length ? [] : [index + 2]));
    expect(wrong).toEqual([file.expected.row]);
    expect(() => parse(file.content)).toThrow(/Invalid Record Length/);
    expect(file.expected).toMatchObject({ status: 400, error: 'invalid_csv' });
    expect(file.expected.message.test(`Row ${file.expected.row} has 4 cells; the header has 5.`)).toBe(true);
    expect(file.expected.message.test(`Row ${(file.expected.row ?? 0) + 10} has 4 cells.`)).toBe(false);
  });

  test('nonNumeric: exactly the named cell of a numeric column is not a number', () => {
    const file = broken.nonNumeric();
    const [header = [], ...rows] = lines(file.content);
    const numericColumns = ['temperature', 'vibration', 'pressure'];
    const bad = rows.flatMap((row, index) =>
      numericColumns.flatMap((column) => {
        const cell = row[header.indexOf(column)] ?? '';
        return Number.isFinite(Number(cell)) && cell !== '' ? [] : [{ row: index + 2, column, cell }];
      }),
    );
    expect(bad).toEqual([{ row: file.expected.row, column: file.expected.column, cell: expect.any(String) }]);
    expect(file.expected.status).toBe(400);
    expect(
      file.expected.message.test(
        `Row ${file.expected.row}, column ${file.expected.column}: "x" is not a number.`,
      ),
    ).toBe(true);
    expect(file.expected.message.test(`Row ${file.expected.row}: "x" is not a number.`)).toBe(false);
  });

  test('empty: the file has no bytes at all', () => {
    const file = broken.empty();
    expect(file.content.length).toBe(0);
    expect(lines(file.content)).toEqual([]);
    expect(file.expected).toMatchObject({ status: 400, error: 'invalid_csv' });
    expect(file.fileName).toMatch(/\.csv$/);
  });

  test('formula: exactly the named cell starts with "="', () => {
    const file = broken.formula();
    const [header = [], ...rows] = lines(file.content);
    const formulas = rows.flatMap((row, index) =>
      row.flatMap((cell, column) =>
        cell.startsWith('=') ? [{ row: index + 2, column: header[column] }] : [],
      ),
    );
    expect(formulas).toEqual([{ row: file.expected.row, column: 'site' }]);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    expect(
      file.expected.message.test(`Row ${file.expected.row}, column site: a formula is not allowed.`),
    ).toBe(true);
  });

  test('oversize: a well-formed file just over the limit, under the default row limit', () => {
    const limit = 200_000;
    const file = broken.oversize(limit);
    expect(file.content.length).toBeGreaterThan(limit);
    expect(file.content.length).toBeLessThan(limit * 1.2);
    const [header = [], ...rows] = lines(file.content);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    expect(file.expected).toMatchObject({ status: 413, error: 'payload_too_large' });

    const atDefault = broken.oversize();
    expect(atDefault.content.length).toBeGreaterThan(DEFAULT_UPLOAD_MAX_BYTES);
    expect(atDefault.content.toString('utf8').split('\n').length).toBeLessThan(200_000);
  });

  test('wrongType: valid CSV text, but sent as text/plain with a .txt name', () => {
    const file = broken.wrongType();
    expect(file.mimeType).toBe('text/plain');
    expect(file.fileName).toMatch(/\.txt$/);
    const [header = [], ...rows] = lines(file.content);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    expect(file.expected).toMatchObject({ status: 415, error: 'unsupported_media_type' });
  });

  test('is reproducible from the seed', () => {
    const again = dataFactories(seededFaker(2024)).malformedCsv;
    const fresh = dataFactories(seededFaker(2024)).malformedCsv;
    expect(again.ragged().content.equals(fresh.ragged().content)).toBe(true);
  });
});
