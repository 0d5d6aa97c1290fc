import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defaultSettings, readSettings } from './settings.ts';
import type { VSCode, WorkspaceFolder } from './vscodeApi.ts';

/**
 * A suite Journey Explorer serves: a Playwright config with the suite's `journeys/` (and its
 * `fixtures/`) beside it. The config is the one the folder's `journeys.configPath` names, else a
 * `playwright.config.*` at the folder's root; the config's folder is the suite's root, so a suite
 * in a subfolder of a repository (`e2e/playwright.config.ts`) is found, discovered, run and
 * reported from there.
 */
export interface JourneySuite {
  /** The workspace folder it lies in: whose settings apply, where debug sessions start. */
  folder: WorkspaceFolder;
  configFile: string;
  /** The config's folder: runs, the warm stack, kept traces and the report work here. */
  root: string;
  journeysDir: string;
  /** Set when several suites are served: the folder's name, shown on the tree and status bar items. */
  title: string | undefined;
}

export interface SuiteSearch {
  suites: JourneySuite[];
  /** One plain sentence per folder whose setting names no config, saying what to do. */
  problems: string[];
}

/** Every workspace folder is looked at: a multi-root workspace gets a suite per folder that holds one. */
export function findJourneySuites(vscode: VSCode): SuiteSearch {
  const problems: string[] = [];
  const found: Omit<JourneySuite, 'title'>[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const dir = folder.uri.fsPath;
    const { configPath } = readSettings(vscode, folder.uri).settings;
    let configFile = path.resolve(dir, configPath);
    if (!existsSync(configFile)) {
      if (configPath !== defaultSettings.configPath) {
        problems.push(
          `journeys.configPath in ${folder.name} names ${configPath}, which does not exist there: set it to the suite's Playwright config, relative to the folder.`,
        );
        continue;
      }
      const other = readdirSync(dir).find((name) => /^playwright\.config\.[cm]?[jt]s$/.test(name));
      if (!other) continue;
      configFile = path.join(dir, other);
    }
    const root = path.dirname(configFile);
    const journeysDir = path.join(root, 'journeys');
    if (existsSync(journeysDir)) found.push({ folder, configFile, root, journeysDir });
  }
  const many = found.length > 1;
  return {
    suites: found.map((suite) => ({ ...suite, title: many ? suite.folder.name : undefined })),
    problems,
  };
}

/** An id of the suite's own (a status bar item's): VS Code keeps one item per id. */
export function suiteScoped(id: string, suite: JourneySuite): string {
  return suite.title ? `${id}:${suite.folder.index}:${suite.title}` : id;
}

/** A suite's thing named for the person: "Journeys", or "Journeys: billing" beside other suites. */
export function titled(name: string, suite: JourneySuite, separator: ': ' | ' '): string {
  if (!suite.title) return name;
  return separator === ': ' ? `${name}: ${suite.title}` : `${name} (${suite.title})`;
}
