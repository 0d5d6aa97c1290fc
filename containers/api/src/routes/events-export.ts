import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/audit-log.ts';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import { exportEventsCsv } from '../compliance/event-export.ts';
import { eventExportColumnsFor } from '../compliance/role-fields.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';

/** The anomaly events as CSV, with only the columns the caller's role may see; audited. */
export function registerEventExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/events/export',
    {
      preHandler: requirePermission(ctx.pool, 'alerts', 'read'),
      config: {
        doc: {
          tag: 'api',
          auth: 'user',
          summary:
            'Anomaly events as CSV, newest first; source IPs and notes only for roles that act on events',
          produces: 'text/csv',
          responses: { 200: 'the CSV' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const csv = await withTenant(ctx.pool, tenantId, async (db) => {
        const text = await exportEventsCsv(db, tenantId, principal.role);
        await recordAudit(db, tenantId, {
          action: 'export.events',
          outcome: 'success',
          actorId: principal.userId,
          actorEmail: principal.email,
          targetType: 'anomaly_events',
          ip: request.ip,
          details: { columns: eventExportColumnsFor(principal.role) },
        });
        return text;
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="anomaly-events.csv"')
        .send(csv);
    },
  );
}
