import * as vscode from 'vscode';
import { findJourneysFolder, JourneyExplorer } from './journeyExplorer.ts';
import type { VSCode } from './vscodeApi.ts';

/** Wiring only: hands the real `vscode` module to the explorer (checked against the narrow API). */
export async function activate(context: vscode.ExtensionContext): Promise<JourneyExplorer | undefined> {
  const api: VSCode = vscode;
  const folder = findJourneysFolder(api);
  if (!folder) return undefined;
  const explorer = new JourneyExplorer(api, folder, context.extensionUri.fsPath);
  context.subscriptions.push(explorer);
  await explorer.refresh();
  return explorer;
}

export function deactivate(): void {}
