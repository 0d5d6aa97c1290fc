import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { findDataset } from '../datasets/datasets-repo.ts';
import { withTenant } from '../db/pool.ts';
import { type AlgorithmName, isAlgorithmName } from '../detection/index.ts';
import { createExperiment, rerun } from '../experiments/experiment-service.ts';
import {
  type Experiment,
  findExperiment,
  findJob,
  findRun,
  listExperiments,
  loadRunResults,
} from '../experiments/experiments-repo.ts';
import { type RankingMetric, rankingMetrics, rankRuns } from '../experiments/leaderboard.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { isUuid } from '../http/validation.ts';
import { registerModelVersion } from '../models/registration.ts';
import { firstString, formProblems, isApiError, pageAccess, sendPage } from '../ui/page-access.ts';
import { renderExperimentPage } from '../ui/pages/experiment-page.ts';
import { renderExperimentsPage } from '../ui/pages/experiments-page.ts';
import {
  defaultExperimentForm,
  type ExperimentFormValues,
  renderNewExperimentPage,
} from '../ui/pages/new-experiment-page.ts';
import { type RerunValues, renderRunPage, rerunDefaults } from '../ui/pages/run-page.ts';
import { formPostAnswering, page } from './page-docs.ts';

type Body = Record<string, unknown>;

const formPost = formPostAnswering({ 303: 'to the result', 400: 'page with the problems' });

const asMetric = (value: unknown): RankingMetric =>
  (rankingMetrics as readonly string[]).includes(firstString(value))
    ? (firstString(value) as RankingMetric)
    : 'f1';

function experimentFormValues(body: Body): ExperimentFormValues {
  const chosen = body.algorithms;
  const list = Array.isArray(chosen) ? chosen : chosen === undefined ? [] : [chosen];
  return {
    algorithms: list.filter((value): value is string => typeof value === 'string'),
    contamination: firstString(body.contamination).trim(),
    period: firstString(body.period).trim(),
    name: firstString(body.name).trim(),
    seed: firstString(body.seed).trim(),
  };
}

/** The same request the API takes, built from the form; a blank field means "the default". */
function experimentRequest(datasetId: string, values: ExperimentFormValues) {
  const problems: string[] = [];
  const algorithms = values.algorithms.filter(isAlgorithmName);
  if (algorithms.length === 0) problems.push('Choose at least one algorithm.');
  let seed: number | undefined;
  if (values.seed !== '') {
    seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 2_147_483_647)
      problems.push('Seed must be a whole number of 0 or more.');
  }
  if (problems.length > 0) return { problems };
  const runs = algorithms.map((algorithm: AlgorithmName) => ({
    algorithm,
    params: {
      contamination: values.contamination,
      ...(algorithm === 'robust_zscore' && values.period !== '' ? { period: values.period } : {}),
    },
  }));
  return {
    request: {
      datasetId,
      runs,
      ...(values.name ? { name: values.name } : {}),
      ...(seed === undefined ? {} : { seed }),
    },
  };
}

/** Experiments (list, new, detail with live progress and leaderboard, register best) and run pages. */
export function registerExperimentPages(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = pageAccess(ctx.pool, 'datasets', 'read');
  const write = pageAccess(ctx.pool, 'datasets', 'write');

  app.get('/experiments', { preHandler: read, config: page('Experiments') }, async (request, reply) => {
    const principal = principalOf(request);
    const experiments = await withTenant(ctx.pool, principal.tenant.id, (db) =>
      listExperiments(db, principal.tenant.id, { limit: 200, offset: 0 }),
    );
    return sendPage(reply, renderExperimentsPage(principal, experiments));
  });

  const datasetFor = async (tenantId: string, datasetId: string) => {
    const dataset = isUuid(datasetId)
      ? await withTenant(ctx.pool, tenantId, (db) => findDataset(db, tenantId, datasetId))
      : null;
    if (!dataset) throw notFound('dataset');
    return dataset;
  };

  app.get(
    '/experiments/new',
    { preHandler: write, config: page('New experiment form') },
    async (request, reply) => {
      const principal = principalOf(request);
      const dataset = await datasetFor(principal.tenant.id, firstString((request.query as Body).datasetId));
      return sendPage(reply, renderNewExperimentPage(principal, dataset, defaultExperimentForm));
    },
  );

  app.post(
    '/experiments',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('New experiment form') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = (request.body ?? {}) as Body;
      const dataset = await datasetFor(principal.tenant.id, firstString(body.datasetId));
      const values = experimentFormValues(body);
      const built = experimentRequest(dataset.id, values);
      if (!built.request)
        return sendPage(reply, renderNewExperimentPage(principal, dataset, values, built.problems), 400);
      try {
        const experiment = await createExperiment(ctx, principal, built.request, request.ip);
        return reply.redirect(`/experiments/${experiment.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code !== 'validation_failed') throw error;
        return sendPage(reply, renderNewExperimentPage(principal, dataset, values, formProblems(error)), 400);
      }
    },
  );

  const experimentView = async (tenantId: string, id: string, metric: RankingMetric) => {
    if (!isUuid(id)) throw notFound('experiment');
    const view = await withTenant(ctx.pool, tenantId, async (db) => {
      const experiment = await findExperiment(db, tenantId, id);
      if (!experiment) return null;
      const [dataset, job] = await Promise.all([
        findDataset(db, tenantId, experiment.datasetId),
        findJob(db, tenantId, experiment.jobId),
      ]);
      return { experiment, dataset, job, metric, entries: rankRuns(experiment.runs, metric) };
    });
    if (!view) throw notFound('experiment');
    return view;
  };

  app.get(
    '/experiments/:id',
    { preHandler: read, config: page('An experiment: progress and leaderboard') },
    async (request, reply) => {
      const principal = principalOf(request);
      const view = await experimentView(
        principal.tenant.id,
        (request.params as { id: string }).id,
        asMetric((request.query as Body).metric),
      );
      return sendPage(reply, renderExperimentPage(principal, view));
    },
  );

  app.post(
    '/experiments/:id/register-best',
    {
      preHandler: pageAccess(ctx.pool, 'models', 'write'),
      config: { rateLimit: limits.writes, ...formPost('Register the best run as a model version') },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = (request.body ?? {}) as Body;
      const metric = asMetric(body.metric);
      const view = await experimentView(principal.tenant.id, (request.params as { id: string }).id, metric);
      const best = view.entries[0];
      const name = firstString(body.name).trim();
      const problem = !best
        ? 'No run has completed yet; register once the experiment has completed.'
        : name === ''
          ? 'Model name is required; give the model a name.'
          : null;
      if (problem || !best)
        return sendPage(
          reply,
          renderExperimentPage(principal, { ...view, problem: problem ?? undefined }),
          400,
        );
      try {
        await registerModelVersion(
          ctx,
          principal,
          { runId: best.runId, name: name.slice(0, 200) },
          request.ip,
        );
      } catch (error) {
        if (!isApiError(error)) throw error;
        return sendPage(
          reply,
          renderExperimentPage(principal, { ...view, problem: error.message }),
          error.statusCode,
        );
      }
      return reply.redirect('/models', 303);
    },
  );

  const runView = async (tenantId: string, id: string) => {
    if (!isUuid(id)) throw notFound('run');
    const view = await withTenant(ctx.pool, tenantId, async (db) => {
      const run = await findRun(db, tenantId, id);
      if (!run) return null;
      const experiment = (await findExperiment(db, tenantId, run.experimentId)) as Experiment;
      const results = run.status === 'completed' ? await loadRunResults(db, tenantId, id) : null;
      return { run, experiment, results };
    });
    if (!view) throw notFound('run');
    return view;
  };

  app.get(
    '/runs/:id',
    { preHandler: read, config: page('A run: metrics, score chart, exports, re-run') },
    async (request, reply) => {
      const principal = principalOf(request);
      const view = await runView(principal.tenant.id, (request.params as { id: string }).id);
      return sendPage(reply, renderRunPage(principal, { ...view, rerun: rerunDefaults(view.run) }));
    },
  );

  app.post(
    '/runs/:id/rerun',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Re-run with other parameters') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const id = (request.params as { id: string }).id;
      const body = (request.body ?? {}) as Body;
      const view = await runView(principal.tenant.id, id);
      const values: RerunValues = {
        contamination: firstString(body.contamination).trim(),
        threshold: firstString(body.threshold).trim(),
        period: firstString(body.period).trim(),
      };
      const overrides: Record<string, unknown> = { contamination: values.contamination };
      if (view.run.algorithm === 'robust_zscore') {
        overrides.threshold = values.threshold;
        overrides.period = values.period;
      }
      try {
        await rerun(ctx, principal, id, overrides, request.ip);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'validation_failed') throw error;
        return sendPage(
          reply,
          renderRunPage(principal, { ...view, rerun: values, problems: formProblems(error) }),
          400,
        );
      }
      return reply.redirect(`/experiments/${view.experiment.id}`, 303);
    },
  );
}
