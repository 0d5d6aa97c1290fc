/**
 * Every request of the platform's contract that names a record by id, and what the isolation
 * journey sends there with another tenant's id. Derived from the contract: `uncoveredOperations`
 * lists each operation with an id in its path or body that is neither probed here nor named as
 * not tenant-scoped, so a new route cannot be forgotten (tests/unit/isolation-probes.test.ts).
 */

/** Tenant B's records the probes aim at, one of each kind. */
export interface RivalIds {
  dataset: string;
  experiment: string;
  job: string;
  run: string;
  version: string;
  /** The staging deployment the production one was promoted from. */
  staging: string;
  production: string;
  session: string;
  event: string;
  auditEntry: string;
  apiKey: string;
  /** A credential B's deployer issued for B's producers. */
  producerCredential: string;
  user: string;
}

export type RivalRecord = keyof RivalIds;

/** Who in tenant A tries: the role that may make the request in its own tenant, so a refusal is about the id. */
export type Prober = 'scientist' | 'deployer' | 'analyst' | 'admin';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Probe {
  /** The contract's operation, "METHOD /path/{param}". */
  operation: `${Method} /${string}`;
  prober: Prober;
  /** Which of B's records goes where: the path parameter, or the body or query field that names it. */
  target: RivalRecord;
  /** The body field that carries the id; absent when it goes in the path. */
  bodyField?: string;
  /** The query field that carries the id (a list's filter); absent when it goes in the path. */
  queryField?: string;
  /**
   * The one right answer, for B's id and an unknown one alike: 404, or for a list filtered by
   * the id, 200 with nothing in it.
   */
  answers?: 404 | 200;
  /** A body the request would be accepted with in tenant A, so only the id can make it fail. */
  body?: Record<string, unknown>;
  /** Query string the request needs besides the id. */
  query?: string;
}

/** The API's id-taking operations, each with the one persona of A that may call it. */
export const apiProbes: readonly Probe[] = [
  { operation: 'GET /api/datasets/{id}', prober: 'scientist', target: 'dataset' },
  {
    operation: 'POST /api/experiments',
    prober: 'scientist',
    target: 'dataset',
    bodyField: 'datasetId',
    body: { name: 'probe', runs: [{ algorithm: 'robust_zscore', params: { contamination: 0.05 } }] },
  },
  {
    operation: 'GET /api/experiments',
    prober: 'scientist',
    target: 'dataset',
    queryField: 'datasetId',
    answers: 200,
  },
  { operation: 'GET /api/experiments/{id}', prober: 'scientist', target: 'experiment' },
  { operation: 'GET /api/experiments/{id}/leaderboard', prober: 'scientist', target: 'experiment' },
  { operation: 'GET /api/jobs/{id}', prober: 'scientist', target: 'job' },
  { operation: 'GET /api/runs/{id}', prober: 'scientist', target: 'run' },
  { operation: 'GET /api/runs/{id}/results', prober: 'scientist', target: 'run', query: 'format=csv' },
  { operation: 'POST /api/runs/{id}/rerun', prober: 'scientist', target: 'run', body: { params: {} } },
  {
    operation: 'POST /api/models/versions',
    prober: 'scientist',
    target: 'run',
    bodyField: 'runId',
    body: { name: 'probe-detector' },
  },
  { operation: 'GET /api/models/versions/{id}', prober: 'scientist', target: 'version' },
  {
    operation: 'POST /api/deployments',
    prober: 'deployer',
    target: 'version',
    bodyField: 'modelVersionId',
    body: { environment: 'staging' },
  },
  { operation: 'GET /api/deployments/{id}', prober: 'deployer', target: 'production' },
  { operation: 'GET /api/deployments/{id}/health', prober: 'deployer', target: 'production' },
  {
    operation: 'POST /api/deployments/{id}/promote',
    prober: 'deployer',
    target: 'staging',
    body: { note: 'probing another tenant' },
  },
  {
    operation: 'POST /api/deployments/{id}/rollback',
    prober: 'deployer',
    target: 'production',
    body: { reason: 'probing another tenant' },
  },
  {
    operation: 'POST /api/deployments/{id}/score',
    prober: 'deployer',
    target: 'production',
    body: { rows: [{ f1: 1, f2: 2, f3: 3 }] },
  },
  {
    operation: 'POST /api/sessions',
    prober: 'deployer',
    target: 'production',
    bodyField: 'deploymentId',
    body: { name: 'probe stream' },
  },
  { operation: 'GET /api/sessions/{id}', prober: 'deployer', target: 'session' },
  { operation: 'GET /api/sessions/{id}/metrics', prober: 'deployer', target: 'session' },
  { operation: 'GET /api/sessions/{id}/set-aside-events', prober: 'deployer', target: 'session' },
  { operation: 'GET /api/sessions/{id}/alert-rules', prober: 'deployer', target: 'session' },
  {
    operation: 'POST /api/sessions/{id}/alert-rules',
    prober: 'deployer',
    target: 'session',
    body: { name: 'probe rule', threshold: 0.5 },
  },
  { operation: 'POST /api/sessions/{id}/pause', prober: 'deployer', target: 'session' },
  { operation: 'POST /api/sessions/{id}/resume', prober: 'deployer', target: 'session' },
  { operation: 'POST /api/sessions/{id}/start', prober: 'deployer', target: 'session' },
  { operation: 'POST /api/sessions/{id}/stop', prober: 'deployer', target: 'session' },
  {
    operation: 'GET /api/events',
    prober: 'analyst',
    target: 'session',
    queryField: 'sessionId',
    answers: 200,
  },
  {
    operation: 'GET /api/alerts',
    prober: 'analyst',
    target: 'session',
    queryField: 'sessionId',
    answers: 200,
  },
  { operation: 'GET /api/events/{id}', prober: 'analyst', target: 'event' },
  { operation: 'GET /api/events/{id}/timeline', prober: 'analyst', target: 'event' },
  { operation: 'GET /api/events/{id}/enrichment', prober: 'analyst', target: 'event' },
  { operation: 'POST /api/events/{id}/enrichment', prober: 'analyst', target: 'event', body: {} },
  { operation: 'POST /api/events/{id}/acknowledge', prober: 'analyst', target: 'event', body: {} },
  { operation: 'POST /api/events/{id}/escalate', prober: 'analyst', target: 'event', body: {} },
  { operation: 'POST /api/events/{id}/ignore', prober: 'analyst', target: 'event', body: { note: 'probe' } },
  { operation: 'POST /api/events/{id}/resolve', prober: 'analyst', target: 'event', body: { note: 'probe' } },
  { operation: 'POST /api/events/{id}/notes', prober: 'analyst', target: 'event', body: { text: 'probe' } },
  { operation: 'GET /api/audit/{id}', prober: 'analyst', target: 'auditEntry' },
  { operation: 'DELETE /api/me/api-keys/{keyId}', prober: 'analyst', target: 'apiKey' },
  { operation: 'DELETE /api/producer-credentials/{id}', prober: 'deployer', target: 'producerCredential' },
  { operation: 'POST /api/users/{userId}/erase', prober: 'admin', target: 'user' },
];

/** Page forms that send what their API twin sends (as form fields), to the same service. */
const formTwins: Readonly<Record<string, `POST /${string}`>> = {
  'POST /api/deployments': 'POST /deployments',
  'POST /api/deployments/{id}/promote': 'POST /deployments/{id}/promote',
  'POST /api/deployments/{id}/rollback': 'POST /deployments/{id}/rollback',
  'POST /api/sessions': 'POST /sessions',
  'POST /api/sessions/{id}/alert-rules': 'POST /sessions/{id}/alert-rules',
  'POST /api/sessions/{id}/pause': 'POST /sessions/{id}/pause',
  'POST /api/sessions/{id}/resume': 'POST /sessions/{id}/resume',
  'POST /api/sessions/{id}/start': 'POST /sessions/{id}/start',
  'POST /api/sessions/{id}/stop': 'POST /sessions/{id}/stop',
  'POST /api/events/{id}/acknowledge': 'POST /alerts/{id}/acknowledge',
  'POST /api/events/{id}/escalate': 'POST /alerts/{id}/escalate',
  'POST /api/events/{id}/ignore': 'POST /alerts/{id}/ignore',
  'POST /api/events/{id}/resolve': 'POST /alerts/{id}/resolve',
  'POST /api/events/{id}/notes': 'POST /alerts/{id}/notes',
  'POST /api/events/{id}/enrichment': 'POST /alerts/{id}/enrich',
  'POST /api/users/{userId}/erase': 'POST /settings/people/{userId}/erase',
};

/**
 * The pages' forms that name a record: each goes to the same service as its API twin, and must
 * refuse B's id with the same "Page not found" as an unknown one. POST /experiments, /deployments
 * and /sessions carry the id in a form field the contract does not describe, so the contract
 * check cannot find them: they are listed here by hand.
 */
export const formProbes: readonly Probe[] = [
  {
    operation: 'POST /experiments',
    prober: 'scientist',
    target: 'dataset',
    bodyField: 'datasetId',
    body: {},
  },
  {
    operation: 'POST /experiments/{id}/register-best',
    prober: 'scientist',
    target: 'experiment',
    body: { name: 'probe-detector' },
  },
  { operation: 'POST /runs/{id}/rerun', prober: 'scientist', target: 'run', body: { contamination: '0.1' } },
  ...apiProbes.flatMap((probe) => {
    const twin = formTwins[probe.operation];
    return twin ? [{ ...probe, operation: twin }] : [];
  }),
];

/** Operations that take an id but are not a tenant's records to probe, each with the reason. */
export const notTenantScoped: Readonly<Record<string, string>> = {
  'GET /assets/{name}': 'static files of the UI, the same for every tenant',
  'GET /auth/sso/{tenantSlug}':
    'the public sign-in entry; a tenant is named on purpose before anyone signs in',
  'GET /login/{tenantSlug}': 'the public sign-in page; a tenant is named on purpose before anyone signs in',
  'DELETE /api/admin/tenants/{tenantId}':
    "the platform operator's bootstrap token spans all tenants by design",
  'GET /api/admin/tenants/{tenantId}': "the platform operator's bootstrap token spans all tenants by design",
  'POST /api/admin/tenants/{tenantId}/users':
    "the platform operator's bootstrap token spans all tenants by design",
  'POST /api/admin/tenants/{tenantId}/users/{userId}/api-keys':
    "the platform operator's bootstrap token spans all tenants by design",
  'DELETE /api/admin/tenants/{tenantId}/users/{userId}/api-keys/{keyId}':
    "the platform operator's bootstrap token spans all tenants by design",
  'POST /api/admin/tenants/{tenantId}/users/{userId}/erase':
    "the platform operator's bootstrap token spans all tenants by design",
  'PATCH /api/admin/tenants/{tenantId}':
    "the platform operator's bootstrap token spans all tenants by design",
  'POST /api/admin/broker/authenticate':
    'the broker asks with the bootstrap token which tenant a producer credential belongs to; it names no tenant',
  'POST /api/admin/broker/refusals':
    "the broker reports a refusal with the bootstrap token; the platform files it under the credential's own tenant",
  'PATCH /api/admin/tenants/{tenantId}/users/{userId}':
    "the platform operator's bootstrap token spans all tenants by design",
};

/** The page routes whose 404 the journey checks in the browser with B's id. */
export const pageProbes: readonly Probe[] = [
  { operation: 'GET /experiments/new', prober: 'scientist', target: 'dataset', queryField: 'datasetId' },
  { operation: 'GET /datasets/{id}', prober: 'analyst', target: 'dataset' },
  { operation: 'GET /experiments/{id}', prober: 'analyst', target: 'experiment' },
  { operation: 'GET /runs/{id}', prober: 'analyst', target: 'run' },
  { operation: 'GET /alerts/{id}', prober: 'analyst', target: 'event' },
  { operation: 'GET /sessions/{id}', prober: 'analyst', target: 'session' },
  { operation: 'GET /deployments/{id}', prober: 'analyst', target: 'production' },
];

/** What a page or form probe asks for, with `id` in the place the probe names (form fields are strings). */
export function formRequest(probe: Probe, id: string): { path: string; form?: Record<string, string> } {
  const { method, path, json } = probeRequest(probe, id);
  if (method === 'GET') return { path };
  const fields = Object.entries((json ?? {}) as Record<string, unknown>).map(([name, value]) => [
    name,
    String(value),
  ]);
  return { path, form: Object.fromEntries(fields) };
}

/** Every operation the journey probes: the API's, the forms', and the detail pages'. */
export const probedOperations = (): string[] => [
  ...apiProbes.map((probe) => probe.operation),
  ...formProbes.map((probe) => probe.operation),
  ...pageProbes.map((probe) => probe.operation),
];

/** The request a probe sends, with `id` in the place the probe names. */
export function probeRequest(probe: Probe, id: string): { method: Method; path: string; json?: unknown } {
  const [method, template] = probe.operation.split(' ') as [Method, string];
  const inPath = !probe.bodyField && !probe.queryField;
  const filled = inPath ? template.replace(/\{[^}]+\}/, id) : template;
  const query = [probe.query, probe.queryField && `${probe.queryField}=${id}`].filter(Boolean).join('&');
  const path = query ? `${filled}?${query}` : filled;
  const body = probe.bodyField ? { ...probe.body, [probe.bodyField]: id } : probe.body;
  return body === undefined ? { method, path } : { method, path, json: body };
}

interface ContractOperation {
  parameters?: { in?: string; name?: string }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

/** "METHOD /path" of each operation that takes an id: in its path, or as a body or query field named …Id. */
export function idTakingOperations(contract: {
  paths: Record<string, Record<string, ContractOperation>>;
}): string[] {
  const found: string[] = [];
  for (const [path, operations] of Object.entries(contract.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const inPath = (operation.parameters ?? []).some(
        (parameter) =>
          parameter.in === 'path' || (parameter.in === 'query' && /Id$/.test(parameter.name ?? '')),
      );
      const fields = Object.values(operation.requestBody?.content ?? {}).flatMap((media) =>
        Object.keys(media.schema?.properties ?? {}),
      );
      if (inPath || fields.some((field) => /Id$/.test(field))) found.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return found;
}
