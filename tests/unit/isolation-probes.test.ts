import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { contractSnapshot } from '../../journeys/platform/contract-snapshot.ts';
import {
  idTakingOperations,
  notTenantScoped,
  probedOperations,
} from '../../journeys/security-analyst/support/isolation-probes.ts';

type Contract = Parameters<typeof idTakingOperations>[0];

const contract = async (): Promise<Contract> =>
  JSON.parse(await readFile(contractSnapshot, 'utf8')) as Contract;

const allOperations = (document: Contract) =>
  Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );

test('the isolation journey probes every operation of the contract that takes an id, or says why not', async () => {
  const probed = new Set(probedOperations());
  const unaccounted = idTakingOperations(await contract()).filter(
    (operation) => !probed.has(operation) && !(operation in notTenantScoped),
  );
  expect(
    unaccounted,
    'Add each to the probes in journeys/security-analyst/support/isolation-probes.ts (or to notTenantScoped with the reason)',
  ).toEqual([]);
});

test('every probed or excused operation is one the contract has, each named once', async () => {
  const known = new Set(allOperations(await contract()));
  const named = [...probedOperations(), ...Object.keys(notTenantScoped)];
  expect(
    named.filter((operation) => !known.has(operation)),
    'operations the contract does not have',
  ).toEqual([]);
  expect(
    named.filter((operation, index) => named.indexOf(operation) !== index),
    'named twice',
  ).toEqual([]);
});

test('a new route with an id in its path, body or query is reported until it is probed', () => {
  const withNewRoutes: Contract = {
    paths: {
      '/api/widgets/{id}': { get: { parameters: [{ in: 'path', name: 'id' }] } },
      '/api/widgets': {
        post: {
          requestBody: { content: { 'application/json': { schema: { properties: { gadgetId: {} } } } } },
        },
        get: { parameters: [{ in: 'query', name: 'limit' }] },
      },
      '/api/gadgets': { get: { parameters: [{ in: 'query', name: 'widgetId' }] } },
    },
  };
  expect(idTakingOperations(withNewRoutes)).toEqual([
    'GET /api/widgets/{id}',
    'POST /api/widgets',
    'GET /api/gadgets',
  ]);
});
