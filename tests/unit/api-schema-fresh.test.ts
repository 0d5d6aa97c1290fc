import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { generateSchemaTypes, schemaPath } from '../../fixtures/api/generate-schema.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';

test('the typed client matches the committed contract', async () => {
  const committed = await readFile(schemaPath, 'utf8');
  expect(
    committed === (await generateSchemaTypes()),
    `${path.relative(repoRoot, schemaPath)} is stale: it differs from what journeys/platform/openapi.snapshot.json generates. Run npm run api:types and commit the result.`,
  ).toBe(true);
});
