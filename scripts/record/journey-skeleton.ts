import path from 'node:path';
import { type PersonaFixtureName, personas, roles } from '../../fixtures/platform-profile.ts';

/**
 * Turns what Playwright's recorder wrote (a `playwright-test` file whose one test uses `page`)
 * into a journey: the suite's `test` and `expect`, the persona fixture, the `@e2e` and persona
 * tags, and the recorded lines acting on the persona's own page. Absolute addresses of the
 * platform become paths, because a journey's page has the stack it runs on as its base URL.
 */

export const personaNames = Object.keys(personas) as PersonaFixtureName[];

export function isPersonaName(name: string): name is PersonaFixtureName {
  return (personaNames as string[]).includes(name);
}

/** "production deployer" → "production-deployer": the persona's folder under journeys/ and its tag. */
export function personaSlug(persona: PersonaFixtureName): string {
  return roles[personas[persona].role].label.replace(/\s+/g, '-');
}

/** "checks-the-dashboard.journey.ts" → "checks the dashboard". */
export function titleFromFile(file: string): string {
  return path
    .basename(file)
    .replace(/\.journey\.ts$/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
}

export interface SkeletonInput {
  /** What the recorder wrote to its output file. */
  recorded: string;
  persona: PersonaFixtureName;
  title: string;
  /** The platform's origin while recording, e.g. http://127.0.0.1:41234. */
  platformOrigin: string;
  /** Where the journey goes and where fixtures/index.ts is, to import it relatively. */
  journeyFile: string;
  fixturesIndex: string;
}

/** The recorded actions: the body of the recorder's one test, one statement a line, unindented. */
export function recordedActions(recorded: string, platformOrigin: string): string[] {
  const lines = recorded.split('\n');
  const opening = lines.findIndex((line) => /^test\(.*async \(\{ page \}\) => \{\s*$/.test(line));
  const closing = lines.findLastIndex((line) => line.trim() === '});');
  if (opening < 0 || closing <= opening) {
    throw new Error(
      "The recorder's output has no test to take actions from: record with the playwright-test target.",
    );
  }
  const origin = platformOrigin.replace(/\/+$/, '');
  return lines
    .slice(opening + 1, closing)
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/^ {2}/, ''))
    .map((line) => line.replaceAll(`'${origin}/`, "'/").replaceAll(`'${origin}'`, "'/'"));
}

/** A single-quoted TypeScript string literal, as the suite writes them. */
function quoted(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function journeySkeleton(input: SkeletonInput): string {
  const actions = recordedActions(input.recorded, input.platformOrigin);
  if (actions.length === 0) {
    throw new Error(
      'Nothing was recorded: act in the browser (click, type, assert) before closing it, then record again.',
    );
  }
  let fixtures = path
    .relative(path.dirname(input.journeyFile), input.fixturesIndex)
    .split(path.sep)
    .join('/');
  if (!fixtures.startsWith('.')) fixtures = `./${fixtures}`;
  const imports = actions.some((line) => /\bexpect\(/.test(line)) ? 'expect, test' : 'test';
  const tags = `['@e2e', '@${personaSlug(input.persona)}']`;
  return [
    `import { ${imports} } from '${fixtures}';`,
    '',
    `test(${quoted(input.title)}, { tag: ${tags} }, async ({ ${input.persona} }) => {`,
    `  const { page } = ${input.persona};`,
    ...actions.map((line) => `  ${line}`),
    '});',
    '',
  ].join('\n');
}
