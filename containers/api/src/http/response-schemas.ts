import { z } from 'zod';
import type { Alert, AlertRule } from '../alerts/alert-rules-repo.ts';
import type { AuditRecord } from '../audit/audit-query.ts';
import { roles } from '../auth/roles.ts';
import type { ErasureResult } from '../compliance/erasure.ts';
import type { Dataset } from '../datasets/datasets-repo.ts';
import { deploymentStates } from '../deployments/deployment-states.ts';
import type { Deployment } from '../deployments/deployments-repo.ts';
import type { Health } from '../deployments/health-gate.ts';
import type { ScoreResult } from '../deployments/scoring.ts';
import type { Metrics } from '../detection/types.ts';
import type { AnomalyEvent } from '../events/anomaly-events-repo.ts';
import type { TimelineEntry } from '../events/event-activity-repo.ts';
import type { EventDetail } from '../events/event-service.ts';
import { eventStatuses } from '../events/event-states.ts';
import { severities } from '../events/severity.ts';
import type { Experiment, Job, Run } from '../experiments/experiments-repo.ts';
import type { LeaderboardEntry } from '../experiments/leaderboard.ts';
import type { ModelVersion } from '../models/model-versions.ts';
import type { IssuedProducerCredential, ProducerCredential } from '../streaming/producer-credentials.ts';
import type { SessionMetrics } from '../streaming/session-service.ts';
import { sessionStates } from '../streaming/session-states.ts';
import type { StreamSession } from '../streaming/sessions-repo.ts';
import type { SetAsideEvent } from '../streaming/set-aside-repo.ts';
import type { TenantSummary } from '../tenants/tenants.ts';
import type { User } from '../tenants/users.ts';

/**
 * The shapes of the API's JSON answers, as the OpenAPI document publishes them (named under
 * `components.schemas`) and as the answers are checked against before they leave (see
 * `response-check.ts`). Clients generate their types from the document, so each schema is tied
 * to the type the code returns: `sameShape` below fails the type-check when the two part.
 */
export const responseSchemas = z.registry<{ id: string }>();

function named<S extends z.ZodType>(id: string, schema: S): S {
  responseSchemas.add(schema, { id });
  return schema;
}

/** True only when A and B are the same type; the `satisfies true` lines fail the build otherwise. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const isoTime = z.string();
const algorithm = z.enum(['isolation_forest', 'lof', 'robust_zscore', 'knn']);
const jobState = z.enum(['queued', 'running', 'completed', 'failed']);
const params = z.record(z.string(), z.number());

export const person = named(
  'Person',
  z.strictObject({ id: z.string(), name: z.string(), email: z.string() }),
);

export const tenant = named(
  'Tenant',
  z.strictObject({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(['active', 'suspended']),
  }),
);
true satisfies Same<z.output<typeof tenant>, TenantSummary>;

export const user = named(
  'User',
  z.strictObject({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(roles) }),
);
true satisfies Same<z.output<typeof user>, User>;

export const createdApiKey = named(
  'CreatedApiKey',
  z.strictObject({ id: z.string(), name: z.string(), key: z.string() }),
);

export const me = named(
  'Me',
  z.strictObject({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    tenant: z.strictObject({ id: z.string(), slug: z.string(), name: z.string() }),
    csrfToken: z.string().optional(),
  }),
);

export const platformClock = named('PlatformClock', z.strictObject({ now: isoTime, offsetMs: z.number() }));

export const platformCapabilities = named(
  'PlatformCapabilities',
  z.strictObject({ testClock: z.boolean(), uploadMaxBytes: z.number().int() }),
);

export const erasure = named(
  'ErasureResult',
  z.strictObject({
    userId: z.string(),
    pseudonym: z.string(),
    alreadyErased: z.boolean(),
    sessions: z.number(),
    apiKeys: z.number(),
    auditEntries: z.number(),
    eventActivity: z.number(),
    deploymentNotes: z.number(),
  }),
);
true satisfies Same<z.output<typeof erasure>, ErasureResult>;

export const dataset = named(
  'Dataset',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    rows: z.number(),
    columns: z.array(z.string()),
    labelColumn: z.string().nullable(),
    labelled: z.boolean(),
    createdAt: isoTime,
    profile: z.strictObject({
      rows: z.number(),
      columns: z.array(
        z.strictObject({
          name: z.string(),
          type: z.enum(['number', 'string', 'boolean', 'timestamp']),
          missing: z.number(),
          min: z.union([z.number(), z.string()]).optional(),
          max: z.union([z.number(), z.string()]).optional(),
          mean: z.number().optional(),
          stddev: z.number().optional(),
        }),
      ),
    }),
  }),
);
true satisfies Same<z.output<typeof dataset>, Dataset>;

export const metrics = named(
  'Metrics',
  z.strictObject({
    precision: z.number(),
    recall: z.number(),
    f1: z.number(),
    rocAuc: z.number(),
    confusion: z.strictObject({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() }),
  }),
);
true satisfies Same<z.output<typeof metrics>, Metrics>;

export const run = named(
  'Run',
  z.strictObject({
    id: z.string(),
    experimentId: z.string(),
    algorithm,
    params,
    status: jobState,
    metrics: metrics.nullable(),
    anomalies: z.number().nullable(),
    anomalyRate: z.number().nullable(),
    threshold: z.number().nullable(),
    error: z.string().nullable(),
    createdAt: isoTime,
  }),
);
true satisfies Same<z.output<typeof run>, Run>;

export const experiment = named(
  'Experiment',
  z.strictObject({
    id: z.string(),
    datasetId: z.string(),
    name: z.string(),
    seed: z.number(),
    status: jobState,
    jobId: z.string(),
    progress: z.number(),
    runs: z.array(run),
    createdAt: isoTime,
  }),
);
true satisfies Same<z.output<typeof experiment>, Experiment>;

export const job = named(
  'Job',
  z.strictObject({
    id: z.string(),
    kind: z.enum(['experiment', 'run']),
    state: jobState,
    progress: z.number(),
    error: z.string().optional(),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
  }),
);
true satisfies Same<z.output<typeof job>, Job>;

export const leaderboardEntry = named(
  'LeaderboardEntry',
  z.strictObject({
    rank: z.number(),
    runId: z.string(),
    algorithm,
    params,
    value: z.number().nullable(),
    metrics: metrics.nullable(),
    anomalies: z.number().nullable(),
  }),
);
true satisfies Same<z.output<typeof leaderboardEntry>, LeaderboardEntry>;

export const runResultRow = named(
  'RunResultRow',
  z.strictObject({
    row: z.number(),
    values: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
    score: z.number(),
    anomaly: z.boolean(),
  }),
);

export const modelVersion = named(
  'ModelVersion',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    version: z.number(),
    stage: z.enum(['development', 'staging', 'production', 'archived']),
    sourceRunId: z.string().nullable(),
    algorithm,
    params,
    metrics: metrics.nullable(),
    createdAt: isoTime,
  }),
);
true satisfies Same<z.output<typeof modelVersion>, ModelVersion>;

export const deployment = named(
  'Deployment',
  z.strictObject({
    id: z.string(),
    environment: z.enum(['staging', 'production']),
    kind: z.enum(['deploy', 'promotion', 'rollback']),
    state: z.enum(deploymentStates),
    serving: z.boolean(),
    modelVersionId: z.string(),
    modelName: z.string(),
    version: z.number(),
    algorithm,
    rollbackVersionId: z.string().nullable(),
    rollbackVersion: z.number().nullable(),
    promotedFromId: z.string().nullable(),
    rollsBackId: z.string().nullable(),
    approvalNote: z.string().nullable(),
    failureReason: z.string().nullable(),
    rollbackReason: z.string().nullable(),
    rolledBackBy: person.nullable(),
    rolledBackAt: isoTime.nullable(),
    createdBy: person.nullable(),
    createdAt: isoTime,
    deployedAt: isoTime.nullable(),
    retiredAt: isoTime.nullable(),
  }),
);
true satisfies Same<z.output<typeof deployment>, Deployment>;

export const health = named(
  'Health',
  z.strictObject({
    healthy: z.boolean(),
    reasons: z.array(z.string()),
    windowMinutes: z.number(),
    requests: z.number(),
    errors: z.number(),
    errorRate: z.number().nullable(),
    p95LatencyMs: z.number().nullable(),
    limits: z.strictObject({ minRequests: z.number(), maxErrorRate: z.number(), maxP95Ms: z.number() }),
  }),
);
true satisfies Same<z.output<typeof health>, Health>;

export const scoreResult = named(
  'ScoreResult',
  z.strictObject({
    deploymentId: z.string(),
    modelVersionId: z.string(),
    modelName: z.string(),
    version: z.number(),
    algorithm: z.string(),
    threshold: z.number().nullable(),
    scores: z.array(z.number()),
    flags: z.array(z.boolean()),
    anomalies: z.number(),
  }),
);
true satisfies Same<z.output<typeof scoreResult>, ScoreResult>;

export const streamSession = named(
  'StreamSession',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    state: z.enum(sessionStates),
    error: z.string().nullable(),
    topic: z.string(),
    deploymentId: z.string(),
    modelName: z.string(),
    received: z.number(),
    scored: z.number(),
    anomalies: z.number(),
    rejected: z.number(),
    setAside: z.number(),
    createdBy: person.nullable(),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    stoppedAt: isoTime.nullable(),
    lastEventAt: isoTime.nullable(),
  }),
);
true satisfies Same<z.output<typeof streamSession>, StreamSession>;

export const sessionMetrics = named(
  'SessionMetrics',
  z.strictObject({
    sessionId: z.string(),
    state: z.enum(sessionStates),
    received: z.number(),
    scored: z.number(),
    anomalies: z.number(),
    rejected: z.number(),
    setAside: z.number(),
    eventsPerSecond: z.number(),
    p95LatencyMs: z.number().nullable(),
    series: z.array(z.strictObject({ at: isoTime, events: z.number(), p95LatencyMs: z.number().nullable() })),
  }),
);
true satisfies Same<z.output<typeof sessionMetrics>, SessionMetrics>;

export const setAsideEvent = named(
  'SetAsideEvent',
  z.strictObject({
    id: z.string(),
    eventId: z.string().nullable(),
    reason: z.string(),
    payloadBytes: z.number(),
    payloadPreview: z.string(),
    timesSeen: z.number(),
    firstSeenAt: isoTime,
    lastSeenAt: isoTime,
  }),
);
true satisfies Same<z.output<typeof setAsideEvent>, SetAsideEvent>;

export const alertRule = named(
  'AlertRule',
  z.strictObject({
    id: z.string(),
    sessionId: z.string(),
    name: z.string(),
    threshold: z.number(),
    windowSeconds: z.number(),
    minEvents: z.number(),
    firing: z.boolean(),
    createdAt: isoTime,
  }),
);
true satisfies Same<z.output<typeof alertRule>, AlertRule>;

export const alert = named(
  'Alert',
  z.strictObject({
    id: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    sessionId: z.string(),
    firedAt: isoTime,
    anomalyRate: z.number(),
    events: z.number(),
    anomalies: z.number(),
    windowSeconds: z.number(),
    threshold: z.number(),
    notification: z.enum(['pending', 'sent', 'failed', 'not_configured']),
    notificationError: z.string().nullable(),
  }),
);
true satisfies Same<z.output<typeof alert>, Alert>;

const anomalyEventShape = {
  id: z.string(),
  sessionId: z.string(),
  streamEventId: z.string().meta({ description: "the producer's event id within its session" }),
  severity: z.enum(severities),
  status: z.enum(eventStatuses),
  score: z.number(),
  threshold: z.number(),
  distance: z.number(),
  contributions: z.record(z.string(), z.number()),
  values: z.record(z.string(), z.number().nullable()),
  source: z.strictObject({ deviceId: z.string().nullable(), ip: z.string().nullable() }),
  occurredAt: isoTime,
  createdAt: isoTime,
  updatedAt: isoTime,
  escalatedAt: isoTime.nullable(),
  deploymentId: z.string().nullable(),
  modelVersionId: z.string().nullable(),
};

export const anomalyEvent = named('AnomalyEvent', z.strictObject(anomalyEventShape));
true satisfies Same<z.output<typeof anomalyEvent>, AnomalyEvent>;

export const timelineEntry = named(
  'TimelineEntry',
  z.strictObject({
    at: isoTime,
    action: z.enum(['raised', 'acknowledged', 'escalated', 'enriched', 'resolved', 'ignored', 'noted']),
    actor: person.nullable(),
    note: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  }),
);
true satisfies Same<z.output<typeof timelineEntry>, TimelineEntry>;

export const enrichment = named(
  'Enrichment',
  z.strictObject({
    ip: z.string(),
    status: z.enum(['found', 'not_found']),
    reputation: z.enum(['malicious', 'suspicious', 'clean', 'unknown']),
    score: z.number().nullable(),
    categories: z.array(z.string()),
    country: z.string().nullable(),
    lastSeen: isoTime.nullable(),
    checkedAt: isoTime,
  }),
);

export const eventDetail = named(
  'EventDetail',
  z.strictObject({
    ...anomalyEventShape,
    session: z.strictObject({ id: z.string(), name: z.string() }),
    enrichment: enrichment.nullable(),
    timeline: z.array(timelineEntry),
  }),
);
true satisfies Same<z.output<typeof eventDetail>, EventDetail>;

export const auditRecord = named(
  'AuditRecord',
  z.strictObject({
    id: z.number(),
    at: isoTime,
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    details: z.record(z.string(), z.unknown()),
  }),
);
true satisfies Same<z.output<typeof auditRecord>, AuditRecord>;

/** `{ items }`: a whole list. */
export const listOf = <S extends z.ZodType>(item: S) => z.strictObject({ items: z.array(item) });
/** `{ items, total }`: one page of a longer list. */
export const pageOf = <S extends z.ZodType>(item: S) =>
  z.strictObject({ items: z.array(item), total: z.number() });

const producerCredentialFields = {
  id: z.string(),
  name: z.string(),
  username: z.string(),
  publishTopic: z.string(),
  createdBy: z.string(),
  createdAt: isoTime,
  revokedAt: isoTime.nullable(),
};

export const producerCredential = named('ProducerCredential', z.strictObject(producerCredentialFields));
true satisfies Same<z.output<typeof producerCredential>, ProducerCredential>;

export const issuedProducerCredential = named(
  'IssuedProducerCredential',
  z.strictObject({ ...producerCredentialFields, password: z.string() }),
);
true satisfies Same<z.output<typeof issuedProducerCredential>, IssuedProducerCredential>;

export const brokerRights = named(
  'BrokerRights',
  z.strictObject({ tenantSlug: z.string(), publishTopic: z.string() }),
);
