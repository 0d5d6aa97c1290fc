import { expect } from '@playwright/test';
import { bootstrapToken, type TestApp } from './test-app.ts';

/**
 * A tenant with the people of a release (data scientist, deployer, analyst, viewer) and a way
 * to train and register model versions through the platform's own API, as a data scientist would.
 */
export interface ModelWorld {
  tenantId: string;
  slug: string;
  keys: { scientist: string; deployer: string; analyst: string; viewer: string };
  users: { deployer: { id: string; email: string }; analyst: { id: string; email: string } };
  /** Uploads readings, runs one algorithm, registers the run; returns the version id. */
  registerVersion(options: {
    name: string;
    algorithm?: string;
    params?: Record<string, unknown>;
  }): Promise<string>;
}

export const as = (key: string) => ({ authorization: `Bearer ${key}` });

/** 300 readings around (60, 100) with a deterministic wobble, every 25th far out and labelled. */
export function sensorCsv(): string {
  const lines = ['temperature,pressure,label'];
  for (let row = 0; row < 300; row++) {
    const anomaly = row % 25 === 12;
    const wobble = ((row * 37) % 17) / 17 - 0.5;
    const temperature = anomaly ? 95 + wobble : 60 + wobble * 2;
    const pressure = anomaly ? 150 - wobble : 100 + wobble * 3;
    lines.push(`${temperature.toFixed(3)},${pressure.toFixed(3)},${anomaly ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Integration settings beyond sign-in: where alerts, incidents and lookups go. */
export interface WorldIntegrations {
  slackWebhookUrl?: string;
  pagerduty?: { routingKey: string; eventsUrl: string };
  threatIntel?: { baseUrl: string; apiKey: string };
}

async function createTenant(platform: TestApp, slug: string, integrations: WorldIntegrations) {
  const response = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/tenants',
    headers: { authorization: `Bearer ${bootstrapToken}` },
    payload: {
      slug,
      name: `Tenant ${slug}`,
      integrations: {
        oidc: { issuer: 'http://127.0.0.1:9/idp', clientId: `client-${slug}`, clientSecret: 'client-secret' },
        ...integrations,
      },
    },
  });
  if (response.statusCode !== 201)
    throw new Error(`creating tenant ${slug} answered ${response.statusCode}: ${response.body}`);
  return response.json() as { id: string };
}

export async function createModelWorld(
  platform: TestApp,
  slug: string,
  integrations: WorldIntegrations = {},
): Promise<ModelWorld> {
  const tenant = await createTenant(platform, slug, integrations);
  const people = {
    scientist: await platform.createUser(tenant.id, `sci@${slug}.test`, 'data_scientist'),
    deployer: await platform.createUser(tenant.id, `ops@${slug}.test`, 'ml_engineer'),
    analyst: await platform.createUser(tenant.id, `sec@${slug}.test`, 'security_analyst'),
    viewer: await platform.createUser(tenant.id, `view@${slug}.test`, 'viewer'),
  };
  const keys = {
    scientist: await platform.createApiKey(tenant.id, people.scientist.id),
    deployer: await platform.createApiKey(tenant.id, people.deployer.id),
    analyst: await platform.createApiKey(tenant.id, people.analyst.id),
    viewer: await platform.createApiKey(tenant.id, people.viewer.id),
  };
  let datasetId: string | undefined;

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await platform.server.inject({
      method,
      url,
      headers: as(keys.scientist),
      ...(payload === undefined ? {} : { payload: payload as never }),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.json();
  };

  return {
    tenantId: tenant.id,
    slug,
    keys,
    users: { deployer: people.deployer, analyst: people.analyst },
    async registerVersion({ name, algorithm = 'isolation_forest', params = { contamination: 0.04 } }) {
      if (!datasetId) {
        const form = new FormData();
        form.set('file', new Blob([sensorCsv()], { type: 'text/csv' }), 'readings.csv');
        datasetId = (await call('POST', '/api/datasets', form)).id as string;
      }
      const experiment = await call('POST', '/api/experiments', {
        datasetId,
        runs: [{ algorithm, params }],
      });
      await platform.app.context.jobs.idle();
      const done = await call('GET', `/api/experiments/${experiment.id}`);
      expect(done.status).toBe('completed');
      const version = await call('POST', '/api/models/versions', { runId: done.runs[0].id, name });
      return version.id as string;
    },
  };
}
