/**
 * @deprecated The security analyst's setup now comes from the scenario fixtures
 * (`streamingSession`, `modelInProduction` in fixtures/scenarios/fixtures.ts), the personas' API
 * tasks, `untilScored` (fixtures/streaming/until-scored.ts) and the typed client with its one
 * status check (`expectStatus`, fixtures/api/platform-client.ts). What is left here only forwards
 * to those, so journeys not yet moved still compile; it goes once none imports it.
 */

import { expectStatus } from '../../../fixtures/api/platform-client.ts';
import type {
  Deployment,
  ModelVersion,
  ScoreRow,
  StreamSession,
} from '../../../fixtures/api/platform-types.ts';
import type { SensorReadings } from '../../../fixtures/data/sensor-readings.ts';
import type { Persona } from '../../../fixtures/index.ts';
import { DataScientist } from '../../../fixtures/personas/data-scientist.ts';
import { asDeployer, startStreamingLine } from '../../../fixtures/scenarios/fixtures.ts';
import { untilScored as untilScoredBy } from '../../../fixtures/streaming/until-scored.ts';

/** @deprecated Use the generated types in fixtures/api/platform-types.ts. */
export type { Deployment, StreamSession };

/** @deprecated Use `expectStatus(status, persona.api.client.GET(...))`: typed, and the same failure message. */
export function apiCall<T>(
  persona: Persona,
  method: 'GET' | 'POST',
  path: string,
  expectedStatus: number,
  json?: unknown,
): Promise<T> {
  const call = persona.api.client.request(
    method.toLowerCase() as 'get',
    path as never,
    {
      ...(json === undefined ? {} : { body: json }),
    } as never,
  );
  return expectStatus(expectedStatus, call as Promise<{ data?: T; response: Response }>);
}

/** @deprecated Use `dataScientist.handOverModelThroughApi`. */
export async function registerSensorModel(
  scientist: Persona,
  readings: SensorReadings,
  modelName: string,
): Promise<ModelVersion> {
  const detector = { algorithm: 'robust_zscore', contamination: 0.05 } as const;
  return (await new DataScientist(scientist).handOverModelThroughApi(readings, detector, modelName)).version;
}

/** @deprecated Use `deployer.releaseThroughApi`, or the `modelInProduction` fixture. */
export function releaseToProduction(
  deployer: Persona,
  version: ModelVersion,
  smokeRow: ScoreRow,
): Promise<Deployment> {
  return asDeployer(deployer).releaseThroughApi(version, smokeRow);
}

/** @deprecated Use `deployer.rollBackThroughApi`. */
export function rollBack(deployer: Persona, production: Deployment, reason: string): Promise<Deployment> {
  return asDeployer(deployer).rollBackThroughApi(production, reason);
}

/** @deprecated Use `deployer.startStreamingSessionThroughApi`, or the `streamingSession` fixture. */
export function startStreamingSession(
  deployer: Persona,
  production: Deployment,
  name: string,
): Promise<StreamSession> {
  return asDeployer(deployer).startStreamingSessionThroughApi(production, name);
}

/** @deprecated Use `untilScored(persona.api, session, events)` from fixtures/streaming/until-scored.ts. */
export function untilScored(
  persona: Persona,
  session: StreamSession,
  events: number,
): Promise<StreamSession> {
  return untilScoredBy(persona.api, session, events);
}

/** @deprecated Use the `streamingSession` fixture. */
export function streamingInProduction(
  scientist: Persona,
  deployer: Persona,
  readings: SensorReadings,
  modelName: string,
) {
  return startStreamingLine({ readings, modelName, by: { scientist, deployer } });
}
