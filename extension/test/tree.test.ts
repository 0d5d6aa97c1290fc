import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './explorerFixtures.ts';

const fixtureTree = `Data scientist [@data-scientist @e2e @smoke] <journeys/data-scientist>
  broken-dataset.journey.ts [@data-scientist @e2e] <journeys/data-scientist/broken-dataset.journey.ts>
    counts only the rows it was given (Gets precise feedback on a broken dataset) [@data-scientist @e2e] :4
      upload dataset :7
      the dataset has one row :8
    keeps an empty upload empty (Gets precise feedback on a broken dataset) [@data-scientist @e2e] :13
      upload dataset :17
      the dataset list holds one empty dataset :18
  finds-best-detector.journey.ts [@data-scientist @e2e @smoke] <journeys/data-scientist/finds-best-detector.journey.ts>
    finds the best detector for a new sensor dataset [@data-scientist @e2e @smoke] :11
      upload dataset :14
      the profile shows every row :15
      compare algorithms :18
      the leaderboard ranks by F1 :19
Production deployer [@e2e @production-deployer @smoke] <journeys/production-deployer>
  flaky-promotion.journey.ts [@e2e @production-deployer] <journeys/production-deployer/flaky-promotion.journey.ts>
    promotes on the second attempt (deliberately flaky) [@e2e @production-deployer] :6
      deploy to staging :10
      the first attempt is refused :11
      promote to production :14
  ships-model.journey.ts [@e2e @production-deployer @smoke] <journeys/production-deployer/ships-model.journey.ts>
    ships a model to production [@e2e @production-deployer @smoke] :3
      deploy to staging :7
      promote to production :8
      production runs the promoted version :9
Security analyst [@e2e @security-analyst @smoke] <journeys/security-analyst>
  counts-alerts.journey.ts [@e2e @security-analyst] <journeys/security-analyst/counts-alerts.journey.ts>
    counts alerts by severity (deliberately broken) [@e2e @security-analyst] :4
      open live feed :7
      the summary counts each severity :8
  triages-incident.journey.ts [@e2e @security-analyst @smoke] <journeys/security-analyst/triages-incident.journey.ts>
    triages a live incident [@e2e @security-analyst @smoke] :3
      open live feed :6
      the feed shows the critical alerts first :8
      acknowledge alert :11
      nothing critical is left open :12
        open live feed :13`;

test('lists persona, file, journey and steps in story order, with tags and lines', async ({
  controller,
  workspace,
}) => {
  expect(controller.renderTree(workspace)).toBe(fixtureTree);
});

test('shows personas by friendly name, in the order their stories are told', async ({ controller }) => {
  expect(controller.items.sorted().map((persona) => persona.label)).toEqual([
    'Data scientist',
    'Production deployer',
    'Security analyst',
  ]);
});

test('picks up a new journey file, an edit and a deletion as they happen', async ({
  controller,
  workspace,
}) => {
  const file = path.join(workspace, 'journeys', 'security-analyst', 'audits-actions.journey.ts');
  await writeFile(
    file,
    `import { expect, test } from '../../fixtures/index.ts';

test('audits who did what', { tag: ['@e2e', '@security-analyst', '@compliance'] }, async ({ securityAnalyst }) => {
  const feed = await securityAnalyst.openLiveFeed();
  await test.step('every alert is listed', async () => {
    expect(feed).toHaveLength(4);
  });
});
`,
  );
  await expect
    .poll(() => controller.renderTree(workspace).split('\n').slice(25, 29).join('\n'))
    .toBe(`Security analyst [@compliance @e2e @security-analyst @smoke] <journeys/security-analyst>
  audits-actions.journey.ts [@compliance @e2e @security-analyst] <journeys/security-analyst/audits-actions.journey.ts>
    audits who did what [@compliance @e2e @security-analyst] :3
      open live feed :4`);

  await writeFile(
    file,
    `import { test } from '../../fixtures/index.ts';

test.describe('Compliance', () => {
  test('audits who did what, twice', { tag: '@security-analyst' }, async () => {});
});
`,
  );
  await expect
    .poll(() =>
      controller
        .find('Security analyst', 'audits-actions.journey.ts')
        .children.sorted()
        .map((item) => item.label),
    )
    .toEqual(['audits who did what, twice']);

  await rm(file);
  await expect.poll(() => controller.renderTree(workspace)).toBe(fixtureTree);
});

test('a persona added to the platform profile shows its tasks, without an extension change', async ({
  controller,
  workspace,
}) => {
  await writeFile(
    path.join(workspace, 'journeys', 'security-analyst', 'reads-only.journey.ts'),
    `import { test } from '../../fixtures/index.ts';

test('reads without changing anything', { tag: '@security-analyst' }, async ({ viewer }) => {
  await viewer.browseDashboards();
  await test.step('nothing changed', async () => {});
});
`,
  );
  const steps = () => {
    try {
      return controller
        .find('Security analyst', 'reads-only.journey.ts', 'reads without changing anything')
        .children.sorted()
        .map((item) => item.label);
    } catch {
      return 'the journey is not listed yet';
    }
  };
  // Until the profile names `viewer`, its call is no task.
  await expect.poll(steps).toEqual(['nothing changed']);

  await writeFile(
    path.join(workspace, 'fixtures', 'viewer.ts'),
    `import { test } from '@playwright/test';
export class Viewer {
  browseDashboards() { return test.step('browse dashboards', async () => {}, { box: true }); }
}
`,
  );
  await writeFile(
    path.join(workspace, 'fixtures', 'platform-profile.ts'),
    `export const personas = {
  dataScientist: { role: 'data_scientist' },
  deployer: { role: 'ml_engineer' },
  securityAnalyst: { role: 'security_analyst' },
  viewer: { role: 'viewer' },
} as const;
`,
  );
  await expect.poll(steps).toEqual(['browse dashboards', 'nothing changed']);
});

test('a new persona folder becomes a persona with its own run profile', async ({ controller, workspace }) => {
  const folder = path.join(workspace, 'journeys', 'platform-admin');
  await import('node:fs/promises').then(({ mkdir }) => mkdir(folder));
  await writeFile(
    path.join(folder, 'onboards-tenant.journey.ts'),
    `import { test } from '../../fixtures/index.ts';\n\ntest('onboards a tenant', { tag: ['@e2e', '@platform-admin'] }, async () => {});\n`,
  );
  await expect
    .poll(() => controller.items.sorted().map((persona) => persona.label))
    .toContain('Platform admin');
  expect(controller.profiles.map((profile) => profile.label)).toContain('Run platform admin journeys');
});

test('the refresh button discovers everything again', async ({ controller, workspace }) => {
  await rm(path.join(workspace, 'journeys', 'production-deployer'), { recursive: true });
  await controller.refreshHandler?.({
    isCancellationRequested: false,
    onCancellationRequested: () => ({ dispose() {} }),
  });
  expect(controller.items.sorted().map((persona) => persona.label)).toEqual([
    'Data scientist',
    'Security analyst',
  ]);
});

test('the tree follows a journey file as it is typed, before it is saved', async ({
  controller,
  vscode,
  workspace,
}) => {
  const file = path.join(workspace, 'journeys', 'production-deployer', 'ships-model.journey.ts');
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(file, 'utf8');
  vscode.typeInto(
    file,
    source.replace('production runs the promoted version', 'production runs the new version'),
  );
  await expect
    .poll(() => controller.renderTree(workspace), { message: 'the unsaved step title shows' })
    .toContain('production runs the new version');
});

test('a persona folder moved out of journeys/ leaves no journeys behind', async ({
  controller,
  workspace,
}) => {
  // VS Code reports a renamed folder as the folder's deletion alone, not each file's.
  const { rename } = await import('node:fs/promises');
  await rename(path.join(workspace, 'journeys', 'production-deployer'), path.join(workspace, 'retired'));
  await expect
    .poll(() => controller.items.sorted().map((persona) => persona.label))
    .toEqual(['Data scientist', 'Security analyst']);
});
