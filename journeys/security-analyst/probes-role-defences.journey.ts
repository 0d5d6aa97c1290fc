import { randomUUID } from 'node:crypto';
import { expect, test } from '../../fixtures/index.ts';
import { type Attempt, attempt } from '../../fixtures/personas/attempts.ts';

const tags = ['@e2e', '@security-analyst', '@security'];

test.describe('probes the defences', () => {
  test("a viewer's writes get 403 and change nothing", {
    tag: tags,
  }, async ({ viewer, securityAnalyst, dataScientist, data }) => {
    const readings = data.sensorReadings({ rows: 20, features: 2, anomalyRate: 0.1 });
    expect((await dataScientist.api.uploadDataset(readings, { name: 'calibration run' })).status).toBe(201);
    const before = await viewer.api.listDatasets();
    expect(before.total).toBe(1);

    await test.step('the pages offer the viewer no way to change anything', async () => {
      await viewer.page.goto('/datasets');
      await expect(
        viewer.page.getByRole('table', { name: 'Datasets' }).locator('tbody').getByRole('row'),
      ).toHaveCount(1);
      await expect(viewer.page.getByRole('form', { name: 'Upload a dataset' })).toHaveCount(0);
    });

    const writes: Attempt[] = [
      {
        method: 'POST',
        path: '/api/experiments',
        json: { datasetId: before.items[0]?.id, runs: [{ algorithm: 'lof', params: {} }] },
      },
      { method: 'POST', path: '/api/models/versions', json: { runId: randomUUID(), name: 'sneaky' } },
      { method: 'POST', path: '/api/deployments', json: { modelVersionId: randomUUID() } },
      { method: 'POST', path: '/api/sessions', json: { name: 'sneaky', deploymentId: randomUUID() } },
      { method: 'POST', path: `/api/events/${randomUUID()}/acknowledge`, json: {} },
      { method: 'POST', path: `/api/events/${randomUUID()}/escalate`, json: {} },
    ];
    await test.step('every write through the API is 403 with the reason', async () => {
      for (const write of writes) {
        const answer = await attempt(viewer, write);
        expect(answer.status, `${write.method} ${write.path}`).toBe(403);
        expect(answer.body.error).toBe('forbidden');
        expect(answer.body.message).toMatch(/^Your role \(viewer\) cannot change /);
      }
      const upload = await viewer.api.uploadDataset(readings, { name: 'sneaky upload' });
      expect(upload.status).toBe(403);
      // The reason names what was refused: a change, not a look.
      expect(upload.body).toEqual({
        error: 'forbidden',
        message:
          'Your role (viewer) cannot change datasets and experiments; ask a tenant admin for a role that can.',
        details: [],
      });
      const audit = await attempt(viewer, { method: 'GET', path: '/api/audit' });
      expect(audit.status, 'the audit log is not for viewers').toBe(403);
    });

    await test.step('nothing changed, and every refusal is on record', async () => {
      expect(await viewer.api.listDatasets()).toEqual(before);
      const denied = await securityAnalyst.auditEntries({
        action: 'permission.denied',
        actor: viewer.user.email,
      });
      const refused = [
        ...writes,
        { method: 'POST', path: '/api/datasets' },
        { method: 'GET', path: '/api/audit' },
      ];
      expect(denied).toHaveLength(refused.length);
      for (const { method, path } of refused) {
        expect(denied).toHaveAuditEntry(
          { actorEmail: viewer.user.email, outcome: 'denied', details: { method, path } },
          { times: 1 },
        );
      }
    });
  });
});
