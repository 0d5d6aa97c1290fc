import type { ErrorBody } from '../../fixtures/api/platform-types.ts';
import { expect, test } from '../../fixtures/index.ts';
import { OperationsApi } from '../../fixtures/streaming/operations-api.ts';
import { sampleRows } from './support/ground-truth.ts';

const note = 'Looks fine on my laptop.';

test('is refused an unsafe promotion', {
  tag: ['@e2e', '@production-deployer'],
}, async ({ dataScientist, deployer, admin, data }) => {
  const readings = data.sensorReadings({ rows: 600, features: 3, anomalyRate: 0.05 });
  const { version } = await dataScientist.handOverModelThroughApi(
    readings,
    { algorithm: 'knn', contamination: 0.05 },
    'chiller-detector',
  );
  await deployer.signInThroughSso();

  await test.step('production takes no version straight from development', async () => {
    await deployer.page.goto('/deployments');
    const form = deployer.page.getByRole('form', { name: 'Deploy to staging' });
    await expect(form.getByRole('combobox')).toHaveCount(1);
    await expect(form.getByRole('combobox')).toHaveAccessibleName('Model version');
    const refused = await deployer.api.raw<ErrorBody>('POST', '/api/deployments', {
      json: { modelVersionId: version.id, environment: 'production' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'conflict', details: [{ reason: 'promotion_required' }] });
    expect(refused.body.message).toBe(
      `Production only takes promotions: deploy version 1 of chiller-detector to staging, send it scoring traffic, then promote it with an approval note.`,
    );
  });

  const staging = await deployer.deployToStaging(version);

  await test.step('a staging deployment nobody has scored with is not promoted', async () => {
    const health = await deployer.operations.health(staging.id);
    expect(health).toMatchObject({ healthy: false, requests: 0 });
    expect(health.reasons).toHaveLength(1);
    expect(health.reasons[0]).toMatch(
      /^It answered 0 scoring requests in the last \d+ minutes and needs at least \d+; send it scoring traffic first\.$/,
    );

    const refusal = await deployer.tryToPromote(staging, note);
    expect(refusal.status).toBe(409);
    await expect(refusal.alert).toContainText('The deployment was not promoted:');
    await expect(refusal.alert).toContainText(
      `Promotion refused: the staging deployment is not healthy. ${health.reasons[0]}`,
    );
    await expect(
      deployer.page.getByRole('list', { name: 'Why it is not healthy' }).getByRole('listitem'),
    ).toHaveText(health.reasons);

    const byApi = await deployer.api.raw<ErrorBody>('POST', `/api/deployments/${staging.id}/promote`, {
      json: { note },
    });
    expect(byApi.status).toBe(409);
    expect(byApi.body).toMatchObject({ error: 'conflict', details: [{ reason: 'unhealthy' }] });
  });

  await test.step('a staging deployment that fails its scoring requests is not promoted', async () => {
    const sample = sampleRows(readings, { inliers: 3, anomalies: 1 });
    await deployer.smokeScore(staging, sample.rows);
    const broken = await deployer.api.raw<ErrorBody>('POST', `/api/deployments/${staging.id}/score`, {
      json: { rows: [{ temperature: 'hot' }] },
    });
    expect(broken.status).toBe(400);
    const health = await deployer.operations.health(staging.id);
    expect(health).toMatchObject({ healthy: false, requests: 2, errors: 1, errorRate: 0.5 });
    expect(health.reasons).toEqual([
      `Its error rate is 50.0% (1 of 2 requests), above the ${(health.limits.maxErrorRate * 100).toFixed(1)}% limit.`,
    ]);

    const refusal = await deployer.tryToPromote(staging, note);
    expect(refusal.status).toBe(409);
    await expect(refusal.alert).toContainText(
      `Promotion refused: the staging deployment is not healthy. ${health.reasons[0]}`,
    );
    const byApi = await deployer.api.raw<ErrorBody>('POST', `/api/deployments/${staging.id}/promote`, {
      json: { note },
    });
    expect(byApi.status).toBe(409);
    expect(byApi.body).toMatchObject({ details: [{ reason: 'unhealthy' }] });
  });

  await test.step('a data scientist cannot promote: no control on the page, 403 from the API', async () => {
    await dataScientist.page.goto(`/deployments/${staging.id}`);
    await expect(dataScientist.page.getByRole('heading', { level: 1 })).toHaveText(
      'chiller-detector v1 · Staging',
    );
    await expect(dataScientist.page.getByRole('table', { name: 'Health' })).toBeVisible();
    await expect(dataScientist.page.getByRole('region', { name: 'Promote to production' })).toHaveCount(0);
    await expect(dataScientist.page.getByRole('form', { name: 'Promote to production' })).toHaveCount(0);
    await expect(dataScientist.page.getByRole('button', { name: 'Promote' })).toHaveCount(0);
    await expect(dataScientist.page.getByLabel('Approval note')).toHaveCount(0);

    const forbidden = await dataScientist.api.raw<ErrorBody>(
      'POST',
      `/api/deployments/${staging.id}/promote`,
      { json: { note: 'Promoting it myself.' } },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: 'forbidden' });
    expect(forbidden.body.message).toBe(
      'Your role (data_scientist) cannot change deployments; ask a tenant admin for a role that can.',
    );
  });

  await test.step('nothing changed: no production deployment, staging as it was, every refusal on record', async () => {
    expect(await deployer.operations.deployments({ environment: 'production' })).toEqual([]);
    expect(await deployer.operations.deployments()).toHaveLength(1);
    expect(await deployer.operations.deployment(staging.id)).toMatchObject({
      state: 'deployed',
      serving: true,
      environment: 'staging',
    });
    const [registered] = (await deployer.api.modelVersions()).filter(
      (candidate) => candidate.id === version.id,
    );
    expect(registered?.stage).toBe('staging');
    expect(await deployer.operations.sessions()).toEqual([]);
    const audit = new OperationsApi(admin.api);
    const promotions = await audit.audit({ actions: ['deployment.promote'] });
    expect(promotions.map((entry) => [entry.outcome, entry.actorEmail])).toEqual(
      Array(4).fill(['failure', deployer.user.email]),
    );
    expect(promotions.every((entry) => entry.targetId === staging.id)).toBe(true);
    const denials = await audit.audit({ actions: ['permission.denied'], actor: dataScientist.user.email });
    expect(denials).toHaveLength(1);
    expect(denials[0]?.details).toMatchObject({
      method: 'POST',
      path: `/api/deployments/${staging.id}/promote`,
      needed: 'write',
    });
  });
});
