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

async function inTransaction<T>(
  pool: pg.Pool,
  prepare: (db: Db) => Promise<void>,
  work: (db: Db) => Promise<T>,
) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await prepare(client);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
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
