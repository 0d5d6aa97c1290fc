import type { SensorReadings } from '../../../fixtures/data/sensor-readings.ts';
import { expect, type Persona } from '../../../fixtures/index.ts';
import type { Experiment, ModelVersion } from '../../../fixtures/personas/platform-types.ts';

/**
 * The work that precedes a security analyst's day, done through the platform's API by the
 * people whose job it is: a data scientist registers a detector trained on sensor readings, a
 * deployer takes it to production and opens a streaming session. Journeys call these as setup,
 * so the events the analyst triages come from a real model scoring a real stream.
 */

export interface Deployment {
  id: string;
  environment: 'staging' | 'production';
  state: string;
  serving: boolean;
  modelVersionId: string;
  version: number;
  rollbackVersionId: string | null;
}

export interface StreamSession {
  id: string;
  name: string;
  state: string;
  topic: string;
  received: number;
  scored: number;
  anomalies: number;
  rejected: number;
}

/** Calls the API as the persona and insists on one status, saying what came back otherwise. */
export async function apiCall<T>(
  persona: Persona,
  method: 'GET' | 'POST',
  path: string,
  expectedStatus: number,
  json?: unknown,
): Promise<T> {
  const answer = await persona.api.raw<T>(method, path, json === undefined ? {} : { json });
  if (answer.status !== expectedStatus) {
    throw new Error(
      `${persona.description}: ${method} ${path} answered ${answer.status}, expected ${expectedStatus}: ${JSON.stringify(answer.body)}`,
    );
  }
  return answer.body;
}

/** Uploads the readings, trains a robust z-score detector on them and registers it as a model version. */
export async function registerSensorModel(
  scientist: Persona,
  readings: SensorReadings,
  modelName: string,
): Promise<ModelVersion> {
  const upload = await scientist.api.uploadDataset(readings, { name: readings.name });
  if (upload.status !== 201) {
    throw new Error(`uploading ${readings.name} answered ${upload.status}: ${JSON.stringify(upload.body)}`);
  }
  const datasetId = (upload.body as { id: string }).id;
  const created = await apiCall<Experiment>(scientist, 'POST', '/api/experiments', 201, {
    datasetId,
    name: `${modelName} training`,
    runs: [{ algorithm: 'robust_zscore', params: { contamination: 0.05 } }],
  });
  await expect
    .poll(async () => (await scientist.api.getExperiment(created.id)).status, {
      message: `experiment ${created.id} completes`,
      timeout: 30_000,
    })
    .toBe('completed');
  const [run] = (await scientist.api.getExperiment(created.id)).runs;
  if (!run) throw new Error(`experiment ${created.id} has no run`);
  return apiCall<ModelVersion>(scientist, 'POST', '/api/models/versions', 201, {
    runId: run.id,
    name: modelName,
  });
}

async function untilDeployed(deployer: Persona, deployment: Deployment): Promise<Deployment> {
  await expect
    .poll(
      async () =>
        (await apiCall<Deployment>(deployer, 'GET', `/api/deployments/${deployment.id}`, 200)).state,
      { message: `deployment ${deployment.id} is deployed`, timeout: 30_000 },
    )
    .toBe('deployed');
  return apiCall<Deployment>(deployer, 'GET', `/api/deployments/${deployment.id}`, 200);
}

/** Staging, one smoke-scoring request so the health gate has traffic to judge, then promotion with a note. */
export async function releaseToProduction(
  deployer: Persona,
  version: ModelVersion,
  smokeRow: Record<string, number>,
): Promise<Deployment> {
  const staging = await untilDeployed(
    deployer,
    await apiCall<Deployment>(deployer, 'POST', '/api/deployments', 201, {
      modelVersionId: version.id,
      environment: 'staging',
    }),
  );
  await apiCall(deployer, 'POST', `/api/deployments/${staging.id}/score`, 200, { rows: [smokeRow] });
  const production = await apiCall<Deployment>(
    deployer,
    'POST',
    `/api/deployments/${staging.id}/promote`,
    201,
    { note: `${version.name} v${version.version} scored cleanly on staging` },
  );
  return untilDeployed(deployer, production);
}

/** Rolls production back to the version it replaced and waits until that version serves again. */
export async function rollBack(
  deployer: Persona,
  production: Deployment,
  reason: string,
): Promise<Deployment> {
  const redeployment = await apiCall<Deployment>(
    deployer,
    'POST',
    `/api/deployments/${production.id}/rollback`,
    201,
    { reason },
  );
  return untilDeployed(deployer, redeployment);
}

/** A session bound to the production deployment, started, so events published to its topic are scored. */
export async function startStreamingSession(
  deployer: Persona,
  production: Deployment,
  name: string,
): Promise<StreamSession> {
  const session = await apiCall<StreamSession>(deployer, 'POST', '/api/sessions', 201, {
    name,
    deploymentId: production.id,
  });
  return apiCall<StreamSession>(deployer, 'POST', `/api/sessions/${session.id}/start`, 200);
}

/** Waits until the platform has scored every published event of the session. */
export async function untilScored(
  persona: Persona,
  session: StreamSession,
  events: number,
): Promise<StreamSession> {
  await expect
    .poll(
      async () => (await apiCall<StreamSession>(persona, 'GET', `/api/sessions/${session.id}`, 200)).scored,
      { message: `session ${session.name} scored all ${events} events`, timeout: 30_000 },
    )
    .toBe(events);
  return apiCall<StreamSession>(persona, 'GET', `/api/sessions/${session.id}`, 200);
}

/** The whole preamble in one call: a registered detector serving production with a started session. */
export async function streamingInProduction(
  scientist: Persona,
  deployer: Persona,
  readings: SensorReadings,
  modelName: string,
): Promise<{ version: ModelVersion; production: Deployment; session: StreamSession }> {
  const version = await registerSensorModel(scientist, readings, modelName);
  const smokeRow = Object.fromEntries(
    readings.features.map((feature) => [feature, Number(readings.records[0]?.[feature])]),
  );
  const production = await releaseToProduction(deployer, version, smokeRow);
  const session = await startStreamingSession(deployer, production, `${modelName} stream`);
  return { version, production, session };
}
