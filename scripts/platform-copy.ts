import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiRoot, type BundleLayout, platformLayout } from '../containers/api/bundle.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';

/**
 * A copy of the platform's sources in a temp dir, laid out like the repository, so the bundle's
 * build and freshness check can be exercised (tests) and timed cold (bench) without touching the
 * dist/ that running stacks use. Its dependencies resolve through a link to the real node_modules.
 */
export function copyPlatformSources(): BundleLayout & { dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'journeys-platform-copy-'));
  const root = path.join(dir, 'api');
  cpSync(path.join(apiRoot, 'src'), path.join(root, 'src'), { recursive: true });
  cpSync(path.join(apiRoot, 'package.json'), path.join(root, 'package.json'));
  const lockFile = path.join(dir, 'package-lock.json');
  cpSync(platformLayout.lockFile, lockFile);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return { dir, root, lockFile };
}
