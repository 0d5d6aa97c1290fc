import { expect } from '@playwright/test';
import { as, type ModelWorld } from './model-world.ts';
import type { TestApp } from './test-app.ts';

/**
 * Takes a registered version all the way to production through the API, as a deployer would:
 * deploy to staging, one smoke-scoring request, promotion with a note. Returns the production
 * deployment's id once it serves.
 */
export async function releaseToProduction(
  platform: TestApp,
  world: ModelWorld,
  versionId: string,
): Promise<string> {
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await platform.server.inject({
      method,
      url,
      headers: as(world.keys.deployer),
      ...(payload === undefined ? {} : { payload: payload as never }),
    });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json();
  };
  const staging = await call('POST', '/api/deployments', { modelVersionId: versionId });
  await platform.app.context.operations.deployments.idle();
  await call('POST', `/api/deployments/${staging.id}/score`, { rows: [{ temperature: 60, pressure: 100 }] });
  const production = await call('POST', `/api/deployments/${staging.id}/promote`, {
    note: 'smoke-tested on staging',
  });
  await platform.app.context.operations.deployments.idle();
  expect((await call('GET', `/api/deployments/${production.id}`)).state).toBe('deployed');
  return production.id;
}

/** A reading near the training data's centre, or far outside it (an anomaly). */
export function reading(index: number, anomalous: boolean): { temperature: number; pressure: number } {
  const wobble = ((index * 53) % 11) / 11 - 0.5;
  return anomalous
    ? { temperature: 97 + wobble, pressure: 152 + wobble }
    : { temperature: 60 + wobble * 1.5, pressure: 100 + wobble * 2 };
}
