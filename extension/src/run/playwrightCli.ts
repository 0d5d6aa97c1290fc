import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The workspace's own Playwright CLI script: runs must use the version the journeys were written for. */
export function resolvePlaywrightCli(workspaceDir: string): string {
  const require = createRequire(path.join(workspaceDir, 'package.json'));
  for (const candidate of ['@playwright/test/cli', 'playwright/cli']) {
    try {
      return require.resolve(candidate);
    } catch {
      // Try the next package that ships the CLI.
    }
  }
  throw new Error(
    `Playwright Test is not installed for ${workspaceDir}: run npm install there, then run the journeys again.`,
  );
}

/** Resolves a package from the workspace, or undefined when the workspace does not have it. */
export function resolveFromWorkspace(workspaceDir: string, request: string): string | undefined {
  try {
    return createRequire(path.join(workspaceDir, 'package.json')).resolve(request);
  } catch {
    return undefined;
  }
}

export function configFileOrError(workspaceDir: string, configPath: string): string {
  const file = path.resolve(workspaceDir, configPath);
  if (!existsSync(file)) {
    throw new Error(
      `The Playwright config ${configPath} does not exist in ${workspaceDir}: set journeys.configPath to the config the journeys use.`,
    );
  }
  return file;
}
