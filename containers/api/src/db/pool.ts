import pg from 'pg';

export type Db = pg.PoolClient;

export function createPool(databaseUrl: string, onIdleError: (error: Error) => void = () => {}): pg.Pool {
  // A small pool: the server is one process on a small machine, and jobs share it with requests.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, idleTimeoutMillis: 30_000 });
  // An idle connection dies when the database restarts; without a listener that error would
  // end the process. The pool replaces the connection on the next query.
  pool.on('error', onIdleError);
  return pool;
}

/** Thrown when the database connection dropped while work held it (the database restarted). */
export class DatabaseConnectionLostError extends Error {
  constructor(lost: Error, failure: unknown) {
    super(
      `The database connection was lost mid-transaction (${lost.message}); nothing of it was committed, so retry once the database is reachable again.`,
      { cause: failure },
    );
    this.name = 'DatabaseConnectionLostError';
  }
}

/**
 * One transaction on a client of its own. While a client is checked out the pool no longer
 * listens for its errors, so a connection lost between two queries (the database restarting)
 * would emit an 'error' nobody handles and end the process: the listener here takes it instead.
 * A lost connection, or one that cannot even roll back, goes back with its error so the pool
 * discards it instead of lending it out again.
 */
async function inTransaction<T>(
  pool: pg.Pool,
  prepare: (db: Db) => Promise<void>,
  work: (db: Db) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const connection: { lost: Error | null } = { lost: null };
  const onLost = (error: Error) => {
    connection.lost ??= error;
  };
  client.on('error', onLost);
  let broken: Error | null = null;
  try {
    await client.query('BEGIN');
    await prepare(client);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    const rollbackFailure = await client.query('ROLLBACK').then(
      () => null,
      (failure: Error) => failure,
    );
    broken = connection.lost ?? rollbackFailure;
    if (connection.lost) throw new DatabaseConnectionLostError(connection.lost, error);
    throw error;
  } finally {
    client.removeListener('error', onLost);
    client.release(broken ?? connection.lost ?? undefined);
  }
}

/**
 * Runs tenant work as the non-owner role with the tenant pinned for this transaction only,
 * so row-level security hides every other tenant's rows even if a query forgets its filter.
 */
export function withTenant<T>(pool: pg.Pool, tenantId: string, work: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(
    pool,
    async (db) => {
      await db.query('SET LOCAL ROLE platform_app');
      await db.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    },
    work,
  );
}

/** Work that has no tenant yet (admin API, resolving credentials): runs as the schema owner. */
export function withSystem<T>(pool: pg.Pool, work: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(pool, async () => {}, work);
}
