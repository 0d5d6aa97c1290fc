import { describeApiChanges, diffOpenApi } from '../../fixtures/expectations/openapi-diff.ts';
import { expect, test } from '../../fixtures/index.ts';
import { readSetting } from '../../fixtures/settings.ts';
import { readContract, recordContract } from './contract-snapshot.ts';

test('the API matches its committed contract', {
  tag: ['@e2e', '@regression'],
}, async ({ stack }) => {
  const served = await test.step('the platform serves its OpenAPI document', async () => {
    const answer = await fetch(`${stack.apiUrl}/openapi.json`, { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await answer.json()) as { openapi?: string; paths?: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(document.paths ?? {}).length).toBeGreaterThan(0);
    return document;
  });

  if (readSetting('E2E_UPDATE_SNAPSHOT')) {
    await test.step('record it as the contract', () => recordContract(served));
    test.info().annotations.push({
      type: 'contract',
      description:
        'E2E_UPDATE_SNAPSHOT=1: journeys/platform/openapi.snapshot.json rewritten from the platform',
    });
  }

  await test.step('it matches the committed contract', async () => {
    const changes = diffOpenApi(await readContract(), served);
    expect(
      describeApiChanges(changes),
      'The API differs from journeys/platform/openapi.snapshot.json. If the change is intended, run this journey with E2E_UPDATE_SNAPSHOT=1 and commit the new snapshot.',
    ).toBe('The API matches the contract.');
  });
});
