import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type { JourneyFile } from '../src/discovery/journeyFiles.ts';

/** One listed journey, in the shape both Playwright's `--list` and static discovery can give. */
export interface ListedJourney {
  file: string;
  line: number;
  column: number;
  titlePath: string[];
  tags: string[];
}

interface JsonSuite {
  title: string;
  file: string;
  specs?: { title: string; file: string; line: number; column: number; tags: string[] }[];
  suites?: JsonSuite[];
}

/** What `playwright test --list --reporter=json` lists under `journeysDir`, sorted. */
export async function listWithPlaywright(
  workspace: string,
  journeysDir: string,
  env: Record<string, string> = {},
): Promise<ListedJourney[]> {
  const cli = createRequire(path.join(workspace, 'package.json')).resolve('@playwright/test/cli');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'test', '--list', '--reporter=json'], {
    cwd: workspace,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  }).catch((error: { stdout?: string }) => {
    // --list exits non-zero when a file does not load; its JSON still says why.
    if (error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const report = JSON.parse(stdout) as {
    config: { rootDir: string };
    suites: JsonSuite[];
    errors?: { message: string }[];
  };
  if (report.errors?.length) {
    throw new Error(
      `Playwright could not list the journeys in ${workspace}:\n${report.errors.map((error) => error.message).join('\n')}`,
    );
  }
  const listed = new Map<string, ListedJourney>();
  const walk = (suite: JsonSuite, describes: string[]): void => {
    for (const spec of suite.specs ?? []) {
      const file = path
        .relative(journeysDir, path.join(report.config.rootDir, spec.file))
        .split(path.sep)
        .join('/');
      if (file.startsWith('..')) continue;
      const journey = {
        file,
        line: spec.line,
        column: spec.column,
        titlePath: [...describes, spec.title],
        tags: spec.tags,
      };
      // Several projects list the same test; it is one journey.
      listed.set(JSON.stringify(journey), journey);
    }
    // An anonymous `test.describe(() => …)` groups tests without naming them (the reporter and the tree skip it too).
    for (const child of suite.suites ?? [])
      walk(child, child.title ? [...describes, child.title] : describes);
  };
  for (const fileSuite of report.suites) walk(fileSuite, []);
  return sortListed([...listed.values()]);
}

export function listStatically(files: JourneyFile[]): ListedJourney[] {
  return sortListed(
    files.flatMap((file) =>
      file.journeys.map((journey) => ({
        file: file.relativePath,
        line: journey.line,
        column: journey.column,
        titlePath: [...journey.describePath, journey.title],
        tags: journey.tags.map((tag) => tag.replace(/^@/, '')),
      })),
    ),
  );
}

function sortListed(journeys: ListedJourney[]): ListedJourney[] {
  return journeys.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
