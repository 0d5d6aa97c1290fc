import { fileURLToPath } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { startTestDatabase, type TestDatabase } from './test-database.ts';

export const bootstrapToken = 'test-bootstrap-token-0123456789';

/** The platform in-process on a real database, driven through Fastify's inject (no socket). */
export interface TestApp {
  app: App;
  server: FastifyInstance;
  pool: pg.Pool;
  stop(): Promise<void>;
  /** Admin API shortcuts that fail loudly when the platform says no. */
  createTenant(slug: string, issuer?: string): Promise<{ id: string; slug: string; name: string }>;
  /** A user; `name` defaults to the email's local part. */
  createUser(
    tenantId: string,
    email: string,
    role: string,
    name?: string,
  ): Promise<{ id: string; email: string; name: string }>;
  createApiKey(tenantId: string, userId: string): Promise<string>;
}

function expectCreated(response: LightMyRequestResponse, what: string) {
  if (response.statusCode !== 201)
    throw new Error(`creating ${what} answered ${response.statusCode}: ${response.body}`);
  return response.json();
}

export async function startTestApp(
  env: Record<string, string> = {},
  /** Where the platform's log lines go (tests that read what was logged). */
  logStream?: NodeJS.WritableStream,
): Promise<TestApp> {
  const database: TestDatabase = await startTestDatabase();
  const pool = createPool(database.url);
  await migrate(pool);
  const config = loadConfig({
    DATABASE_URL: database.url,
    // Nothing listens there: readiness reports the broker down, which no test here needs up.
    MQTT_URL: 'mqtt://127.0.0.1:9',
    BOOTSTRAP_TOKEN: bootstrapToken,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp({
    config,
    pool,
    broker: { connected: false },
    assetsDir: fileURLToPath(new URL('../../src/public/', import.meta.url)),
    ...(logStream ? { logStream } : {}),
  });
  const server = app.server;
  const admin = { authorization: `Bearer ${bootstrapToken}` };
  return {
    app,
    server,
    pool,
    async stop() {
      await server.close();
      await pool.end();
      await database.stop();
    },
    async createTenant(slug, issuer = 'http://127.0.0.1:9/idp') {
      const response = await server.inject({
        method: 'POST',
        url: '/api/admin/tenants',
        headers: admin,
        payload: {
          slug,
          name: `Tenant ${slug}`,
          integrations: { oidc: { issuer, clientId: `client-${slug}`, clientSecret: 'client-secret' } },
        },
      });
      return expectCreated(response, `tenant ${slug}`);
    },
    async createUser(tenantId, email, role, name = email.split('@')[0]) {
      const response = await server.inject({
        method: 'POST',
        url: `/api/admin/tenants/${tenantId}/users`,
        headers: admin,
        payload: { email, name, role },
      });
      return expectCreated(response, `user ${email}`);
    },
    async createApiKey(tenantId, userId) {
      const response = await server.inject({
        method: 'POST',
        url: `/api/admin/tenants/${tenantId}/users/${userId}/api-keys`,
        headers: admin,
        payload: { name: 'test key' },
      });
      return expectCreated(response, 'API key').key;
    },
  };
}
