import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { createPool, DatabaseConnectionLostError, withSystem } from '../src/db/pool.ts';
import { startTestDatabase, type TestDatabase } from './support/test-database.ts';

/**
 * The database restarting under traffic: a transaction holding a client when its connection is
 * cut must fail with a clear error (not end the process), and the pool must hand out a working
 * connection afterwards. The connection is cut for real, by the server (`pg_terminate_backend`).
 */
let database: TestDatabase;
let pool: pg.Pool;
const idleErrors: Error[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  database = await startTestDatabase();
  pool = createPool(database.url, (error) => idleErrors.push(error));
});

test.afterAll(async () => {
  await pool?.end();
  await database?.stop();
});

const backendPid = async (db: pg.PoolClient) =>
  (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;

/** Cuts one server connection from outside, as a restart of the database would. */
const terminate = async (pid: number | undefined) => {
  const { rows } = await pool.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pid]);
  expect(rows[0]?.done, 'the server accepted to end the backend').toBe(true);
};

test('a connection cut between two queries of a transaction fails the work cleanly', async () => {
  let cutPid: number | undefined;
  const work = withSystem(pool, async (db) => {
    cutPid = await backendPid(db);
    await db.query('CREATE TEMP TABLE doomed (id int)');
    // Nothing is running on this client while the server ends it: the error arrives as an
    // event on the client, which is what used to go unhandled and end the process.
    // Not events.once: that would listen for 'error' too and hide the very problem under test.
    const ended = new Promise((resolve) => db.once('end', resolve));
    await terminate(cutPid);
    await ended;
    await db.query('INSERT INTO doomed VALUES (1)');
    return 'committed';
  });

  const failure = await work.then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(DatabaseConnectionLostError);
  expect((failure as Error).message).toContain('retry once the database is reachable again');

  // The broken client was discarded: the next transaction runs on a fresh server connection.
  const next = await withSystem(pool, async (db) => backendPid(db));
  expect(next).toBeGreaterThan(0);
  expect(next).not.toBe(cutPid);
});

test('a connection cut while a query runs fails that query and the pool recovers', async () => {
  let cutPid: number | undefined;
  const work = withSystem(pool, async (db) => {
    cutPid = await backendPid(db);
    // Both awaited together: the query can fail before the terminating call returns, and a
    // rejection nobody listens to yet would be reported as unhandled instead of as this work's.
    await Promise.all([db.query('SELECT pg_sleep(30)'), terminate(cutPid)]);
  });
  await expect(work).rejects.toThrow(/terminat/);

  // Every transaction after the cut succeeds: no dead client is lent out again.
  const pids = await Promise.all(Array.from({ length: 12 }, () => withSystem(pool, (db) => backendPid(db))));
  expect(pids).not.toContain(cutPid);
  expect(pids.every((pid) => typeof pid === 'number' && pid > 0)).toBe(true);
});

test('an ordinary failure inside a transaction rolls back and keeps its connection', async () => {
  let failedOn: number | undefined;
  const failure = withSystem(pool, async (db) => {
    failedOn = await backendPid(db);
    throw new Error('the work itself failed');
  });
  await expect(failure).rejects.toThrow('the work itself failed');
  // The connection was healthy, so the pool lends the same one out again.
  expect(await withSystem(pool, (db) => backendPid(db))).toBe(failedOn);
});

test('idle connections cut by the server are reported to the pool and replaced', async () => {
  const before = idleErrors.length;
  const { rowCount } = await pool.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  expect(rowCount).toBeGreaterThan(0);
  await expect.poll(() => idleErrors.length).toBeGreaterThan(before);
  await expect
    .poll(async () => withSystem(pool, async (db) => (await db.query('SELECT 1 AS one')).rows[0]?.one))
    .toBe(1);
});
