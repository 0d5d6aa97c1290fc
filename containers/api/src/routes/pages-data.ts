import type { FastifyInstance } from 'fastify';
import { assertCsrfField, csrfFieldName } from '../auth/csrf.ts';
import { principalOf } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { findDataset, listDatasets } from '../datasets/datasets-repo.ts';
import { readUploadForm, type UploadedForm } from '../datasets/upload-reader.ts';
import { recordRefusedUpload, storeUploadedDataset } from '../datasets/upload-service.ts';
import { withTenant } from '../db/pool.ts';
import { listExperiments } from '../experiments/experiments-repo.ts';
import type { ApiError } from '../http/api-error.ts';
import { notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { isUuid } from '../http/validation.ts';
import { listModelVersions } from '../models/model-versions.ts';
import { isApiError, pageAccess, sendPage } from '../ui/page-access.ts';
import { renderDatasetPage } from '../ui/pages/dataset-page.ts';
import { renderDatasetsPage, type UploadProblem } from '../ui/pages/datasets-page.ts';
import { renderHomePage } from '../ui/pages/home-page.ts';
import { renderModelsPage } from '../ui/pages/models-page.ts';
import { page } from './page-docs.ts';

function uploadProblem(error: ApiError): UploadProblem {
  if (error.code === 'invalid_csv') {
    return {
      message: 'The file was not stored. Fix these problems and upload it again:',
      items: (error.details as { problem: string }[]).map((detail) => detail.problem),
    };
  }
  return { message: error.message, items: [] };
}

/** Home, datasets (list, upload, detail) and models pages. */
export function registerDataPages(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = pageAccess(ctx.pool, 'datasets', 'read');

  app.get('/', { preHandler: read, config: page('Home') }, async (request, reply) => {
    const principal = principalOf(request);
    const tenantId = principal.tenant.id;
    const summary = await withTenant(ctx.pool, tenantId, async (db) => {
      const { rows } = await db.query<{ datasets: number; experiments: number; model_versions: number }>(
        `SELECT (SELECT count(*)::int FROM datasets WHERE tenant_id = $1) AS datasets,
                (SELECT count(*)::int FROM experiments WHERE tenant_id = $1) AS experiments,
                (SELECT count(*)::int FROM model_versions WHERE tenant_id = $1) AS model_versions`,
        [tenantId],
      );
      const counts = rows[0];
      return {
        datasets: counts?.datasets ?? 0,
        experiments: counts?.experiments ?? 0,
        modelVersions: counts?.model_versions ?? 0,
      };
    });
    return sendPage(reply, renderHomePage(principal, summary));
  });

  const datasetsPage = async (
    request: Parameters<typeof principalOf>[0],
    options: { problem?: UploadProblem; values?: { name?: string; labelColumn?: string } } = {},
  ) => {
    const principal = principalOf(request);
    const datasets = await withTenant(ctx.pool, principal.tenant.id, (db) =>
      listDatasets(db, principal.tenant.id, { limit: 200, offset: 0 }),
    );
    return renderDatasetsPage(principal, datasets, { ...options, maxBytes: ctx.config.upload.maxBytes });
  };

  app.get(
    '/datasets',
    { preHandler: read, config: page('Datasets: list and upload form') },
    async (request, reply) => sendPage(reply, await datasetsPage(request)),
  );

  app.post(
    '/datasets',
    {
      preHandler: pageAccess(ctx.pool, 'datasets', 'write'),
      config: {
        csrfCheckedInHandler: true,
        rateLimit: limits.writes,
        doc: {
          summary: 'Upload form',
          tag: 'ui',
          auth: 'session',
          bodyType: 'multipart/form-data',
          responses: { 303: 'to the dataset', 400: 'page with the problems' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      let form: UploadedForm | undefined;
      try {
        form = await readUploadForm(request, ctx.config.upload.maxBytes);
        assertCsrfField(request, form.fields[csrfFieldName]);
        const dataset = await storeUploadedDataset(ctx, principal, request, form);
        return reply.redirect(`/datasets/${dataset.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code === 'forbidden') throw error;
        if (!form) await recordRefusedUpload(ctx, principal, request.ip, error, undefined);
        const values = { name: form?.fields.name ?? '', labelColumn: form?.fields.labelColumn ?? '' };
        return sendPage(
          reply,
          await datasetsPage(request, { problem: uploadProblem(error), values }),
          error.statusCode,
        );
      }
    },
  );

  app.get(
    '/datasets/:id',
    { preHandler: read, config: page('A dataset: summary and column profile') },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('dataset');
      const view = await withTenant(ctx.pool, principal.tenant.id, async (db) => {
        const dataset = await findDataset(db, principal.tenant.id, id);
        if (!dataset) return null;
        const experiments = await listExperiments(db, principal.tenant.id, {
          limit: 50,
          offset: 0,
          datasetId: id,
        });
        return { dataset, experiments: experiments.items };
      });
      if (!view) throw notFound('dataset');
      return sendPage(reply, renderDatasetPage(principal, view.dataset, view.experiments));
    },
  );

  app.get(
    '/models',
    { preHandler: pageAccess(ctx.pool, 'models', 'read'), config: page('Model versions') },
    async (request, reply) => {
      const principal = principalOf(request);
      const versions = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        listModelVersions(db, principal.tenant.id),
      );
      return sendPage(reply, renderModelsPage(principal, versions));
    },
  );
}
