import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeSchemaTypes } from '../../fixtures/api/generate-schema.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';

/** The committed contract: the OpenAPI document the platform served when it was last accepted. */
export const contractSnapshot = path.join(import.meta.dirname, 'openapi.snapshot.json');

export async function readContract(): Promise<unknown> {
  if (!existsSync(contractSnapshot)) {
    throw new Error(
      `There is no committed contract at ${path.relative(repoRoot, contractSnapshot)}: run this journey with E2E_UPDATE_SNAPSHOT=1 to record it, review it and commit it.`,
    );
  }
  return JSON.parse(await readFile(contractSnapshot, 'utf8'));
}

/**
 * Records the served document as the new contract, formatted the way the repository's formatter
 * writes JSON, so the rewritten file passes `npm run lint` and its diff shows only what changed,
 * and regenerates the typed client's types from it (fixtures/api/platform-schema.ts).
 */
export async function recordContract(document: unknown): Promise<void> {
  await writeFile(contractSnapshot, `${JSON.stringify(document, null, 2)}\n`);
  execFileSync(
    path.join(repoRoot, 'node_modules', '.bin', 'biome'),
    ['format', '--write', contractSnapshot],
    {
      cwd: repoRoot,
      stdio: 'pipe',
    },
  );
  await writeSchemaTypes();
}
