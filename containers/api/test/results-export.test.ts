import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { csvCell, neutraliseFormula } from '../src/exports/csv-cells.ts';
import {
  resultsToCsv,
  streamResultsCsv,
  streamResultsJson,
  toResultRows,
} from '../src/exports/run-results.ts';

test('text cells that spreadsheets would execute get a leading quote', () => {
  expect(['=SUM(A1)', '+44 line', '-west', '@north', '\tx', '\rx'].map(neutraliseFormula)).toEqual([
    "'=SUM(A1)",
    "'+44 line",
    "'-west",
    "'@north",
    "'\tx",
    "'\rx",
  ]);
  expect(['north', 'a=b', ' =x', ''].map(neutraliseFormula)).toEqual(['north', 'a=b', ' =x', '']);
});

test('numbers and booleans the platform computed stay as they are', () => {
  expect(csvCell(-1.25)).toBe('-1.25');
  expect(csvCell(false)).toBe('false');
  expect(csvCell(null)).toBe('');
  expect(csvCell(Number.NaN)).toBe('');
});

test('cells with commas, quotes or newlines are quoted, after neutralising', () => {
  expect(csvCell('harbour, dock 2')).toBe('"harbour, dock 2"');
  expect(csvCell('depot "B"')).toBe('"depot ""B"""');
  expect(csvCell('-a,b')).toBe(`"'-a,b"`);
});

test('the results CSV has row, the dataset columns, score and anomaly, and parses back', () => {
  const input = {
    columns: ['temperature', 'site', 'label'],
    rows: [
      [65.2, '@north', false],
      [-3, 'depot "B"', true],
    ],
    scores: [0.4123, -1.5],
    flags: [false, true],
  };
  const csv = resultsToCsv(input);
  expect(csv.split('\r\n')[0]).toBe('row,temperature,site,label,score,anomaly');
  expect(parse(csv, { columns: true })).toEqual([
    { row: '1', temperature: '65.2', site: "'@north", label: 'false', score: '0.4123', anomaly: 'false' },
    { row: '2', temperature: '-3', site: 'depot "B"', label: 'true', score: '-1.5', anomaly: 'true' },
  ]);
  expect(toResultRows(input)[1]).toEqual({
    row: 2,
    values: { temperature: -3, site: 'depot "B"', label: true },
    score: -1.5,
    anomaly: true,
  });
});

test('the streamed exports are byte for byte the whole-document ones', async () => {
  const rows = Array.from({ length: 4_500 }, (_, index) => [
    index * 0.5,
    index % 7 === 0 ? '=x' : `s${index}`,
    null,
  ]);
  const input = {
    columns: ['value', 'site', 'empty'],
    rows,
    scores: rows.map((_row, index) => Math.sin(index)),
    flags: rows.map((_row, index) => index % 50 === 0),
  };
  let csv = '';
  for await (const piece of streamResultsCsv(input)) csv += piece;
  expect(csv).toBe(resultsToCsv(input));
  let json = '';
  for await (const piece of streamResultsJson('run-1', input)) json += piece;
  expect(json).toBe(JSON.stringify({ runId: 'run-1', rows: toResultRows(input) }));
  let empty = '';
  for await (const piece of streamResultsJson('run-2', { ...input, rows: [], scores: [], flags: [] }))
    empty += piece;
  expect(JSON.parse(empty)).toEqual({ runId: 'run-2', rows: [] });
});
