import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/audit-log.ts';
import { auditFilterSchema, exportAuditCsv, findAuditRecord, queryAudit } from '../audit/audit-query.ts';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import { auditExportColumnsFor } from '../compliance/role-fields.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { notFound } from '../http/api-error.ts';
import { auditRecord, pageOf } from '../http/response-schemas.ts';
import { parseInput } from '../http/validation.ts';

/**
 * The audit log, read-only: filter, one entry, CSV export. There is deliberately no route that
 * changes or removes an entry, so PUT, PATCH, DELETE (and POST) answer 405 with the error body;
 * the table itself refuses UPDATE and DELETE too (a trigger), whoever asks.
 */
export function registerAuditRoutes(app: FastifyInstance, ctx: AppContext): void {
  const read = requirePermission(ctx.pool, 'audit', 'read');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.get(
    '/api/audit',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Audit entries, newest first, filtered by actor, action, outcome and time',
          query: auditFilterSchema,
          returns: pageOf(auditRecord),
          responses: { 200: '{ items, total }', 403: 'role cannot read the audit log' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const filter = parseInput(auditFilterSchema, request.query, 'audit filter');
      return withTenant(ctx.pool, principal.tenant.id, (db) => queryAudit(db, principal.tenant.id, filter));
    },
  );

  app.get(
    '/api/audit/export',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary:
            'The filtered audit entries as CSV (formula cells neutralised); the export itself is audited',
          query: auditFilterSchema,
          produces: 'text/csv',
          responses: { 200: 'the CSV' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const {
        limit: _limit,
        offset: _offset,
        ...filter
      } = parseInput(auditFilterSchema, request.query, 'audit filter');
      const csv = await withTenant(ctx.pool, tenantId, async (db) => {
        const text = await exportAuditCsv(db, tenantId, filter, auditExportColumnsFor(principal.role));
        await recordAudit(db, tenantId, {
          action: 'audit.export',
          outcome: 'success',
          actorId: principal.userId,
          actorEmail: principal.email,
          targetType: 'audit_log',
          ip: request.ip,
          details: { filter },
        });
        return text;
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-log.csv"')
        .send(csv);
    },
  );

  app.get(
    '/api/audit/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'One audit entry',
          returns: auditRecord,
          responses: { 200: 'the entry', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const id = Number((request.params as { id: string }).id);
      if (!Number.isSafeInteger(id) || id < 1) throw notFound('audit entry');
      const record = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findAuditRecord(db, principal.tenant.id, id),
      );
      if (!record) throw notFound('audit entry');
      return record;
    },
  );
}
