import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { claimLogFile, KEPT_LOGS_PER_SERVICE } from '../../fixtures/stack/log-files.ts';

test.describe('service logs', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stack-logs-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const logs = (service: string) =>
    readdirSync(dir)
      .filter((name) => new RegExp(`^${service}-\\d+\\.log$`).test(name))
      .map((name) => Number(/-(\d+)\.log$/.exec(name)?.[1]))
      .sort((a, b) => a - b);

  test('a stack start keeps the last runs of each service and removes older ones', async () => {
    for (let n = 1; n <= 25; n++) writeFileSync(path.join(dir, `platform-${n}.log`), 'old');
    writeFileSync(path.join(dir, 'platform-container-1.log'), 'another service');
    writeFileSync(path.join(dir, 'offline-postgres.log'), 'not a stack log');

    expect(await claimLogFile('platform', dir, 20)).toBe(path.join(dir, 'platform-26.log'));
    expect(logs('platform')).toEqual(Array.from({ length: 20 }, (_, index) => index + 7));
    expect(logs('platform-container')).toEqual([1]);
    expect(readdirSync(dir)).toContain('offline-postgres.log');
    expect(KEPT_LOGS_PER_SERVICE).toBe(20);
  });

  test('numbers keep rising after old logs are gone, and parallel claims never share a file', async () => {
    writeFileSync(path.join(dir, 'postgres-41.log'), 'old');
    const claimed = await Promise.all([1, 2, 3].map(() => claimLogFile('postgres', dir, 2)));
    expect(new Set(claimed).size).toBe(3);
    expect(claimed.every((file) => /postgres-4[2-4]\.log$/.test(file))).toBe(true);
    expect(logs('postgres').length).toBeLessThanOrEqual(4);
    await claimLogFile('postgres', dir, 2);
    expect(logs('postgres')).toEqual([44, 45]);
  });
});
