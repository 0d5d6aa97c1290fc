import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { otherStackRunning, recordPids } from '../../fixtures/stack/leftovers.ts';
import { removeStaleTemplates, templateDir } from '../../fixtures/stack/postgres-template.ts';

test.describe('the PostgreSQL template', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pg-template-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('is kept on disk in the OS temp dir, not in memory-backed /dev/shm', () => {
    // Before: /dev/shm whenever it had a GiB free, where its 47 MB stayed in RAM after every run.
    test.skip(process.env.E2E_STACK_TMPDIR !== undefined, 'E2E_STACK_TMPDIR moves it on purpose');
    expect(path.dirname(templateDir())).toBe(tmpdir());
  });

  test('only the current one stays: other versions, abandoned builds and old copies in memory go', () => {
    const disk = path.join(dir, 'disk');
    const memory = path.join(dir, 'shm');
    mkdirSync(disk);
    mkdirSync(memory);
    const make = (root: string, name: string) => {
      mkdirSync(path.join(root, name, 'base'), { recursive: true });
      writeFileSync(path.join(root, name, 'base', 'PG_VERSION'), '18');
      return path.join(root, name);
    };
    const current = make(disk, 'journeys-pg-template-aaaaaaaaaaaa');
    make(disk, 'journeys-pg-template-bbbbbbbbbbbb');
    const abandoned = make(disk, 'journeys-pg-template-aaaaaaaaaaaa.building-x1');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(abandoned, hourAgo, hourAgo);
    make(disk, 'journeys-pg-template-aaaaaaaaaaaa.building-x2');
    make(memory, 'journeys-pg-template-aaaaaaaaaaaa');
    make(memory, 'journeys-stack-unrelated');

    const roots = [disk, memory];
    // While another process's stack runs, it may be copying one of them: nothing goes.
    expect(removeStaleTemplates({ current, roots, otherStackRunning: () => true })).toEqual([]);

    const removed = removeStaleTemplates({ current, roots, otherStackRunning: () => false });
    expect(removed.map((removedDir) => path.relative(dir, removedDir)).sort()).toEqual([
      'disk/journeys-pg-template-aaaaaaaaaaaa.building-x1',
      'disk/journeys-pg-template-bbbbbbbbbbbb',
      'shm/journeys-pg-template-aaaaaaaaaaaa',
    ]);
    expect(readdirSync(disk).sort()).toEqual([
      'journeys-pg-template-aaaaaaaaaaaa',
      'journeys-pg-template-aaaaaaaaaaaa.building-x2',
    ]);
    expect(readdirSync(memory)).toEqual(['journeys-stack-unrelated']);
  });

  test("another process's live stack counts as running; this process's own and dead ones do not", () => {
    const stack = (name: string, owner: number) => {
      mkdirSync(path.join(dir, name));
      recordPids(path.join(dir, name), { owner });
    };
    stack('journeys-stack-mine', process.pid);
    stack('journeys-stack-dead', 2 ** 22 + 1);
    expect(otherStackRunning([dir])).toBe(false);
    stack('journeys-stack-parent', process.ppid);
    expect(otherStackRunning([dir])).toBe(true);
  });
});
