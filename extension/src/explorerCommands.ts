import { asTestItem, type JourneyExplorer } from './journeyExplorer.ts';
import type { Disposable, VSCode } from './vscodeApi.ts';

/**
 * The `journeys.*` commands, registered once whatever the number of suites served (VS Code refuses
 * a command registered twice). Each finds the suite it is for: the one whose tree holds the item it
 * was given, the one whose root a status bar item passes, the only one, or the person's pick.
 */
export function registerExplorerCommands(
  vscode: VSCode,
  explorers: readonly JourneyExplorer[],
): Disposable[] {
  const forSuite =
    <T>(placeHolder: string, action: (explorer: JourneyExplorer) => Promise<T>) =>
    (target?: unknown) =>
      reportErrors(vscode, async () => {
        const explorer = await chooseExplorer(vscode, explorers, target, placeHolder);
        return explorer ? action(explorer) : undefined;
      });
  const register = (command: string, callback: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(command, callback);
  // The Show browser setting is the person's (user settings), so it is one for every suite.
  const showBrowser = async (on: boolean) => {
    for (const explorer of explorers) await explorer.showBrowser.set(on);
  };
  return [
    register('journeys.openTrace', (target?: unknown) =>
      reportErrors(vscode, async () => {
        const item = asTestItem(target) ?? asTestItem((target as { test?: unknown } | undefined)?.test);
        const owners = item ? explorers.filter((candidate) => candidate.owns(item)) : [];
        const explorer = await chooseExplorer(
          vscode,
          owners.length > 0 ? owners : explorers,
          undefined,
          'Open a trace of which suite?',
        );
        return explorer?.openTrace(target);
      }),
    ),
    register(
      'journeys.startWarmStack',
      forSuite('Start a warm stack for which suite?', (explorer) => explorer.warmStack.start()),
    ),
    register(
      'journeys.stopWarmStack',
      forSuite('Stop the warm stack of which suite?', (explorer) => explorer.warmStack.stop()),
    ),
    register(
      'journeys.openAllureReport',
      forSuite("Open which suite's Allure report?", (explorer) => explorer.report.open()),
    ),
    register(
      'journeys.recordAsPersona',
      forSuite('Record a journey in which suite?', (explorer) => explorer.recorder.record()),
    ),
    register(
      'journeys.pickLocator',
      forSuite("Pick a locator on which suite's platform?", (explorer) => explorer.recorder.pickLocator()),
    ),
    register('journeys.refresh', () => Promise.all(explorers.map((explorer) => explorer.refresh()))),
    register('journeys.showBrowser', () => showBrowser(true)),
    register('journeys.hideBrowser', () => showBrowser(false)),
    register('journeys.toggleShowBrowser', () =>
      showBrowser(!explorers.some((explorer) => explorer.showBrowser.on)),
    ),
    register('journeys.closeBrowser', () =>
      Promise.all(explorers.map((explorer) => explorer.keptBrowser.close())),
    ),
  ];
}

/** The explorer a command is for: named by its root (status bar items pass it), alone, or picked. */
async function chooseExplorer(
  vscode: VSCode,
  explorers: readonly JourneyExplorer[],
  target: unknown,
  placeHolder: string,
): Promise<JourneyExplorer | undefined> {
  if (typeof target === 'string') {
    const named = explorers.find((explorer) => explorer.suite.root === target);
    if (named) return named;
  }
  if (explorers.length <= 1) return explorers[0];
  const choice = await vscode.window.showQuickPick(
    explorers.map((explorer) => ({
      label: explorer.suite.title ?? explorer.suite.folder.name,
      description: explorer.suite.root,
      explorer,
    })),
    { placeHolder },
  );
  return choice?.explorer;
}

async function reportErrors<T>(vscode: VSCode, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
