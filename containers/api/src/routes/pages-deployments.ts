import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { listDeployments } from '../deployments/deployments-repo.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { listModelVersions } from '../models/model-versions.ts';
import { firstString, formProblems, isApiError, pageAccess, sendPage } from '../ui/page-access.ts';
import { type DeploymentPageView, renderDeploymentPage } from '../ui/pages/deployment-page.ts';
import { renderDeploymentsPage } from '../ui/pages/deployments-page.ts';
import { formPostAnswering, page } from './page-docs.ts';

type Body = Record<string, unknown>;

const formPost = formPostAnswering({
  303: 'to the result',
  400: 'page with the problems',
  409: 'page with the reason',
});

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Deployments list with the deploy form; a deployment with health, promotion and rollback. */
export function registerDeploymentPages(app: FastifyInstance, ctx: AppContext): void {
  const { deployments } = ctx.operations;
  const limits = rateLimitPolicies(ctx.config);
  const read = pageAccess(ctx.pool, 'deployments', 'read');
  const write = pageAccess(ctx.pool, 'deployments', 'write');

  const listView = async (tenantId: string) =>
    withTenant(ctx.pool, tenantId, async (db) => ({
      deployments: await listDeployments(db, tenantId),
      versions: await listModelVersions(db, tenantId),
    }));

  const detailView = async (tenantId: string, id: string, extra: Partial<DeploymentPageView> = {}) => {
    const deployment = await deployments.find(tenantId, id);
    return { deployment, health: await deployments.health(tenantId, deployment.id), ...extra };
  };

  app.get(
    '/deployments',
    { preHandler: read, config: page('Deployments and the deploy form') },
    async (request, reply) => {
      const principal = principalOf(request);
      return sendPage(reply, renderDeploymentsPage(principal, await listView(principal.tenant.id)));
    },
  );

  app.post(
    '/deployments',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Deploy a version to staging') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const modelVersionId = firstString((request.body as Body | undefined)?.modelVersionId);
      try {
        const deployment = await deployments.deploy(
          principal,
          { modelVersionId, environment: 'staging' },
          request.ip,
        );
        return reply.redirect(`/deployments/${deployment.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code === 'forbidden') throw error;
        const view = await listView(principal.tenant.id);
        return sendPage(
          reply,
          renderDeploymentsPage(principal, {
            ...view,
            problems: formProblems(error),
            chosen: modelVersionId,
          }),
          error.statusCode,
        );
      }
    },
  );

  app.get(
    '/deployments/:id',
    { preHandler: read, config: page('A deployment: state, health, promotion, rollback') },
    async (request, reply) => {
      const principal = principalOf(request);
      return sendPage(
        reply,
        renderDeploymentPage(principal, await detailView(principal.tenant.id, idOf(request))),
      );
    },
  );

  app.post(
    '/deployments/:id/promote',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Promote with an approval note') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const note = firstString((request.body as Body | undefined)?.note).trim();
      try {
        if (note === '') {
          const view = await detailView(principal.tenant.id, idOf(request), {
            promoteProblems: ['Approval note is required: say why this version may serve production.'],
          });
          return sendPage(reply, renderDeploymentPage(principal, view), 400);
        }
        const production = await deployments.promote(
          principal,
          idOf(request),
          note.slice(0, 2000),
          request.ip,
        );
        return reply.redirect(`/deployments/${production.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code === 'forbidden' || error.code === 'not_found') throw error;
        const view = await detailView(principal.tenant.id, idOf(request), {
          promoteProblems: [error.message],
          note,
        });
        return sendPage(reply, renderDeploymentPage(principal, view), error.statusCode);
      }
    },
  );

  app.post(
    '/deployments/:id/rollback',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Roll back with a reason') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const reason = firstString((request.body as Body | undefined)?.reason).trim();
      try {
        if (reason === '') {
          const view = await detailView(principal.tenant.id, idOf(request), {
            rollbackProblems: ['Reason is required: say why you roll back.'],
          });
          return sendPage(reply, renderDeploymentPage(principal, view), 400);
        }
        const redeployment = await deployments.rollback(
          principal,
          idOf(request),
          reason.slice(0, 2000),
          request.ip,
        );
        return reply.redirect(`/deployments/${redeployment.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code === 'forbidden' || error.code === 'not_found') throw error;
        const view = await detailView(principal.tenant.id, idOf(request), {
          rollbackProblems: [error.message],
          reason,
        });
        return sendPage(reply, renderDeploymentPage(principal, view), error.statusCode);
      }
    },
  );
}
