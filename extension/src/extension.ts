import * as vscode from 'vscode';
import { ServedSuites, since } from './activation.ts';
import type { VSCode } from './vscodeApi.ts';

/** Set by the bundle's first statement (scripts/build.ts): when VS Code began loading it. */
declare const journeysBundleLoadStart: number | undefined;

/** Wiring only: hands the real `vscode` module to the explorers (checked against the narrow API). */
export async function activate(context: vscode.ExtensionContext): Promise<ServedSuites> {
  const activateStart = performance.now();
  const api: VSCode = vscode;
  const served = new ServedSuites(api, context.extensionUri.fsPath);
  context.subscriptions.push(served);
  const loadStart = typeof journeysBundleLoadStart === 'number' ? journeysBundleLoadStart : activateStart;
  for (const explorer of served.explorers)
    explorer.log(
      `[activation] ${since(loadStart)} ms: bundle loaded in ${Math.round(activateStart - loadStart)} ms, activate took ${since(activateStart)} ms; TypeScript compiler ${compilerLoaded() ? 'loaded' : 'not loaded yet'}`,
    );
  return served;
}

export function deactivate(): void {}

/** Whether the bundle's `dist/typescript.cjs` is in the module cache (the source run has none). */
function compilerLoaded(): boolean {
  return (
    typeof require === 'function' &&
    Object.keys(require.cache).some((file) => file.endsWith('typescript.cjs'))
  );
}
