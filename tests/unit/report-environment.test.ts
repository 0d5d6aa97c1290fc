import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  browserOf,
  operatingSystemOf,
  resultsDirsFromArgv,
  stackModesOf,
} from '../../scripts/report-environment.ts';

test.describe('the Allure report environment', () => {
  test('finds the results directories on an allure generate command line', () => {
    expect(
      resultsDirsFromArgv([
        'node',
        'cli.js',
        'generate',
        'allure-results',
        '--output',
        'allure-report',
        '-c',
        'allurerc.mjs',
        '/tmp/more-results',
        '--open',
      ]),
    ).toEqual(['allure-results', '/tmp/more-results']);
    expect(resultsDirsFromArgv(['node', 'cli.js', 'open', 'allure-report'])).toEqual([]);
  });

  test('names the stack modes the journeys recorded, once each', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-environment-'));
    try {
      const result = (uuid: string, mode?: string) =>
        writeFileSync(
          path.join(dir, `${uuid}-result.json`),
          JSON.stringify({
            uuid,
            name: uuid,
            parameters: mode ? [{ name: 'stack mode', value: mode }] : [],
          }),
        );
      result('a', 'embedded');
      result('b', 'containers');
      result('c', 'embedded');
      result('d');
      expect(stackModesOf([dir])).toBe('containers, embedded');
      expect(stackModesOf([path.join(dir, 'absent')])).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('names the browser by what its executable says, and says when there is none', () => {
    const chromium = () => ({ executablePath: '/usr/bin/chromium' });
    expect(
      browserOf(chromium, () => 'Chromium 156.0.8078.79 built on Debian GNU/Linux 12 (bookworm)\n'),
    ).toBe('Chromium 156.0.8078.79');
    expect(browserOf(chromium, () => 'Google Chrome 150.0.7000.1 \n')).toBe('Google Chrome 150.0.7000.1');
    expect(browserOf(chromium, () => '')).toBe('unknown version (chromium)');
    expect(
      browserOf(() => {
        throw new Error('No Chromium found');
      }),
    ).toBe('none found (No Chromium found)');
  });

  test('names the operating system by its distribution where it has one', () => {
    const named = operatingSystemOf(
      () => 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    );
    expect(named).toBe(process.platform === 'linux' ? 'Debian GNU/Linux 12 (bookworm)' : os.type());
    expect(
      operatingSystemOf(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(os.type());
  });
});
