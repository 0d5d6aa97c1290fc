import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { withSystem } from '../db/pool.ts';
import { buildOpenApiDocument } from '../ops/openapi.ts';
import { processFigureLines } from '../ops/process-figures.ts';

async function databaseUp(ctx: AppContext): Promise<boolean> {
  try {
    await Promise.race([
      ctx.pool.query('SELECT 1'),
      new Promise((_, reject) =>
        AbortSignal.timeout(2_000).addEventListener('abort', () => reject(new Error('timeout'))),
      ),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** When this process started (whole milliseconds, so every read gives the same value). */
const processStartSeconds = (Math.round(Date.now() - process.uptime() * 1000) / 1000).toFixed(3);

/** Liveness, readiness, metrics and the API description: what operators and the harness probe. */
export function registerOpsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const ops = (summary: string, produces: 'application/json' | 'text/plain' = 'application/json') => ({
    doc: { summary, tag: 'ops' as const, auth: 'none' as const, responses: { 200: 'ok' }, produces },
  });

  app.get('/health/live', { config: ops('The process is up') }, async () => ({ status: 'live' }));

  app.get(
    '/health/ready',
    {
      config: {
        doc: {
          ...ops('The database and the broker are reachable, and streamed events are being stored').doc,
          responses: { 200: 'ready', 503: 'not ready' },
        },
      },
    },
    async (_request, reply) => {
      const database = await databaseUp(ctx);
      const broker = ctx.broker.connected;
      // A broker that is up says nothing about events being stored: a stream can be stuck behind it.
      const waitingMs = ctx.operations.streams.oldestUnstoredMs();
      const flowing = waitingMs <= ctx.config.operations.streaming.stuckAfterMs;
      const ready = database && broker && flowing;
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks: {
          database: database ? 'up' : 'down',
          broker: broker ? 'up' : 'down',
          stream: flowing ? 'flowing' : 'stuck',
        },
        ...(flowing
          ? {}
          : {
              problems: [
                `The oldest streamed event has waited ${Math.round(waitingMs / 1_000)} s to be stored; read the platform log for the failing batch.`,
              ],
            }),
      });
    },
  );

  app.get('/metrics', { config: ops('Prometheus metrics', 'text/plain') }, async (_request, reply) => {
    const jobs = await withSystem(ctx.pool, (db) =>
      db.query<{ state: string; count: number }>(
        'SELECT state, count(*)::int AS count FROM jobs GROUP BY state',
      ),
    );
    const byState = new Map(jobs.rows.map((row) => [row.state, row.count]));
    const lines = [
      ...ctx.requestMetrics.render(),
      '# HELP jobs Jobs in the database, by state.',
      '# TYPE jobs gauge',
      ...['queued', 'running', 'completed', 'failed'].map(
        (state) => `jobs{state="${state}"} ${byState.get(state) ?? 0}`,
      ),
      '# HELP job_queue_length Jobs waiting in this process.',
      '# TYPE job_queue_length gauge',
      `job_queue_length ${ctx.jobs.pending}`,
      '# HELP process_uptime_seconds Seconds since the process started.',
      '# TYPE process_uptime_seconds gauge',
      `process_uptime_seconds ${process.uptime().toFixed(3)}`,
      // Fixed for the life of the process: a different value means the platform restarted.
      '# HELP process_start_time_seconds Start time of the process since the Unix epoch, in seconds.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${processStartSeconds}`,
      ...ctx.operations.scoring.rows.metricLines(),
      ...processFigureLines({
        acks: ctx.operations.streams.acks,
        caches: () => [
          {
            name: 'fitted_models',
            entries: ctx.operations.models.size,
            capacity: ctx.operations.models.capacity,
          },
          ...ctx.operations.directory.caches(),
        ],
      }),
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });

  let document: unknown;
  app.get('/openapi.json', { config: ops('This document') }, async () => {
    document ??= buildOpenApiDocument(ctx.catalog.entries);
    return document;
  });
}
