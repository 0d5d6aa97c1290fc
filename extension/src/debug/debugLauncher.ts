import { randomUUID } from 'node:crypto';
import type { PlaywrightInvocation } from '../run/playwrightInvocation.ts';
import type { CancellationToken, DebugSession, Disposable, VSCode, WorkspaceFolder } from '../vscodeApi.ts';

/**
 * Runs a Playwright command line under VS Code's JavaScript debugger, so breakpoints in journeys
 * and fixtures bind (Playwright's workers are child processes; the debugger follows them).
 * Resolves when the session ends.
 */
export async function debugPlaywright(
  vscode: VSCode,
  folder: WorkspaceFolder,
  invocation: PlaywrightInvocation,
  name: string,
  token: CancellationToken,
): Promise<void> {
  const launchId = randomUUID();
  const subscriptions: Disposable[] = [];
  let session: DebugSession | undefined;
  let markEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  subscriptions.push(
    vscode.debug.onDidStartDebugSession((started) => {
      if (!session && started.configuration.journeysLaunchId === launchId) session = started;
    }),
    vscode.debug.onDidTerminateDebugSession((terminated) => {
      if (terminated.id === session?.id) markEnded();
    }),
    token.onCancellationRequested(() => {
      if (session) void vscode.debug.stopDebugging(session);
    }),
  );
  try {
    const started = await vscode.debug.startDebugging(folder, {
      type: 'node',
      request: 'launch',
      name,
      program: invocation.program,
      args: invocation.args,
      cwd: invocation.cwd,
      env: invocation.env,
      console: 'internalConsole',
      outputCapture: 'std',
      autoAttachChildProcesses: true,
      skipFiles: ['<node_internals>/**'],
      journeysLaunchId: launchId,
    });
    if (!started) {
      throw new Error(
        'VS Code could not start the JavaScript debugger: check the Debug Console, then try Debug again.',
      );
    }
    await ended;
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
  }
}
