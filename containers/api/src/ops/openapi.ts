import { z } from 'zod';
import { responseSchemas } from '../http/response-schemas.ts';
import type { CatalogEntry } from '../http/route-catalog.ts';

const errorBody = {
  type: 'object',
  required: ['error', 'message', 'details'],
  properties: {
    error: { type: 'string', description: 'machine-readable code' },
    message: { type: 'string', description: 'one plain sentence saying what to do' },
    details: { type: 'array', items: {} },
  },
};

const security: Record<string, unknown[]> = {
  none: [],
  bootstrap: [{ bootstrapToken: [] }],
  user: [{ sessionCookie: [] }, { apiKey: [] }],
  session: [{ sessionCookie: [] }],
};

const jsonSchemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** Points zod's local `#/definitions/X` references at the document's `components.schemas`. */
function withComponentRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withComponentRefs);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'definitions' || key === '$id') continue;
    out[key] =
      key === '$ref' && typeof value === 'string'
        ? componentRef(value.replace('#/definitions/', ''))
        : withComponentRefs(value);
  }
  return out;
}

/** A success answer's schema: a reference when it is one of the named shapes, else inline with references inside. */
const responseSchemaOf = (schema: z.ZodType) =>
  withComponentRefs(
    z.toJSONSchema(schema, { io: 'output', target: 'openapi-3.0', metadata: responseSchemas }),
  );

/** Every named answer shape, as `components.schemas` publishes it. */
const namedResponseSchemas = () =>
  withComponentRefs(
    z.toJSONSchema(responseSchemas, {
      io: 'output',
      target: 'openapi-3.0',
      uri: (id) => `#/definitions/${id}`,
    }).schemas,
  ) as Record<string, unknown>;

function operation(entry: CatalogEntry) {
  const doc = entry.doc;
  const parameters = [...entry.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (doc?.query) {
    const schema = jsonSchemaOf(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      parameters.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        schema: property as never,
      });
    }
  }
  const produces = doc?.produces ?? (doc?.tag === 'ui' ? 'text/html' : 'application/json');
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(doc?.responses ?? { 200: 'ok' })) {
    const numeric = Number(status);
    responses[status] =
      numeric >= 400
        ? { description, content: { 'application/json': { schema: errorBody } } }
        : numeric === 204 || numeric === 302 || numeric === 303
          ? { description }
          : {
              description,
              content: {
                [produces]:
                  doc?.returns && produces === 'application/json'
                    ? { schema: responseSchemaOf(doc.returns) }
                    : {},
              },
            };
  }
  return {
    summary: doc?.summary ?? `${entry.method} ${entry.url}`,
    tags: [doc?.tag ?? 'api'],
    operationId: `${entry.method.toLowerCase()}${entry.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    security: security[doc?.auth ?? 'none'],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc?.body
      ? {
          requestBody: {
            required: true,
            content: { [doc.bodyType ?? 'application/json']: { schema: jsonSchemaOf(doc.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3 document, derived from the routes actually registered, sorted for stable diffs. */
export function buildOpenApiDocument(entries: readonly CatalogEntry[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...entries].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const entry of sorted) {
    const path = entry.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][entry.method.toLowerCase()] = operation(entry);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Anomaly Platform',
      version: '1.0.0',
      description: 'Multi-tenant anomaly detection: datasets, experiments, runs and model versions.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A user API key (jk_…).' },
        bootstrapToken: { type: 'http', scheme: 'bearer', description: 'The admin bootstrap token.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sid' },
      },
      schemas: { Error: errorBody, ...namedResponseSchemas() },
    },
    paths,
  };
}
