import { expect, test } from '@playwright/test';
import { describeApiChanges, diffOpenApi } from '../../fixtures/expectations/openapi-diff.ts';

/** A small contract in the shape the platform serves, rebuilt for each test so edits never leak. */
function contract() {
  return {
    openapi: '3.0.3',
    info: { title: 'Anomaly Platform', version: '1.0.0' },
    paths: {
      '/api/deployments': {
        get: {
          summary: 'Deployments, newest first',
          security: [{ sessionCookie: [] }, { apiKey: [] }],
          parameters: [
            {
              name: 'environment',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['staging', 'production'] },
            },
          ],
          responses: { '200': { description: '{ items }' } },
        },
        post: {
          summary: 'Deploy a model version to staging',
          security: [{ sessionCookie: [] }, { apiKey: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['modelVersionId'],
                  properties: {
                    modelVersionId: { type: 'string' },
                    environment: { type: 'string', enum: ['staging', 'production'] },
                    options: { type: 'object', properties: { warm: { type: 'boolean' } } },
                  },
                },
              },
            },
          },
          responses: { '201': { description: 'the deployment' }, '409': { description: 'refused' } },
        },
      },
      '/api/deployments/{id}': {
        get: {
          summary: 'One deployment',
          security: [{ sessionCookie: [] }, { apiKey: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the deployment' }, '404': { description: 'not found' } },
        },
      },
    },
  };
}

type Contract = ReturnType<typeof contract>;
const body = (document: Contract) =>
  document.paths['/api/deployments'].post.requestBody.content['application/json'].schema as {
    required: string[];
    properties: Record<string, { type: string; enum?: string[]; properties?: Record<string, unknown> }>;
  };

const changed = (edit: (document: Contract) => void) => {
  const actual = contract();
  edit(actual);
  return diffOpenApi(contract(), actual);
};

test.describe('diffOpenApi', () => {
  test('finds nothing between equal documents, whatever the key order', () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([key, item]) => [key, reversed(item)]),
            )
          : value;
    expect(diffOpenApi(contract(), contract())).toEqual([]);
    expect(diffOpenApi(contract(), reversed(contract()))).toEqual([]);
  });

  test('names a removed path with the methods it had, and a removed method', () => {
    expect(
      changed((document) => {
        delete (document.paths as Partial<Contract['paths']>)['/api/deployments/{id}'];
        delete (document.paths['/api/deployments'] as { post?: unknown }).post;
      }),
    ).toEqual([
      { kind: 'breaking', where: 'POST /api/deployments', what: 'method removed' },
      { kind: 'breaking', where: '/api/deployments/{id}', what: 'path removed (it had GET)' },
    ]);
  });

  test('calls new required request fields breaking, new optional ones compatible', () => {
    expect(
      changed((document) => {
        body(document).properties.note = { type: 'string' };
        body(document).required.push('note');
        body(document).properties.comment = { type: 'string' };
      }),
    ).toEqual([
      {
        kind: 'compatible',
        where: 'POST /api/deployments',
        what: 'request body field "comment" was added (optional)',
      },
      {
        kind: 'breaking',
        where: 'POST /api/deployments',
        what: 'request body field "note" was added as required',
      },
    ]);
  });

  test('notices a field that became required, or stopped being required, or went away', () => {
    expect(
      changed((document) => {
        body(document).required = ['environment'];
        delete body(document).properties.options;
      }),
    ).toEqual([
      { kind: 'breaking', where: 'POST /api/deployments', what: 'request body field "options" was removed' },
      {
        kind: 'breaking',
        where: 'POST /api/deployments',
        what: 'request body field "environment" is now required',
      },
      {
        kind: 'compatible',
        where: 'POST /api/deployments',
        what: 'request body field "modelVersionId" is no longer required',
      },
    ]);
  });

  test('notices narrower types and values, also in nested fields', () => {
    expect(
      changed((document) => {
        body(document).properties.modelVersionId = { type: 'integer' };
        body(document).properties.environment = { type: 'string', enum: ['staging'] };
        (body(document).properties.options as { properties: Record<string, unknown> }).properties.warm = {
          type: 'string',
        };
      }),
    ).toEqual([
      {
        kind: 'breaking',
        where: 'POST /api/deployments',
        what: 'request body field "environment" no longer accepts "production"',
      },
      {
        kind: 'breaking',
        where: 'POST /api/deployments',
        what: 'request body field "modelVersionId" changed type from string to integer',
      },
      {
        kind: 'breaking',
        where: 'POST /api/deployments',
        what: 'request body field "options.warm" changed type from boolean to string',
      },
    ]);
  });

  test('notices parameters removed or made required, responses no longer given, credentials changed', () => {
    expect(
      changed((document) => {
        document.paths['/api/deployments'].get.parameters = [];
        document.paths['/api/deployments'].get.security = [{ sessionCookie: [] }];
        delete (document.paths['/api/deployments'].post.responses as Partial<Record<string, unknown>>)['409'];
        document.paths['/api/deployments/{id}'].get.parameters.push({
          name: 'expand',
          in: 'query',
          required: true,
          schema: { type: 'string' },
        });
      }),
    ).toEqual([
      { kind: 'breaking', where: 'GET /api/deployments', what: 'query parameter "environment" was removed' },
      { kind: 'breaking', where: 'GET /api/deployments', what: 'the accepted credentials changed' },
      { kind: 'breaking', where: 'POST /api/deployments', what: 'response 409 is no longer given' },
      {
        kind: 'breaking',
        where: 'GET /api/deployments/{id}',
        what: 'query parameter "expand" was added as required',
      },
    ]);
  });

  test('lists additions as compatible, and names any other difference by its JSON pointer', () => {
    expect(
      changed((document) => {
        (document.paths as Record<string, unknown>)['/api/sessions'] = {
          get: { responses: {} },
          post: { responses: {} },
        };
        document.paths['/api/deployments/{id}'].get.summary = 'A deployment';
        document.info.version = '1.1.0';
      }),
    ).toEqual([
      { kind: 'compatible', where: 'GET /api/deployments/{id}', what: 'changed at /summary' },
      { kind: 'compatible', where: '/api/sessions', what: 'path added (GET, POST)' },
      { kind: 'compatible', where: 'document', what: 'changed at /info/version' },
    ]);
  });
});

test.describe('describeApiChanges', () => {
  test('reads breaking changes first, each on its own line', () => {
    const report = describeApiChanges([
      { kind: 'compatible', where: '/api/sessions', what: 'path added (GET)' },
      {
        kind: 'breaking',
        where: 'POST /api/deployments',
        what: 'request body field "note" was added as required',
      },
    ]);
    expect(report).toBe(
      [
        'Breaking changes (1):',
        '  ✗ POST /api/deployments: request body field "note" was added as required',
        'Other changes (1):',
        '  + /api/sessions: path added (GET)',
      ].join('\n'),
    );
    expect(describeApiChanges([])).toBe('The API matches the contract.');
  });
});
