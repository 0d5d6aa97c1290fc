/**
 * Regenerates fixtures/api/platform-schema.ts from the committed contract
 * (journeys/platform/openapi.snapshot.json). The contract journey runs it when it rewrites the
 * snapshot (E2E_UPDATE_SNAPSHOT=1); run it by hand after editing the snapshot.
 *
 *   npm run api:types
 */
import path from 'node:path';
import { schemaPath, writeSchemaTypes } from '../fixtures/api/generate-schema.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';

const changed = await writeSchemaTypes();
console.log(
  `${path.relative(repoRoot, schemaPath)} ${changed ? 'regenerated from the contract' : 'already matches the contract'}.`,
);
