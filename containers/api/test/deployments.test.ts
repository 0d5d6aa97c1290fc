import { expect, test } from '@playwright/test';
import { withTenant } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The release path on a real database: deploy to staging, the health gate, promotion with a
 * note, rollback with a reason, scoring with the right version at every step, and the audit trail.
 */
let platform: TestApp;
let world: ModelWorld;
let rivalKey = '';

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
  world = await createModelWorld(platform, 'plant');
  const rival = await platform.createTenant('rival');
  const rivalAdmin = await platform.createUser(rival.id, 'admin@rival.test', 'tenant_admin');
  rivalKey = await platform.createApiKey(rival.id, rivalAdmin.id);
});
test.afterAll(async () => {
  await platform?.stop();
});

const inject = (key: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  platform.server.inject({
    method,
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });

/** Waits for background releases, then reads the deployment. */
async function settled(id: string) {
  await platform.app.context.operations.deployments.idle();
  return (await inject(world.keys.deployer, 'GET', `/api/deployments/${id}`)).json();
}

async function deployToStaging(versionId: string) {
  const response = await inject(world.keys.deployer, 'POST', '/api/deployments', {
    modelVersionId: versionId,
  });
  expect(response.statusCode, response.body).toBe(201);
  expect(response.json()).toMatchObject({
    environment: 'staging',
    state: 'pending',
    modelVersionId: versionId,
  });
  return settled(response.json().id);
}

const probe = {
  rows: [
    { temperature: 60.2, pressure: 100.4 },
    { temperature: 96, pressure: 150 },
    { temperature: 59.8, pressure: null },
  ],
};

async function stageOf(versionId: string): Promise<string> {
  return (await inject(world.keys.deployer, 'GET', `/api/models/versions/${versionId}`)).json().stage;
}

const state: {
  v1: string;
  v2: string;
  staging1: string;
  production1: string;
  production2: string;
  v1Scores: number[];
} = {
  v1: '',
  v2: '',
  staging1: '',
  production1: '',
  production2: '',
  v1Scores: [],
};

test('production takes only promotions, and a data scientist cannot deploy at all', async () => {
  state.v1 = await world.registerVersion({ name: 'boiler' });
  const direct = await inject(world.keys.deployer, 'POST', '/api/deployments', {
    modelVersionId: state.v1,
    environment: 'production',
  });
  expect(direct.statusCode).toBe(409);
  expect(direct.json()).toMatchObject({ error: 'conflict', details: [{ reason: 'promotion_required' }] });
  expect(direct.json().message).toContain('deploy version 1 of boiler to staging');

  const scientist = await inject(world.keys.scientist, 'POST', '/api/deployments', {
    modelVersionId: state.v1,
  });
  expect(scientist.statusCode).toBe(403);
  expect(scientist.json().error).toBe('forbidden');
  const listed = await inject(world.keys.viewer, 'GET', '/api/deployments');
  expect(listed.json().items).toEqual([]);
});

test('a staging deployment goes pending → deploying → deployed and puts the version in staging', async () => {
  const deployment = await deployToStaging(state.v1);
  state.staging1 = deployment.id;
  expect(deployment).toMatchObject({
    state: 'deployed',
    serving: true,
    kind: 'deploy',
    version: 1,
    rollbackVersionId: null,
  });
  expect(deployment.deployedAt).not.toBeNull();
  expect(await stageOf(state.v1)).toBe('staging');
  const again = await inject(world.keys.deployer, 'POST', '/api/deployments', { modelVersionId: state.v1 });
  expect(again.statusCode).toBe(409);
  expect(again.json().details[0].reason).toBe('already_serving');
});

test('promotion without scoring traffic is refused with the reason, and the refusal is audited', async () => {
  const refused = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.staging1}/promote`, {
    note: 'looks fine',
  });
  expect(refused.statusCode).toBe(409);
  expect(refused.json().details[0].reason).toBe('unhealthy');
  expect(refused.json().message).toContain(
    'answered 0 scoring requests in the last 15 minutes and needs at least 1',
  );
  const noNote = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.staging1}/promote`, {
    note: '  ',
  });
  expect(noNote.statusCode).toBe(400);
  expect(noNote.json().details).toEqual([
    { field: 'note', problem: 'write an approval note saying why this version may serve production' },
  ]);
  const production = await inject(world.keys.deployer, 'GET', '/api/deployments?environment=production');
  expect(production.json().items).toEqual([]);
  const audit = await withTenant(platform.pool, world.tenantId, (db) =>
    db.query(`SELECT outcome, actor_email, details FROM audit_log WHERE action = 'deployment.promote'`),
  );
  expect(audit.rows).toEqual([
    expect.objectContaining({
      outcome: 'failure',
      actor_email: 'ops@plant.test',
      details: expect.objectContaining({ note: 'looks fine' }),
    }),
  ]);
});

/** The platform's count of rows scored through the API, by where (GET /metrics). */
async function scoredRows(): Promise<Record<string, number>> {
  const metrics = (await inject(world.keys.viewer, 'GET', '/metrics')).body;
  return Object.fromEntries(
    [...metrics.matchAll(/^scored_rows_total\{on="(\w+)"\} (\d+)$/gm)].map(([, on, rows]) => [
      on,
      Number(rows),
    ]),
  );
}

test('the staging model scores rows: the far reading is flagged, the same rows score the same', async () => {
  const scoredBefore = await scoredRows();
  const first = await inject(world.keys.viewer, 'POST', `/api/deployments/${state.staging1}/score`, probe);
  expect(first.statusCode, first.body).toBe(200);
  const body = first.json();
  expect(body).toMatchObject({
    deploymentId: state.staging1,
    modelVersionId: state.v1,
    version: 1,
    anomalies: 1,
  });
  expect(body.flags).toEqual([false, true, false]);
  expect(body.scores[1]).toBeGreaterThan(body.threshold);
  const again = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.staging1}/score`, probe);
  expect(again.json().scores).toEqual(body.scores);
  state.v1Scores = body.scores;
  // Two batches of three rows against a few training rows: cheaper on the event loop than handed over.
  const scoredAfter = await scoredRows();
  expect(scoredAfter).toEqual({
    event_loop: (scoredBefore.event_loop as number) + 6,
    scoring_thread: scoredBefore.scoring_thread,
  });

  const health = (await inject(world.keys.viewer, 'GET', `/api/deployments/${state.staging1}/health`)).json();
  expect(health).toMatchObject({ healthy: true, reasons: [], requests: 2, errors: 0, errorRate: 0 });
  expect(health.p95LatencyMs).toBeGreaterThan(0);
});

test('rows the model cannot read are refused by row and feature, and count against health', async () => {
  const bad = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.staging1}/score`, {
    rows: [{ temperature: 60, pressure: 100 }, { temperature: 'hot', pressure: 100 }, { temperature: 61 }],
  });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().details).toEqual([
    { row: 2, feature: 'temperature', problem: 'must be a number or null (got "hot")' },
    {
      row: 3,
      feature: 'pressure',
      problem:
        'is missing; send every feature the model uses (temperature, pressure), with null for a missing reading',
    },
  ]);
  expect(bad.json().message).toMatch(/^Row 2, feature temperature must be a number or null/);
  const health = (await inject(world.keys.viewer, 'GET', `/api/deployments/${state.staging1}/health`)).json();
  expect(health).toMatchObject({ healthy: false, requests: 3, errors: 1 });
  expect(health.reasons).toEqual(['Its error rate is 33.3% (1 of 3 requests), above the 5.0% limit.']);
});

test('a healthy staging deployment is promoted with a note; a data scientist may not promote', async () => {
  // Enough good traffic brings the error rate under the limit: 1 error in 21 requests is 4.8%.
  for (let i = 0; i < 18; i++) {
    expect(
      (await inject(world.keys.deployer, 'POST', `/api/deployments/${state.staging1}/score`, probe))
        .statusCode,
    ).toBe(200);
  }
  const scientist = await inject(world.keys.scientist, 'POST', `/api/deployments/${state.staging1}/promote`, {
    note: 'ship it',
  });
  expect(scientist.statusCode).toBe(403);

  const promoted = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.staging1}/promote`, {
    note: 'F1 0.97 on the March data; approved by the plant lead',
  });
  expect(promoted.statusCode, promoted.body).toBe(201);
  expect(promoted.json()).toMatchObject({
    environment: 'production',
    kind: 'promotion',
    promotedFromId: state.staging1,
  });
  const production = await settled(promoted.json().id);
  state.production1 = production.id;
  expect(production).toMatchObject({
    state: 'deployed',
    approvalNote: 'F1 0.97 on the March data; approved by the plant lead',
    rollbackVersionId: null,
    createdBy: { email: 'ops@plant.test' },
  });
  expect(await stageOf(state.v1)).toBe('production');
  const scored = await inject(
    world.keys.viewer,
    'POST',
    `/api/deployments/${state.production1}/score`,
    probe,
  );
  expect(scored.json().scores).toEqual(state.v1Scores);
});

test('promoting v2 supersedes v1 in production and records v1 as the rollback version', async () => {
  state.v2 = await world.registerVersion({
    name: 'boiler',
    algorithm: 'knn',
    params: { k: 3, contamination: 0.3 },
  });
  const staging2 = await deployToStaging(state.v2);
  expect(staging2).toMatchObject({ state: 'deployed', rollbackVersionId: state.v1, rollbackVersion: 1 });
  expect((await settled(state.staging1)).state).toBe('superseded');
  await inject(world.keys.deployer, 'POST', `/api/deployments/${staging2.id}/score`, probe);
  const promoted = await inject(world.keys.deployer, 'POST', `/api/deployments/${staging2.id}/promote`, {
    note: 'k-NN wins',
  });
  expect(promoted.statusCode, promoted.body).toBe(201);
  const production2 = await settled(promoted.json().id);
  state.production2 = production2.id;
  expect(production2).toMatchObject({
    state: 'deployed',
    version: 2,
    rollbackVersionId: state.v1,
    rollbackVersion: 1,
  });
  expect(await settled(state.production1)).toMatchObject({ state: 'superseded', serving: false });
  expect(await stageOf(state.v1)).toBe('archived');
  expect(await stageOf(state.v2)).toBe('production');

  const old = await inject(world.keys.viewer, 'POST', `/api/deployments/${state.production1}/score`, probe);
  expect(old.statusCode).toBe(409);
  expect(old.json().details).toEqual([
    { reason: 'not_serving', state: 'superseded', servingDeploymentId: state.production2 },
  ]);
});

test('rolling back v2 brings v1 back, scoring exactly as before, with who and why recorded', async () => {
  const noReason = await inject(
    world.keys.deployer,
    'POST',
    `/api/deployments/${state.production2}/rollback`,
    {},
  );
  expect(noReason.statusCode).toBe(400);
  const rolled = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.production2}/rollback`, {
    reason: 'v2 floods the night shift with false alarms',
  });
  expect(rolled.statusCode, rolled.body).toBe(201);
  expect(rolled.json()).toMatchObject({
    kind: 'rollback',
    modelVersionId: state.v1,
    rollsBackId: state.production2,
  });
  const redeployment = await settled(rolled.json().id);
  expect(redeployment).toMatchObject({
    state: 'deployed',
    environment: 'production',
    version: 1,
    rollbackVersionId: state.v2,
  });
  expect(await settled(state.production2)).toMatchObject({
    state: 'rolled_back',
    serving: false,
    rollbackReason: 'v2 floods the night shift with false alarms',
    rolledBackBy: { email: 'ops@plant.test' },
  });
  expect(await stageOf(state.v1)).toBe('production');
  expect(await stageOf(state.v2)).toBe('archived');

  const scored = await inject(world.keys.viewer, 'POST', `/api/deployments/${redeployment.id}/score`, probe);
  expect(scored.json()).toMatchObject({ modelVersionId: state.v1, scores: state.v1Scores });
  const twice = await inject(world.keys.deployer, 'POST', `/api/deployments/${state.production2}/rollback`, {
    reason: 'again',
  });
  expect(twice.statusCode).toBe(409);
  expect(twice.json().message).toContain('This deployment is rolled_back, so it cannot be rolled back');

  const audit = await withTenant(platform.pool, world.tenantId, (db) =>
    db.query<{ action: string; outcome: string; actor_email: string; details: Record<string, unknown> }>(
      `SELECT action, outcome, actor_email, details FROM audit_log
        WHERE action LIKE 'deployment.%' AND outcome = 'success' ORDER BY id`,
    ),
  );
  expect(audit.rows.map((row) => [row.action, row.actor_email])).toEqual([
    ['deployment.deploy', 'ops@plant.test'],
    ['deployment.promote', 'ops@plant.test'],
    ['deployment.deploy', 'ops@plant.test'],
    ['deployment.promote', 'ops@plant.test'],
    ['deployment.rollback', 'ops@plant.test'],
  ]);
  expect(audit.rows[4]?.details).toMatchObject({
    reason: 'v2 floods the night shift with false alarms',
    fromVersion: 2,
    toVersion: 1,
  });
  expect(audit.rows[1]?.details).toMatchObject({
    note: 'F1 0.97 on the March data; approved by the plant lead',
  });
});

test("another tenant's deployments are 404 for every route, even with a valid key", async () => {
  for (const [method, url, payload] of [
    ['GET', `/api/deployments/${state.production2}`, undefined],
    ['GET', `/api/deployments/${state.production2}/health`, undefined],
    ['POST', `/api/deployments/${state.staging1}/score`, probe],
    ['POST', `/api/deployments/${state.staging1}/promote`, { note: 'mine now' }],
    ['POST', `/api/deployments/${state.production2}/rollback`, { reason: 'mine now' }],
  ] as const) {
    const response = await inject(rivalKey, method, url, payload);
    expect(response.statusCode, url).toBe(404);
    expect(response.json().error).toBe('not_found');
  }
  expect((await inject(rivalKey, 'GET', '/api/deployments')).json().items).toEqual([]);
});
