import { fileURLToPath } from 'node:url';
import { buildApp } from './app.ts';
import { randomToken } from './auth/tokens.ts';
import { ConfigError, loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { BrokerLink } from './ops/broker-link.ts';

/**
 * The process entry: read config, migrate, listen, then connect to the broker and resume
 * unfinished jobs. Listening first keeps cold start short; readiness tells when all is up.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`The platform cannot start: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  let reportLostConnection: (error: Error) => void = (error) => {
    process.stderr.write(`idle database connection lost: ${error.message}\n`);
  };
  const pool = createPool(config.databaseUrl, (error) => reportLostConnection(error));
  await migrate(pool);

  let broker: BrokerLink | null = null;
  // Ready for streams means subscribed too: only then is no session's event missed.
  let streamsSubscribed = () => false;
  const brokerStatus = {
    get connected() {
      return (broker?.connected ?? false) && streamsSubscribed();
    },
  };
  const { server, context } = await buildApp({
    config,
    pool,
    broker: brokerStatus,
    // In the bundle this is dist/public, next to dist/server.mjs.
    assetsDir: fileURLToPath(new URL('./public/', import.meta.url)),
  });

  reportLostConnection = (error) => server.log.warn({ err: error }, 'idle database connection lost');

  const address = await server.listen({ port: config.port, host: config.host });
  const url = new URL(address);
  server.log.info(
    { url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${url.port}` },
    'listening',
  );
  if (!config.publicUrl) {
    // Not fatal: API keys and the admin API work without it. Only SSO needs the public address.
    server.log.warn(
      'PUBLIC_URL is not set, so nobody can sign in through SSO: set it to the address people use to reach the platform, e.g. https://anomalies.example.com',
    );
  }

  broker = new BrokerLink(config.mqttUrl, `platform-${randomToken(6)}`);
  const resumed = await context.jobs.resumeUnfinished();
  if (resumed > 0) server.log.info({ resumed }, 'resumed unfinished jobs');
  // Closing the server stops the stream worker too (after it has stored what it acknowledged).
  await context.operations.start(config.mqttUrl);
  streamsSubscribed = () => context.operations.streams.subscribed;
  context.retention.start();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down');
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    try {
      await server.close();
      await broker?.close();
      await pool.end();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`The platform failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
