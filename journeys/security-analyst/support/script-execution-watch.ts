import type { BrowserContext } from '@playwright/test';

/**
 * Listens for any sign that injected text ran as code in a persona's browser: a dialog
 * (`alert`, `confirm`, `prompt`) on any of its pages, or a Content-Security-Policy violation
 * (an inline script or handler the policy blocked: markup got in even though nothing ran).
 * Both lists must stay empty while the persona looks at hostile data.
 */
export interface ScriptExecutionWatch {
  readonly dialogs: string[];
  readonly violations: string[];
}

export async function watchForScriptExecution(context: BrowserContext): Promise<ScriptExecutionWatch> {
  const watch = { dialogs: [] as string[], violations: [] as string[] };
  const onPage = (page: import('@playwright/test').Page) => {
    page.on('dialog', async (dialog) => {
      watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });
  };
  for (const page of context.pages()) onPage(page);
  context.on('page', onPage);
  await context.exposeBinding('reportPolicyViolation', (_source, violation: string) => {
    watch.violations.push(violation);
  });
  // Init scripts run before the page's own and are not subject to its CSP, so the listener is there first.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportPolicyViolation: (text: string) => void })
        .reportPolicyViolation;
      report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}: ${event.sample}`);
    });
  });
  return watch;
}
