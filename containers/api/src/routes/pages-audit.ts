import type { FastifyInstance } from 'fastify';
import { auditFilterSchema, queryAudit } from '../audit/audit-query.ts';
import { principalOf } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { ApiError } from '../http/api-error.ts';
import { parseInput } from '../http/validation.ts';
import { firstString, pageAccess, sendPage } from '../ui/page-access.ts';
import { type AuditFormValues, renderAuditPage } from '../ui/pages/audit-page.ts';

/**
 * A browser's datetime-local value ("2025-03-01T08:00" or with seconds), read as UTC. Only a
 * filled-in field gets here (an empty one is no bound at all); anything else goes to the filter's
 * validation as given.
 */
function fromLocalInput(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return `${value}:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)) return `${value}Z`;
  return value;
}

const fieldWords: Record<string, string> = { from: 'From', to: 'To', actor: 'Actor', action: 'Action' };

/** The audit log page: filter by actor, action and time, and export what the filter shows. */
export function registerAuditPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/audit',
    {
      preHandler: pageAccess(ctx.pool, 'audit', 'read'),
      config: {
        doc: {
          summary: 'Audit log: filter and export',
          tag: 'ui',
          auth: 'session',
          responses: { 200: 'page' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const query = request.query as Record<string, unknown>;
      const values: AuditFormValues = {
        actor: firstString(query.actor).trim(),
        action: firstString(query.action).trim(),
        from: firstString(query.from).trim(),
        to: firstString(query.to).trim(),
      };
      const raw = {
        ...(values.actor ? { actor: values.actor } : {}),
        ...(values.action ? { action: values.action } : {}),
        ...(values.from ? { from: fromLocalInput(values.from) } : {}),
        ...(values.to ? { to: fromLocalInput(values.to) } : {}),
        limit: 200,
      };
      let problems: string[] = [];
      let filter = parseInput(auditFilterSchema, { limit: 200 }, 'audit filter');
      try {
        filter = parseInput(auditFilterSchema, raw, 'audit filter');
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        problems = (error.details as { field: string; problem: string }[]).map(
          (detail) => `${fieldWords[detail.field] ?? detail.field}: ${detail.problem}.`,
        );
      }
      const [entries, actions] = await withTenant(
        ctx.pool,
        tenantId,
        async (db) =>
          [
            await queryAudit(db, tenantId, filter),
            (
              await db.query<{ action: string }>(
                'SELECT DISTINCT action FROM audit_log WHERE tenant_id = $1 ORDER BY action',
                [tenantId],
              )
            ).rows.map((row) => row.action),
          ] as const,
      );
      const exportParams = new URLSearchParams();
      for (const key of ['actor', 'action', 'from', 'to'] as const) {
        const value = filter[key];
        if (value) exportParams.set(key, value);
      }
      const exportQuery = exportParams.size > 0 ? `?${exportParams.toString()}` : '';
      return sendPage(
        reply,
        renderAuditPage(principal, { entries, actions, values, exportQuery, problems }),
        problems.length > 0 ? 400 : 200,
      );
    },
  );
}
