import path from 'node:path';
import { discoverJourneys } from '../src/discovery/journeyFiles.ts';
import { parseJourneyFile } from '../src/discovery/journeyParser.ts';
import { personaFixturesIn, readPersonaFixtures } from '../src/discovery/personaFixtures.ts';
import { readTaskTitles, taskMethodsIn } from '../src/discovery/personaTasks.ts';
import { expect, fixtureWorkspace, test } from './explorerFixtures.ts';
import { listStatically, listWithPlaywright } from './playwrightList.ts';

const repoRoot = path.resolve(fixtureWorkspace, '..', '..', '..');

test.describe('static discovery', () => {
  test('reads titles, describes, tags (with inheritance and title tags), modifiers and lines', () => {
    const journeys = parseJourneyFile(
      'x.journey.ts',
      `import { test } from '../../fixtures/index.ts';
test.describe('Rolls back @release', { tag: '@production-deployer' }, () => {
  test.describe.serial(\`inner\`, () => {
    test('rolls back a bad release', { tag: ['@e2e', '@slow'] }, async () => {});
  });
  test.skip('waits for approval', async () => {});
  test.skip(process.env.CI === undefined, 'a modifier, not a journey');
});
test(\`computed \${process.env.TITLE}\`, async () => {});
`,
    );
    expect(journeys.map(({ steps, ...journey }) => journey)).toEqual([
      {
        title: 'rolls back a bad release',
        describePath: ['Rolls back @release', 'inner'],
        line: 4,
        column: 5,
        tags: ['@release', '@production-deployer', '@e2e', '@slow'],
        modifier: undefined,
        literalTitle: true,
        exactTitles: 3,
      },
      {
        title: 'waits for approval',
        describePath: ['Rolls back @release'],
        line: 6,
        column: 8,
        tags: ['@release', '@production-deployer'],
        modifier: 'skip',
        literalTitle: true,
        exactTitles: 2,
      },
      {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a computed title, as the source spells it.
        title: 'computed ${process.env.TITLE}',
        describePath: [],
        line: 9,
        column: 1,
        tags: [],
        modifier: undefined,
        literalTitle: false,
        exactTitles: 0,
      },
    ]);
  });

  test('resolves module constants and declares one journey per element of a known loop', () => {
    const journeys = parseJourneyFile(
      'x.journey.ts',
      `const tags = ['@e2e', '@security'] as const;
const cases = [
  { what: 'the platform', service: 'api' },
  { what: 'the broker', service: 'mqtt' },
];
test.describe('restarts', { tag: [...tags, '@slow'] }, () => {
  for (const { what, service: name } of cases) {
    test(\`loses nothing when \${what} restarts\`, { tag: tags }, async () => {
      await test.step(\`restart \${name}\`, async () => {});
    });
  }
});
for (const title of load()) test(\`unknown \${title}\`, async () => {});
`,
    );
    expect(
      journeys.map((journey) => [
        journey.title,
        journey.line,
        journey.literalTitle,
        journey.tags,
        journey.steps.map((step) => [step.title, step.literalTitle]),
      ]),
    ).toEqual([
      [
        'loses nothing when the platform restarts',
        8,
        true,
        ['@e2e', '@security', '@slow', '@e2e', '@security'],
        [['restart api', true]],
      ],
      [
        'loses nothing when the broker restarts',
        8,
        true,
        ['@e2e', '@security', '@slow', '@e2e', '@security'],
        [['restart mqtt', true]],
      ],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a computed title, as the source spells it.
      ['unknown ${title}', 13, false, [], []],
    ]);
  });

  test('a title held in a constant of the same file shows its text, not the constant name', () => {
    const journeys = parseJourneyFile(
      'x.journey.ts',
      `const SHIPS = 'ships a model to production';
const titles = { rollBack: 'rolls back a bad release' } as const;
test.describe(titles.rollBack, () => {
  test(SHIPS, async () => {});
});
`,
    );
    expect(journeys.map((journey) => [journey.describePath, journey.title, journey.literalTitle])).toEqual([
      [['rolls back a bad release'], 'ships a model to production', true],
    ]);
  });

  test('a journey under a computed describe title is exact only up to that describe', () => {
    const journeys = parseJourneyFile(
      'x.journey.ts',
      `test.describe('Releases', () => {
  test.describe(\`on \${process.env.STACK}\`, () => {
    test('roll back', async () => {});
  });
});
`,
    );
    expect(journeys.map((journey) => journey.exactTitles)).toEqual([1]);
  });

  test('reads nested test.step calls and persona tasks of destructured persona fixtures only', () => {
    const [journey] = parseJourneyFile(
      'x.journey.ts',
      `test('ships', async ({ deployer: shipper, data, dataScientist }) => {
  await dataScientist.signInThroughSso();
  const events = data.streamEvents({ count: 10 });
  await test.step('staging answers', async () => {
    await shipper.deployToStaging(model);
    await test.step(\`scored \${events.length} events\`, async () => {});
  });
  await unrelated.promoteToProduction();
  await expect(shipper.liveMetric('Received')).toHaveText('10');
});`,
      {
        fixtures: new Set(['dataScientist', 'deployer']),
        tasks: new Map([
          ['signInThroughSso', 'sign in through SSO'],
          ['deployToStaging', 'deploy to staging'],
          ['promoteToProduction', 'promote to production'],
        ]),
      },
    );
    const outline = (steps: NonNullable<typeof journey>['steps']): unknown =>
      steps.map((step) => [step.kind, step.title, step.line, step.literalTitle, outline(step.steps)]);
    expect(outline(journey?.steps ?? [])).toEqual([
      ['task', 'sign in through SSO', 2, true, []],
      [
        'step',
        'staging answers',
        4,
        true,
        [
          ['task', 'deploy to staging', 5, true, []],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a computed title, as the source spells it.
          ['step', 'scored ${events.length} events', 6, false, []],
        ],
      ],
    ]);
  });

  test("learns this repository's persona fixtures from its platform profile", async () => {
    const { names, problem } = await readPersonaFixtures(repoRoot);
    expect(problem).toBeUndefined();
    expect([...names].sort()).toEqual([
      'admin',
      'dataScientist',
      'deployer',
      'securityAnalyst',
      'tenantAdmin',
      'viewer',
    ]);
    // The tenant administrator's tasks in a real journey show as steps.
    const files = await discoverJourneys(path.join(repoRoot, 'journeys'), {
      fixtures: names,
      tasks: await readTaskTitles(repoRoot),
    });
    const retention = files
      .flatMap((file) => file.journeys)
      .find((journey) => journey.title === 'keeps data only as long as the policy says');
    expect(retention?.steps.filter((step) => step.kind === 'task').map((step) => step.title)).toEqual(
      expect.arrayContaining(['set retention policy', 'purge now']),
    );
  });

  test('reads persona names from `personas` and `personaAliases`, and says what to do without them', async () => {
    expect(
      personaFixturesIn(
        'platform-profile.ts',
        `export const personas = { auditor: { role: 'auditor' }, 'field-engineer': { role: 'x' } } as const satisfies Record<string, unknown>;
export const personaAliases = ({ boss: 'auditor' });
export const roles = { auditor: {} };`,
      ),
    ).toEqual({ names: new Set(['auditor', 'field-engineer', 'boss']) });
    expect(personaFixturesIn('platform-profile.ts', 'export const roles = {};').problem).toBe(
      'platform-profile.ts has no `export const personas = { … }` object literal: declare the persona fixtures there (fixture name → role) so Journey Explorer shows their tasks.',
    );
    const missing = await readPersonaFixtures(path.join(fixtureWorkspace, 'journeys'));
    expect(missing.names.size).toBe(0);
    expect(missing.problem).toMatch(/^fixtures\/platform-profile\.ts is missing: add it with /);
  });

  test('a task is a persona method that runs task(title): its title as written, other methods are no steps', () => {
    const tasks = taskMethodsIn(
      'persona.ts',
      `class Persona {
  protected task<T>(title: string, body: () => Promise<T>) { return test.step(title, body, { box: true }); }
  releaseThroughApi(v) { return this.task('release (API)', async () => {}); }
  review(s) { return this.task(\`review \${s}\`, async () => {}); }
  liveMetric(name) { return this.page.getByRole('row', { name }); }
  helper() { return [1].map(() => this.task('not this method', async () => {})); }
}
function task(title, body) { return test.step(title, body); }
class Other { upload() { return task('upload dataset', () => 1); } }`,
    );
    expect([...tasks]).toEqual([
      ['releaseThroughApi', 'release (API)'],
      ['review', undefined],
      ['upload', 'upload dataset'],
    ]);
  });

  test('lists exactly what playwright test --list lists in the fixture workspace', async () => {
    const journeysDir = path.join(fixtureWorkspace, 'journeys');
    const listed = await listWithPlaywright(fixtureWorkspace, journeysDir);
    expect(listed).toHaveLength(7);
    expect(listStatically(await discoverJourneys(journeysDir))).toEqual(listed);
  });

  test("lists exactly what playwright test --list lists in this repository's journeys", async () => {
    const journeysDir = path.join(repoRoot, 'journeys');
    // @stress journeys are listed only with E2E_STRESS=1; the explorer shows every journey there is.
    const listed = await listWithPlaywright(repoRoot, journeysDir, { E2E_STRESS: '1' });
    const discovered = listStatically(await discoverJourneys(journeysDir));
    expect(discovered.length, 'the repository has journeys').toBeGreaterThan(0);
    expect(discovered).toEqual(listed);
  });
});
