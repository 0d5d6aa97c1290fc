import * as vscode from 'vscode';
import { findJourneysFolder, JourneyExplorer } from './journeyExplorer.ts';
import type { VSCode } from './vscodeApi.ts';

/** Set by the bundle's first statement (scripts/build.ts): when VS Code began loading it. */
declare const journeysBundleLoadStart: number | undefined;

/**
 * Wiring only: hands the real `vscode` module to the explorer (checked against the narrow API).
 * Discovery is started, not awaited: activation returns once the controller, commands and
 * watchers exist, and the tree fills when the journeys are parsed (the parser loads then).
 */
export async function activate(context: vscode.ExtensionContext): Promise<JourneyExplorer | undefined> {
  const activateStart = performance.now();
  const api: VSCode = vscode;
  const folder = findJourneysFolder(api);
  if (!folder) return undefined;
  const explorer = new JourneyExplorer(api, folder, context.extensionUri.fsPath);
  context.subscriptions.push(explorer);
  const discoveryStart = performance.now();
  void explorer.refresh().then(
    () => explorer.log(`[discovery] the journeys were listed in ${since(discoveryStart)} ms`),
    (error: unknown) => {
      explorer.log(`[discovery] failed: ${String(error)}`);
      void api.window.showErrorMessage(`Journey Explorer could not list the journeys: ${String(error)}`);
    },
  );
  const loadStart = typeof journeysBundleLoadStart === 'number' ? journeysBundleLoadStart : activateStart;
  explorer.log(
    `[activation] ${since(loadStart)} ms: bundle loaded in ${Math.round(activateStart - loadStart)} ms, activate took ${since(activateStart)} ms; TypeScript compiler ${compilerLoaded() ? 'loaded' : 'not loaded yet'}`,
  );
  return explorer;
}

export function deactivate(): void {}

function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** Whether the bundle's `dist/typescript.cjs` is in the module cache (the source run has none). */
function compilerLoaded(): boolean {
  return (
    typeof require === 'function' &&
    Object.keys(require.cache).some((file) => file.endsWith('typescript.cjs'))
  );
}
