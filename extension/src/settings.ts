import type { Uri, VSCode } from './vscodeApi.ts';

export const stackModes = ['embedded', 'containers', 'external'] as const;
export type StackMode = (typeof stackModes)[number];

/** The `journeys.*` settings, checked: a bad value falls back to its default and says so. */
export interface JourneySettings {
  stackMode: StackMode;
  env: Record<string, string>;
  workers: number | undefined;
  configPath: string;
  /** The config's project runs use (`--project`); undefined runs every project that lists a journey. */
  project: string | undefined;
  /** Runs show the browser: headed, in the full Chromium (the Show browser toggle). */
  showBrowser: boolean;
  /** After a headed run the last journey's browser stays open until the next run or Close browser. */
  keepBrowserOpen: boolean;
}

export interface SettingsReading {
  settings: JourneySettings;
  /** One plain sentence per bad value, saying what to do. */
  problems: string[];
}

export const defaultSettings: JourneySettings = {
  stackMode: 'embedded',
  env: {},
  workers: undefined,
  configPath: 'playwright.config.ts',
  project: undefined,
  showBrowser: false,
  keepBrowserOpen: true,
};

export function readSettings(vscode: VSCode, scope?: Uri): SettingsReading {
  const configuration = vscode.workspace.getConfiguration('journeys', scope);
  const problems: string[] = [];
  const settings = { ...defaultSettings };

  const stackMode = configuration.get<unknown>('stackMode');
  if (stackMode !== undefined && stackMode !== null) {
    if (stackModes.includes(stackMode as StackMode)) settings.stackMode = stackMode as StackMode;
    else
      problems.push(
        `journeys.stackMode is ${JSON.stringify(stackMode)}: set it to one of ${stackModes.join(', ')}.`,
      );
  }

  const env = configuration.get<unknown>('env');
  if (env !== undefined && env !== null) {
    const entries = typeof env === 'object' && !Array.isArray(env) ? Object.entries(env) : undefined;
    if (entries?.every(([, value]) => typeof value === 'string'))
      settings.env = Object.fromEntries(entries) as Record<string, string>;
    else
      problems.push(
        'journeys.env must map variable names to strings, e.g. { "E2E_SEED": "42" }: fix it in your settings.',
      );
  }

  const workers = configuration.get<unknown>('workers');
  if (workers !== undefined && workers !== null) {
    if (Number.isInteger(workers) && (workers as number) >= 1) settings.workers = workers as number;
    else
      problems.push(
        `journeys.workers is ${JSON.stringify(workers)}: set a whole number of at least 1, or clear it to use the config's.`,
      );
  }

  const configPath = configuration.get<unknown>('configPath');
  if (configPath !== undefined && configPath !== null && configPath !== '') {
    if (typeof configPath === 'string') settings.configPath = configPath;
    else
      problems.push(
        'journeys.configPath must be a path relative to the workspace folder, e.g. playwright.config.ts.',
      );
  }

  const project = configuration.get<unknown>('project');
  if (project !== undefined && project !== null && project !== '') {
    if (typeof project === 'string') settings.project = project;
    else
      problems.push(
        'journeys.project must be the name of a project in the Playwright config, e.g. journeys.',
      );
  }

  for (const key of ['showBrowser', 'keepBrowserOpen'] as const) {
    const value = configuration.get<unknown>(key);
    if (value === undefined || value === null) continue;
    if (typeof value === 'boolean') settings[key] = value;
    else problems.push(`journeys.${key} is ${JSON.stringify(value)}: set it to true or false.`);
  }

  return { settings, problems };
}

/** The environment a run, a debug session or the warm stack gets on top of the editor's own. */
export function runEnvironment(settings: JourneySettings): Record<string, string> {
  return { E2E_STACK: settings.stackMode, ...settings.env };
}
