import { expect, test } from '@playwright/test';
import { CsvRejectedError, parseDatasetCsv } from '../src/datasets/csv-dataset.ts';
import { profileDataset } from '../src/datasets/profile.ts';

const limits = { maxRows: 1_000, maxColumns: 10 };

async function rejection(
  text: string,
  options: { labelColumn?: string } = {},
  customLimits = limits,
): Promise<CsvRejectedError> {
  try {
    await parseDatasetCsv(text, customLimits, options);
  } catch (error) {
    if (error instanceof CsvRejectedError) return error;
    throw error;
  }
  throw new Error('expected the CSV to be rejected, but it was accepted');
}

test.describe('CSV dataset validation', () => {
  test('accepts a labelled file and types its columns', async () => {
    const parsed = await parseDatasetCsv(
      'timestamp,temperature,site,label\n2026-01-01T00:00:00Z,21.5,north,0\n2026-01-01T01:00:00Z,,"south, yard",1\n',
      limits,
    );
    expect(parsed.labelColumn).toBe('label');
    expect(parsed.columns).toEqual([
      { name: 'timestamp', type: 'timestamp' },
      { name: 'temperature', type: 'number' },
      { name: 'site', type: 'string' },
      { name: 'label', type: 'boolean' },
    ]);
    expect(parsed.rows).toEqual([
      ['2026-01-01T00:00:00Z', 21.5, 'north', false],
      ['2026-01-01T01:00:00Z', null, 'south, yard', true],
    ]);
  });

  test('is_anomaly is a label too, and labelColumn picks another column', async () => {
    expect((await parseDatasetCsv('x,is_anomaly\n1,true\n2,false\n', limits)).labelColumn).toBe('is_anomaly');
    const chosen = await parseDatasetCsv('x,flag\n1,1\n2,0\n', limits, { labelColumn: 'flag' });
    expect(chosen.labelColumn).toBe('flag');
    expect(chosen.rows).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((await parseDatasetCsv('x,y\n1,2\n', limits)).labelColumn).toBeNull();
  });

  test('an empty file is refused as empty', async () => {
    for (const text of ['', '  \n\n']) {
      const error = await rejection(text);
      expect(error.problems).toEqual([{ row: null, column: null, problem: expect.stringMatching(/empty/) }]);
    }
  });

  test('a header without data rows is refused', async () => {
    expect((await rejection('a,b\n')).problems[0]).toMatchObject({
      row: 2,
      problem: expect.stringMatching(/no data rows/),
    });
  });

  test('a ragged row is named by its row, counting the header as row 1', async () => {
    const error = await rejection('a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n');
    expect(error.problems).toEqual([
      {
        row: 4,
        column: null,
        problem: 'Row 4 has 2 values but the header has 3 columns; make every row match the header.',
      },
    ]);
  });

  test('a word in a numeric column names the row and the column', async () => {
    const error = await rejection('temperature,pressure\n1,2\n3,4\n5,twelve\n7,8\n');
    expect(error.problems).toEqual([
      {
        row: 4,
        column: 'pressure',
        problem:
          'Row 4, column "pressure": "twelve" is not a number; use a number like 12.5 or leave the cell empty.',
      },
    ]);
  });

  test('a quoted number with a comma is not a number', async () => {
    expect((await rejection('a,b\n1,2\n3,4\n"4,2",5\n6,7\n')).problems[0]).toMatchObject({
      row: 4,
      column: 'a',
    });
  });

  test('a formula cell is refused, naming the row and the column', async () => {
    const error = await rejection('value,site\n1,north\n2,"=HYPERLINK(""http://x.invalid"")"\n3,south\n');
    expect(error.problems).toEqual([
      {
        row: 3,
        column: 'site',
        problem: expect.stringMatching(/^Row 3, column "site": .* looks like a spreadsheet formula/),
      },
    ]);
  });

  test('text starting with + - @ is accepted (neutralised on export instead)', async () => {
    const parsed = await parseDatasetCsv('value,site\n1,@north\n2,+44 line\n3,-west\n', limits);
    expect(parsed.rows.map((row) => row[1])).toEqual(['@north', '+44 line', '-west']);
  });

  test('label values must be 1/0 or true/false', async () => {
    const error = await rejection('x,label\n1,1\n2,maybe\n3,\n');
    expect(error.problems).toEqual([
      { row: 3, column: 'label', problem: expect.stringContaining('"maybe" is not a label') },
      { row: 4, column: 'label', problem: expect.stringContaining('the label is empty') },
    ]);
  });

  test('a chosen label column must exist', async () => {
    expect((await rejection('a,b\n1,2\n', { labelColumn: 'target' })).problems[0]).toMatchObject({
      row: 1,
      column: 'target',
      problem: expect.stringContaining('not in the header'),
    });
  });

  test('duplicate and blank header names are refused on row 1', async () => {
    const error = await rejection('a,a,\n1,2,3\n');
    expect(error.problems).toEqual([
      { row: 1, column: 'a', problem: expect.stringContaining('appears twice') },
      { row: 1, column: null, problem: expect.stringContaining('column 3 has no name') },
    ]);
  });

  test('row and column limits are refused, naming the limit', async () => {
    expect((await rejection('a\n1\n2\n3\n', {}, { maxRows: 2, maxColumns: 5 })).problems[0]?.problem).toBe(
      'The file has 3 data rows; the limit is 2 rows.',
    );
    expect((await rejection('a,b,c\n1,2,3\n', {}, { maxRows: 5, maxColumns: 2 })).problems[0]?.problem).toBe(
      'The file has 3 columns; the limit is 2 columns.',
    );
  });

  test('an unclosed quote names the row', async () => {
    expect((await rejection('a,b\n1,2\n3,"four\n')).problems[0]?.problem).toMatch(
      /quoted value is never closed/,
    );
  });

  test('several problems are all reported, in row order', async () => {
    const error = await rejection('a,b\n1,x\n2\n=3,4\n5,6\n7,8\n');
    expect(error.problems.map((problem) => problem.row)).toEqual([2, 3, 4]);
  });
});

test('the profile counts missing cells and summarises numbers and timestamps', async () => {
  const parsed = await parseDatasetCsv('t,v,site\n2026-01-02,1,a\n2026-01-01,,b\n2026-01-03,3,\n', limits);
  const profile = profileDataset(parsed.columns, parsed.rows);
  expect(profile).toEqual({
    rows: 3,
    columns: [
      { name: 't', type: 'timestamp', missing: 0, min: '2026-01-01', max: '2026-01-03' },
      { name: 'v', type: 'number', missing: 1, min: 1, max: 3, mean: 2, stddev: Math.SQRT2 },
      { name: 'site', type: 'string', missing: 1 },
    ],
  });
});
