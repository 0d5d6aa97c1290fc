import { expect, test } from '@playwright/test';
import {
  journeySkeleton,
  personaSlug,
  recordedActions,
  titleFromFile,
} from '../../scripts/record/journey-skeleton.ts';

/** What Playwright's recorder writes with the playwright-test target. */
const recorded = `import { test, expect } from '@playwright/test';

test('test', async ({ page }) => {
  await page.goto('http://127.0.0.1:41234/');
  await page.getByRole('link', { name: 'Datasets', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Datasets' })).toBeVisible();
  await page.goto('http://127.0.0.1:41234/models?stage=production');
});
`;

test('a recording becomes a journey of the persona, with the suite test, the tags and relative addresses', () => {
  const journey = journeySkeleton({
    recorded,
    persona: 'dataScientist',
    title: "checks the scientist's datasets",
    platformOrigin: 'http://127.0.0.1:41234',
    journeyFile: '/repo/journeys/data-scientist/checks-datasets.journey.ts',
    fixturesIndex: '/repo/fixtures/index.ts',
  });
  expect(journey).toBe(`import { expect, test } from '../../fixtures/index.ts';

test('checks the scientist\\'s datasets', { tag: ['@e2e', '@data-scientist'] }, async ({ dataScientist }) => {
  const { page } = dataScientist;
  await page.goto('/');
  await page.getByRole('link', { name: 'Datasets', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Datasets' })).toBeVisible();
  await page.goto('/models?stage=production');
});
`);
});

test('a recording without an assertion imports no expect', () => {
  const journey = journeySkeleton({
    recorded: recorded.replace(/^.*expect\(page.*\n/m, ''),
    persona: 'deployer',
    title: 'ships',
    platformOrigin: 'http://127.0.0.1:41234',
    journeyFile: '/repo/journeys/production-deployer/ships.journey.ts',
    fixturesIndex: '/repo/fixtures/index.ts',
  });
  expect(journey.split('\n').slice(0, 3)).toEqual([
    "import { test } from '../../fixtures/index.ts';",
    '',
    "test('ships', { tag: ['@e2e', '@production-deployer'] }, async ({ deployer }) => {",
  ]);
});

test('an empty recording is refused with what to do', () => {
  const empty = `import { test, expect } from '@playwright/test';\n\ntest('test', async ({ page }) => {\n});\n`;
  expect(() =>
    journeySkeleton({
      recorded: empty,
      persona: 'viewer',
      title: 'x',
      platformOrigin: 'http://127.0.0.1:1',
      journeyFile: '/repo/journeys/viewer/x.journey.ts',
      fixturesIndex: '/repo/fixtures/index.ts',
    }),
  ).toThrow(
    'Nothing was recorded: act in the browser (click, type, assert) before closing it, then record again.',
  );
  expect(() => recordedActions('', 'http://127.0.0.1:1')).toThrow(/record with the playwright-test target/);
});

test('persona tags and folders are the role labels; titles come from file names', () => {
  expect(personaSlug('deployer')).toBe('production-deployer');
  expect(personaSlug('securityAnalyst')).toBe('security-analyst');
  expect(personaSlug('tenantAdmin')).toBe('tenant-admin');
  expect(titleFromFile('journeys/data-scientist/checks-the-datasets.journey.ts')).toBe('checks the datasets');
});
