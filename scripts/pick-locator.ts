/**
 * `npm run pick-locator -- --persona dataScientist [--path /datasets]`: opens the running stack's
 * page as that persona of a fresh tenant with Playwright's locator picker on; the element the
 * person clicks is printed as the locator a journey writes (`page.getByRole(...)`), on a line of
 * its own starting `Locator: ` (what Journey Explorer reads to copy and insert it).
 *
 * `--headless` and `--debugging-port <port>` (or E2E_RECORD_DEBUGGING_PORT) are for tests, as in scripts/record.ts.
 */
import { parseArgs } from 'node:util';
import type { PersonaFixtureName } from '../fixtures/platform-profile.ts';
import { readSetting } from '../fixtures/settings.ts';
import { isPersonaName, personaNames } from './record/journey-skeleton.ts';
import { openPersonaSession } from './record/persona-session.ts';

/** The line prefix the picked locator is printed after. */
export const locatorLinePrefix = 'Locator: ';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    persona: { type: 'string' },
    path: { type: 'string', default: '/' },
    headless: { type: 'boolean', default: false },
    'debugging-port': { type: 'string' },
  },
});
const persona = isPersonaName(values.persona ?? '')
  ? (values.persona as PersonaFixtureName)
  : fail(`Name the persona to pick as with --persona, one of: ${personaNames.join(', ')}.`);
if (!values.path.startsWith('/'))
  fail(`--path ${values.path} must be a path on the platform, such as /datasets.`);
const debuggingPort = values['debugging-port']
  ? Number(values['debugging-port'])
  : readSetting('E2E_RECORD_DEBUGGING_PORT');
if (debuggingPort !== undefined && !(Number.isInteger(debuggingPort) && debuggingPort > 0)) {
  fail(`--debugging-port ${values['debugging-port']} is no port number: give a free TCP port.`);
}

const session = await openPersonaSession({ persona, headless: values.headless, debuggingPort }).catch(
  (error: Error) => fail(`Could not sign ${persona} in to a fresh tenant: ${error.message}`),
);
try {
  const { page } = session.member;
  await page.goto(values.path);
  console.log(
    `Picking on ${values.path} as ${session.member.user.name} (${persona}), on ${session.stackDescription}.`,
  );
  if (debuggingPort) console.log(`DevTools protocol: http://127.0.0.1:${debuggingPort}`);
  console.log('Click the element to pick; close the window to give up.');
  const picked = await page.pickLocator();
  console.log(`${locatorLinePrefix}page.${picked.toString()}`);
} catch (error) {
  process.exitCode = 1;
  console.error(
    session.member.page.isClosed()
      ? 'The window was closed before an element was picked: nothing to copy.'
      : (error as Error).message,
  );
} finally {
  await session.close();
}
