import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { eraseUser } from '../compliance/erasure.ts';
import { dayMs } from '../compliance/platform-clock.ts';
import type { AppContext } from '../context.ts';
import { withSystem } from '../db/pool.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { notFound } from '../http/api-error.ts';
import { erasure, platformCapabilities, platformClock } from '../http/response-schemas.ts';
import type { RouteDoc } from '../http/route-catalog.ts';
import { isUuid, parseInput } from '../http/validation.ts';

const advanceSchema = z.strictObject({
  days: z
    .number({ error: 'days must be a number of days to move the clock forward, such as 31' })
    .positive('the clock only moves forward: use a positive number of days')
    .max(36_500, 'move the clock at most 36500 days at once'),
});

export type AdminDoc = (
  summary: string,
  responses: Record<number, string>,
  body?: z.ZodType,
  returns?: z.ZodType,
) => { doc: RouteDoc };

/**
 * The compliance side of the admin API: the test clock, a purge of every tenant, and erasure.
 * Registered only with the rest of the admin API (a bootstrap token is configured); without it
 * these paths do not exist (404). Moving the clock needs TEST_CLOCK=true on top, so a production
 * platform's clock cannot be moved with the bootstrap token alone.
 */
export function registerAdminComplianceRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  requireBootstrapToken: (request: FastifyRequest) => Promise<void>,
  doc: AdminDoc,
): void {
  app.get(
    '/api/admin/clock',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        'The platform clock retention counts from',
        { 200: '{ now, offsetMs }' },
        undefined,
        platformClock,
      ),
    },
    async () => ({ now: ctx.clock.now().toISOString(), offsetMs: ctx.clock.offsetMs }),
  );

  app.get(
    '/api/admin/capabilities',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        'What this platform lets a test suite do and what limits it keeps',
        { 200: '{ testClock, uploadMaxBytes }' },
        undefined,
        platformCapabilities,
      ),
    },
    async () => ({ testClock: ctx.config.testClock, uploadMaxBytes: ctx.config.upload.maxBytes }),
  );

  // Only where the operator turned the test clock on (TEST_CLOCK=true): elsewhere the path does
  // not exist, and the clock stays real time.
  if (ctx.config.testClock) {
    app.post(
      '/api/admin/clock/advance',
      {
        onRequest: requireBootstrapToken,
        config: doc(
          'Move the platform clock forward (tests only)',
          { 200: '{ now, offsetMs }' },
          advanceSchema,
          platformClock,
        ),
      },
      async (request) => {
        const { days } = parseInput(advanceSchema, request.body, 'clock change');
        const now = ctx.clock.advance(Math.round(days * dayMs));
        request.log.info({ offsetMs: ctx.clock.offsetMs }, 'platform clock moved forward');
        return { now: now.toISOString(), offsetMs: ctx.clock.offsetMs };
      },
    );
  }

  app.post(
    '/api/admin/retention/purge',
    {
      onRequest: requireBootstrapToken,
      config: doc('Purge every tenant by its retention policy now', { 200: '{ results }' }),
    },
    async () => ({ results: await ctx.retention.runNow('admin_api') }),
  );

  app.post(
    '/api/admin/tenants/:tenantId/users/:userId/erase',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        "Erase a user's personal data (pseudonymise, end sessions, revoke keys)",
        { 200: 'what was changed', 404: 'no such user' },
        undefined,
        erasure,
      ),
    },
    async (request) => {
      const { tenantId, userId } = request.params as { tenantId: string; userId: string };
      if (!isUuid(tenantId) || !isUuid(userId)) throw notFound('user');
      const result = await withSystem(ctx.pool, (db) =>
        eraseUser(db, tenantId, userId, { id: null, email: 'admin-api', ip: request.ip }),
      );
      if (!result) throw notFound('user');
      ctx.operations.feed.revoke(tenantId, { userId }, feedClosures.erased);
      return result;
    },
  );
}
