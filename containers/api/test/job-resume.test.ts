import { expect, test } from '@playwright/test';
import { withSystem } from '../src/db/pool.ts';
import { interruptedReason, JobQueue, type RunningJob } from '../src/jobs/job-queue.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let platform: TestApp;
let key = '';

test.beforeAll(async () => {
  platform = await startTestApp();
  const tenant = await platform.createTenant('foundry');
  const scientist = await platform.createUser(tenant.id, 'sci@foundry.test', 'data_scientist');
  key = await platform.createApiKey(tenant.id, scientist.id);
});
test.afterAll(async () => {
  await platform?.stop();
});

const headers = () => ({ authorization: `Bearer ${key}` });

async function finishedExperiment(datasetId: string, name: string): Promise<{ id: string; jobId: string }> {
  const created = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    headers: headers(),
    payload: { datasetId, name, runs: [{ algorithm: 'robust_zscore', params: { contamination: 0.05 } }] },
  });
  expect(created.statusCode, created.body).toBe(201);
  await platform.app.context.jobs.idle();
  return created.json();
}

test('at start-up a job the last process was running is failed with the reason, and only waiting jobs run', async () => {
  const form = new FormData();
  const rows = Array.from({ length: 50 }, (_, i) => `${60 + (i % 7)},${100 + (i % 5)}`);
  form.set(
    'file',
    new Blob([`temperature,pressure\n${rows.join('\n')}\n`], { type: 'text/csv' }),
    'kiln.csv',
  );
  const uploaded = await platform.server.inject({
    method: 'POST',
    url: '/api/datasets',
    headers: headers(),
    payload: form,
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const datasetId = uploaded.json().id as string;
  const cutShort = await finishedExperiment(datasetId, 'cut short');
  const waiting = await finishedExperiment(datasetId, 'waiting');

  // As a process that died mid-job leaves them: one job running with its run, one still queued.
  await withSystem(platform.pool, async (db) => {
    await db.query(`UPDATE jobs SET state = 'running', error = NULL, finished_at = NULL WHERE id = $1`, [
      cutShort.jobId,
    ]);
    await db.query(`UPDATE runs SET status = 'running', error = NULL WHERE job_id = $1`, [cutShort.jobId]);
    await db.query(`UPDATE jobs SET state = 'queued', finished_at = NULL WHERE id = $1`, [waiting.jobId]);
  });

  const ran: string[] = [];
  const handler = async (job: RunningJob) => {
    ran.push(job.id);
  };
  const restarted = new JobQueue(platform.pool, platform.server.log, { experiment: handler, run: handler });
  expect(await restarted.resumeUnfinished()).toBe(1);
  await restarted.idle();
  expect(ran).toEqual([waiting.jobId]);

  const job = await platform.server.inject({
    method: 'GET',
    url: `/api/jobs/${cutShort.jobId}`,
    headers: headers(),
  });
  expect(job.json()).toMatchObject({ state: 'failed', error: interruptedReason });
  const experiment = await platform.server.inject({
    method: 'GET',
    url: `/api/experiments/${cutShort.id}`,
    headers: headers(),
  });
  expect(
    experiment.json().runs.map((run: { status: string; error: string | null }) => [run.status, run.error]),
  ).toEqual([['failed', interruptedReason]]);
  expect(interruptedReason).toBe(
    'The platform stopped while this job ran, so it is not run again (had the job stopped it, it would at every start); run the experiment again, and report it if the platform stops again.',
  );
});
