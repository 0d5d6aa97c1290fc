import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { rowsToCsv, toCsv } from '../../fixtures/data/csv.ts';

test.describe('CSV serialisation', () => {
  test('quotes only the cells that need it and round-trips through a real parser', () => {
    const records = [
      { site: 'harbour, dock 2', note: 'says "hi"', value: -1.5, ok: true },
      { site: 'two\nlines', note: '', value: 0, ok: false },
      { site: '@north', note: null, value: 12, ok: undefined },
    ];
    const csv = toCsv(['site', 'note', 'value', 'ok'], records);
    expect(csv).toBe(
      'site,note,value,ok\n"harbour, dock 2","says ""hi""",-1.5,true\n"two\nlines",,0,false\n@north,,12,\n',
    );
    expect(parse(csv, { columns: true })).toEqual([
      { site: 'harbour, dock 2', note: 'says "hi"', value: '-1.5', ok: 'true' },
      { site: 'two\nlines', note: '', value: '0', ok: 'false' },
      { site: '@north', note: '', value: '12', ok: '' },
    ]);
  });

  test('writes the columns in the order given, whatever the record key order', () => {
    expect(toCsv(['b', 'a'], [{ a: 1, b: 2 }])).toBe('b,a\n2,1\n');
  });

  test('writes irregular rows as they are', () => {
    expect(
      rowsToCsv([
        ['a', 'b', 'c'],
        [1, 2],
        [3, 4, 5, 6],
      ]),
    ).toBe('a,b,c\n1,2\n3,4,5,6\n');
  });
});
