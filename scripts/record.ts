/**
 * `npm run record -- --persona dataScientist [--out journeys/data-scientist/<name>.journey.ts]`:
 * opens Playwright's recorder (its Inspector, as `playwright codegen` shows it) on the running stack,
 * signed in as that persona of a fresh tenant, and when the browser is closed writes what was
 * recorded as a new journey: the suite's `test`, the persona fixture, the `@e2e` and persona tags.
 * The recording starts where a journey starts, inside the story's world, not on a blank page.
 *
 * The browser and Playwright's Inspector are headed, so recording needs a display (`xvfb-run` on a
 * server). `--debugging-port <port>` (or E2E_RECORD_DEBUGGING_PORT) opens the browser to a second
 * client over the DevTools protocol: how a test acts in the recording (a person never needs it).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BrowserContext } from '@playwright/test';
import type { PersonaFixtureName } from '../fixtures/platform-profile.ts';
import { readSetting } from '../fixtures/settings.ts';
import {
  isPersonaName,
  journeySkeleton,
  personaNames,
  personaSlug,
  titleFromFile,
} from './record/journey-skeleton.ts';
import { openPersonaSession } from './record/persona-session.ts';
import { untilTheBrowserIsClosed } from './record/until-closed.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');

/** Playwright's recorder as `playwright codegen` opens it (an internal method of the context). */
interface RecorderContext {
  _showRecorder(params: {
    language: string;
    mode: 'recording';
    outputFile: string;
    launchOptions: object;
    contextOptions: object;
    handleSIGINT: boolean;
  }): Promise<void>;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    persona: { type: 'string' },
    out: { type: 'string' },
    title: { type: 'string' },
    'debugging-port': { type: 'string' },
  },
});
const persona = isPersonaName(values.persona ?? '')
  ? (values.persona as PersonaFixtureName)
  : fail(`Name the persona to record as with --persona, one of: ${personaNames.join(', ')}.`);

/** A journey file that does not exist yet: recording never overwrites one. */
function newJourneyFile(): string {
  if (values.out) {
    const out = path.resolve(values.out);
    if (!out.endsWith('.journey.ts')) fail(`--out ${values.out} must end in .journey.ts, as journeys do.`);
    if (existsSync(out))
      fail(`${values.out} already exists: give --out a new file, recording never overwrites.`);
    return out;
  }
  const folder = path.join(repoRoot, 'journeys', personaSlug(persona));
  for (let n = 1; ; n += 1) {
    const candidate = path.join(folder, `recorded-journey${n === 1 ? '' : `-${n}`}.journey.ts`);
    if (!existsSync(candidate)) return candidate;
  }
}

const journeyFile = newJourneyFile();
const debuggingPort = values['debugging-port']
  ? Number(values['debugging-port'])
  : readSetting('E2E_RECORD_DEBUGGING_PORT');
if (debuggingPort !== undefined && !(Number.isInteger(debuggingPort) && debuggingPort > 0)) {
  fail(`--debugging-port ${values['debugging-port']} is no port number: give a free TCP port.`);
}

const session = await openPersonaSession({ persona, headless: false, debuggingPort }).catch((error: Error) =>
  fail(`Could not sign ${persona} in to a fresh tenant: ${error.message}`),
);
const scratch = await mkdtemp(path.join(tmpdir(), 'journeys-record-'));
const recordedFile = path.join(scratch, 'recorded.spec.ts');
try {
  const { member } = session;
  await (member.context as BrowserContext & RecorderContext)._showRecorder({
    language: 'playwright-test',
    mode: 'recording',
    outputFile: recordedFile,
    launchOptions: {},
    contextOptions: {},
    handleSIGINT: false,
  });
  await member.page.goto('/');
  console.log(
    `Recording as ${member.user.name} (${persona}) of tenant ${member.tenant.slug}, on ${session.stackDescription}.`,
  );
  if (debuggingPort) console.log(`DevTools protocol: http://127.0.0.1:${debuggingPort}`);
  console.log('Act in the browser; close its window to write the journey.');
  await untilTheBrowserIsClosed(member.context, session.browser);
  // The recorder writes its last actions to its file as the context closes.
  await member.context.close();
  const recorded = existsSync(recordedFile) ? await readFile(recordedFile, 'utf8') : '';
  const journey = journeySkeleton({
    recorded,
    persona,
    title: values.title ?? titleFromFile(journeyFile),
    platformOrigin: new URL(session.apiUrl).origin,
    journeyFile,
    fixturesIndex: path.join(repoRoot, 'fixtures', 'index.ts'),
  });
  await mkdir(path.dirname(journeyFile), { recursive: true });
  await writeFile(journeyFile, journey, { flag: 'wx' });
  console.log(`Wrote ${path.relative(process.cwd(), journeyFile)}`);
} catch (error) {
  process.exitCode = 1;
  console.error((error as Error).message);
} finally {
  await session.close();
  await rm(scratch, { recursive: true, force: true });
}
