import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { createSession } from '../src/auth/sessions.ts';
import { withTenant } from '../src/db/pool.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let platform: TestApp;
const keys = { scientist: '', viewer: '', other: '' };
let tenantId = '';

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp({ UPLOAD_MAX_BYTES: '20000' });
  const tenant = await platform.createTenant('lab');
  tenantId = tenant.id;
  const scientist = await platform.createUser(tenant.id, 'sci@lab.test', 'data_scientist');
  const viewer = await platform.createUser(tenant.id, 'view@lab.test', 'viewer');
  keys.scientist = await platform.createApiKey(tenant.id, scientist.id);
  keys.viewer = await platform.createApiKey(tenant.id, viewer.id);
  const other = await platform.createTenant('rival');
  const rival = await platform.createUser(other.id, 'sci@rival.test', 'tenant_admin');
  keys.other = await platform.createApiKey(other.id, rival.id);
});
test.afterAll(async () => {
  await platform?.stop();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

/** 200 rows, two features, every 20th row far out and labelled; a site column with risky text. */
function sensorCsv(): string {
  const sites = ['north', '@north', '+44 line', '-west', 'depot "B"'];
  const lines = ['temperature,pressure,site,label'];
  for (let row = 0; row < 200; row++) {
    const anomaly = row % 20 === 10;
    const wobble = ((row * 37) % 17) / 17 - 0.5;
    const temperature = anomaly ? 90 + wobble : 60 + wobble * 2;
    const pressure = anomaly ? 140 - wobble : 100 + wobble * 3;
    lines.push(
      `${temperature.toFixed(3)},${pressure.toFixed(3)},"${sites[row % sites.length]?.replace(/"/g, '""')}",${anomaly ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function upload(
  key: string,
  file: { name: string; type: string; content: string },
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('file', new Blob([file.content], { type: file.type }), file.name);
  return platform.server.inject({ method: 'POST', url: '/api/datasets', headers: as(key), payload: form });
}

async function datasetCount(): Promise<number> {
  return (
    await platform.server.inject({ method: 'GET', url: '/api/datasets', headers: as(keys.scientist) })
  ).json().total;
}

test('rejected uploads answer with the exact problem and store nothing', async () => {
  const cases = [
    {
      file: { name: 'r.csv', type: 'text/csv', content: 'a,b\n1,2\n3\n' },
      status: 400,
      error: 'invalid_csv',
      detail: { row: 3, column: null },
    },
    {
      file: { name: 'n.csv', type: 'text/csv', content: 'a,b\n1,2\n3,x\n5,6\n' },
      status: 400,
      error: 'invalid_csv',
      detail: { row: 3, column: 'b' },
    },
    {
      file: { name: 'f.csv', type: 'text/csv', content: 'a,s\n1,=1+2\n' },
      status: 400,
      error: 'invalid_csv',
      detail: { row: 2, column: 's' },
    },
    { file: { name: 'e.csv', type: 'text/csv', content: '' }, status: 400, error: 'invalid_csv' },
    {
      file: { name: 'big.csv', type: 'text/csv', content: `a\n${'1\n'.repeat(20_000)}` },
      status: 413,
      error: 'payload_too_large',
    },
    {
      file: { name: 'data.txt', type: 'text/plain', content: 'a\n1\n' },
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      file: { name: 'data.csv', type: 'application/json', content: 'a\n1\n' },
      status: 415,
      error: 'unsupported_media_type',
    },
  ];
  for (const { file, status, error, detail } of cases) {
    const response = await upload(keys.scientist, file);
    expect({ file: file.name, status: response.statusCode }).toEqual({ file: file.name, status });
    expect(response.json()).toMatchObject({ error, message: expect.any(String) });
    if (detail) expect(response.json().details).toEqual([expect.objectContaining(detail)]);
  }
  const notMultipart = await platform.server.inject({
    method: 'POST',
    url: '/api/datasets',
    headers: { ...as(keys.scientist), 'content-type': 'application/json' },
    payload: { csv: 'a\n1\n' },
  });
  expect(notMultipart.statusCode).toBe(415);
  expect(await datasetCount()).toBe(0);
});

test('the permission matrix holds over HTTP: a viewer reads but cannot upload, and the refusal is audited', async () => {
  const refused = await upload(keys.viewer, { name: 's.csv', type: 'text/csv', content: sensorCsv() });
  expect(refused.statusCode).toBe(403);
  expect(refused.json()).toMatchObject({ error: 'forbidden' });
  expect(
    (await platform.server.inject({ method: 'GET', url: '/api/datasets', headers: as(keys.viewer) }))
      .statusCode,
  ).toBe(200);
  const denied = await platform.pool.query(
    `SELECT 1 FROM audit_log WHERE tenant_id = $1 AND action = 'permission.denied'`,
    [tenantId],
  );
  expect(denied.rowCount).toBe(1);
  expect(await datasetCount()).toBe(0);
});

let datasetId = '';
let experiment: { id: string; jobId: string; runs: { id: string; algorithm: string }[] };

test('a valid upload is stored with its profile', async () => {
  const response = await upload(
    keys.scientist,
    { name: 'sensors.csv', type: 'text/csv', content: sensorCsv() },
    { name: 'Sensors' },
  );
  expect(response.statusCode).toBe(201);
  const dataset = response.json();
  datasetId = dataset.id;
  expect(dataset).toMatchObject({
    name: 'Sensors',
    rows: 200,
    columns: ['temperature', 'pressure', 'site', 'label'],
    labelColumn: 'label',
    labelled: true,
    profile: {
      rows: 200,
      columns: [
        { name: 'temperature', type: 'number', missing: 0 },
        { type: 'number' },
        { type: 'string' },
        { type: 'boolean' },
      ],
    },
  });
  expect(await datasetCount()).toBe(1);
});

test("another tenant's dataset is 404, never 403", async () => {
  const response = await platform.server.inject({
    method: 'GET',
    url: `/api/datasets/${datasetId}`,
    headers: as(keys.other),
  });
  expect(response.statusCode).toBe(404);
  expect(response.json()).toMatchObject({ error: 'not_found' });
  const experimentOnIt = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    headers: as(keys.other),
    payload: { datasetId, runs: [{ algorithm: 'knn', params: {} }] },
  });
  expect(experimentOnIt.statusCode).toBe(404);
});

test('bad parameters are refused before anything runs, naming the field', async () => {
  const response = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    headers: as(keys.scientist),
    payload: {
      datasetId,
      runs: [
        { algorithm: 'lof', params: { contamination: 0.9 } },
        { algorithm: 'magic', params: {} },
      ],
    },
  });
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({
    error: 'validation_failed',
    details: [{ field: 'runs.1.algorithm' }],
  });
  const params = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    headers: as(keys.scientist),
    payload: { datasetId, runs: [{ algorithm: 'lof', params: { contamination: 0.9 } }] },
  });
  expect(params.json()).toMatchObject({
    error: 'validation_failed',
    details: [{ field: 'runs.0.params.contamination' }],
  });
});

test('an experiment runs as a job to completion and ranks its runs', async () => {
  const created = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    headers: as(keys.scientist),
    payload: {
      datasetId,
      name: 'Compare',
      runs: [
        { algorithm: 'isolation_forest', params: { contamination: 0.05 } },
        { algorithm: 'robust_zscore', params: { contamination: 0.05 } },
        { algorithm: 'knn', params: { contamination: 0.05 } },
      ],
    },
  });
  expect(created.statusCode).toBe(201);
  experiment = created.json();
  expect(experiment).toMatchObject({ name: 'Compare', seed: 42, status: 'queued', progress: 0 });
  await platform.app.context.jobs.idle();

  const job = (
    await platform.server.inject({
      method: 'GET',
      url: `/api/jobs/${experiment.jobId}`,
      headers: as(keys.scientist),
    })
  ).json();
  expect(job).toMatchObject({ kind: 'experiment', state: 'completed', progress: 1 });
  const done = (
    await platform.server.inject({
      method: 'GET',
      url: `/api/experiments/${experiment.id}`,
      headers: as(keys.scientist),
    })
  ).json();
  expect(done.runs.map((run: { status: string; anomalies: number }) => [run.status, run.anomalies])).toEqual([
    ['completed', 10],
    ['completed', 10],
    ['completed', 10],
  ]);

  const board = (
    await platform.server.inject({
      method: 'GET',
      url: `/api/experiments/${experiment.id}/leaderboard?metric=f1`,
      headers: as(keys.scientist),
    })
  ).json();
  expect(board.metric).toBe('f1');
  const values = board.entries.map((entry: { value: number }) => entry.value);
  expect(values).toEqual([...values].sort((a, b) => b - a));
  expect(board.entries.map((entry: { rank: number }) => entry.rank)).toEqual([1, 2, 3]);
  expect(board.entries[0].metrics.f1).toBe(1);
  const badMetric = await platform.server.inject({
    method: 'GET',
    url: `/api/experiments/${experiment.id}/leaderboard?metric=vibes`,
    headers: as(keys.scientist),
  });
  expect(badMetric.statusCode).toBe(400);
});

test('results export as JSON and as CSV with formula cells neutralised', async () => {
  const runId = experiment.runs[0]?.id;
  const json = (
    await platform.server.inject({
      method: 'GET',
      url: `/api/runs/${runId}/results?format=json`,
      headers: as(keys.scientist),
    })
  ).json();
  expect(json.runId).toBe(runId);
  expect(json.rows).toHaveLength(200);
  expect(json.rows[1]).toMatchObject({ row: 2, values: { site: '@north', label: false }, anomaly: false });
  const flagged = json.rows
    .filter((row: { anomaly: boolean }) => row.anomaly)
    .map((row: { row: number }) => row.row);
  expect(flagged).toEqual(Array.from({ length: 10 }, (_, index) => index * 20 + 11));

  const csvResponse = await platform.server.inject({
    method: 'GET',
    url: `/api/runs/${runId}/results?format=csv`,
    headers: as(keys.scientist),
  });
  expect(csvResponse.headers['content-type']).toMatch(/^text\/csv/);
  expect(csvResponse.headers['content-disposition']).toBe(`attachment; filename="run-${runId}.csv"`);
  const records = parse(csvResponse.body, { columns: true }) as Record<string, string>[];
  expect(Object.keys(records[0] ?? {})).toEqual([
    'row',
    'temperature',
    'pressure',
    'site',
    'label',
    'score',
    'anomaly',
  ]);
  expect(records.slice(0, 5).map((record) => record.site)).toEqual([
    'north',
    "'@north",
    "'+44 line",
    "'-west",
    'depot "B"',
  ]);
  expect(records.map((record) => Number(record.score))).toEqual(
    json.rows.map((row: { score: number }) => row.score),
  );
  const exports = await platform.pool.query(
    `SELECT 1 FROM audit_log WHERE action = 'export.results' AND tenant_id = $1`,
    [tenantId],
  );
  expect(exports.rowCount).toBe(2);
});

test('a re-run adds a run to the experiment with the new parameters', async () => {
  const source = experiment.runs.find((run) => run.algorithm === 'knn');
  const response = await platform.server.inject({
    method: 'POST',
    url: `/api/runs/${source?.id}/rerun`,
    headers: as(keys.scientist),
    payload: { params: { contamination: 0.02 } },
  });
  expect(response.statusCode).toBe(201);
  const run = response.json();
  expect(run).toMatchObject({
    experimentId: experiment.id,
    algorithm: 'knn',
    params: { contamination: 0.02, k: 5 },
    status: 'queued',
  });
  await platform.app.context.jobs.idle();
  const done = (
    await platform.server.inject({ method: 'GET', url: `/api/runs/${run.id}`, headers: as(keys.scientist) })
  ).json();
  expect(done).toMatchObject({ status: 'completed', anomalies: 4, anomalyRate: 0.02 });
  const updated = (
    await platform.server.inject({
      method: 'GET',
      url: `/api/experiments/${experiment.id}`,
      headers: as(keys.scientist),
    })
  ).json();
  expect(updated.runs).toHaveLength(4);
  expect(updated.jobId).not.toBe(experiment.jobId);
});

test('registering runs numbers versions per model name', async () => {
  const register = (runId: string | undefined, name: string) =>
    platform.server.inject({
      method: 'POST',
      url: '/api/models/versions',
      headers: as(keys.scientist),
      payload: { runId, name },
    });
  const first = (await register(experiment.runs[0]?.id, 'sensor-model')).json();
  const second = (await register(experiment.runs[1]?.id, 'sensor-model')).json();
  const other = (await register(experiment.runs[1]?.id, 'other-model')).json();
  expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
  expect(first).toMatchObject({
    stage: 'development',
    sourceRunId: experiment.runs[0]?.id,
    algorithm: 'isolation_forest',
  });
  expect((await register(experiment.runs[0]?.id, 'x')).statusCode).toBe(201);
  const viewerAttempt = await platform.server.inject({
    method: 'POST',
    url: '/api/models/versions',
    headers: as(keys.viewer),
    payload: { runId: experiment.runs[0]?.id, name: 'nope' },
  });
  expect(viewerAttempt.statusCode).toBe(403);
  const list = (
    await platform.server.inject({ method: 'GET', url: '/api/models/versions', headers: as(keys.viewer) })
  ).json();
  expect(list.items).toHaveLength(4);
});

test('cookie-authenticated writes need the CSRF token; API keys do not', async () => {
  // A session created the way sign-in creates one.
  const user = await platform.pool.query<{ id: string }>(`SELECT id FROM users WHERE email = 'sci@lab.test'`);
  const created = await withTenant(platform.pool, tenantId, (db) =>
    createSession(db, tenantId, user.rows[0]?.id ?? '', 10),
  );
  const cookies = { sid: created.sid };

  const formPost = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `datasetId=${datasetId}`,
  });
  expect(formPost.statusCode).toBe(403);
  const uiPost = await platform.server.inject({
    method: 'POST',
    url: '/experiments',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `datasetId=${datasetId}&algorithms=knn`,
  });
  expect(uiPost.statusCode).toBe(403);
  expect(uiPost.body).toContain('This form has expired');
  const withToken = await platform.server.inject({
    method: 'POST',
    url: '/experiments',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `datasetId=${datasetId}&algorithms=knn&contamination=0.05&_csrf=${encodeURIComponent(created.csrfToken)}`,
  });
  expect(withToken.statusCode).toBe(303);
  expect(withToken.headers.location).toMatch(/^\/experiments\/[0-9a-f-]{36}$/);
  const json = await platform.server.inject({
    method: 'POST',
    url: '/api/experiments',
    cookies,
    payload: { datasetId, runs: [{ algorithm: 'knn', params: {} }] },
  });
  expect(json.statusCode).toBe(201);
  await platform.app.context.jobs.idle();
});
