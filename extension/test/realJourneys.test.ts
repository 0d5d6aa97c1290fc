import path from 'node:path';
import { ServedSuites } from '../src/activation.ts';
import { expect, extensionDir, test } from './explorerFixtures.ts';
import { FakeVSCode } from './fake/fakeVscode.ts';
import type { FakeTestItem } from './fake/testing.ts';

/** This repository, opened in the fake editor: the journeys a person meets first. */
const repoRoot = path.resolve(extensionDir, '..');

test.describe("this repository's journeys in the explorer", () => {
  let vscode: FakeVSCode;
  let served: ServedSuites;

  test.beforeAll(async () => {
    vscode = new FakeVSCode([repoRoot]);
    served = new ServedSuites(vscode, extensionDir);
    if (served.explorers.length !== 1)
      throw new Error(`this repository is not served: ${vscode.errors.join(' ')}`);
    await served.ready;
  });

  test.afterAll(() => {
    served.dispose();
    vscode.dispose();
  });

  /** Every step below the item, nested ones too, in tree order. */
  const steps = (item: FakeTestItem): string[] =>
    item.children.sorted().flatMap((step) => [step.label, ...steps(step)]);

  test('the flagship journey lists the tasks it runs, by the titles they run under, and no locator', () => {
    const flagship = vscode.controller.find(
      'Production deployer',
      'ships-to-production.journey.ts',
      'ships a model to production and watches it score live traffic',
    );
    expect(steps(flagship).filter((step) => /live metric/i.test(step))).toEqual([]);
    // The task's own title ("sign in through SSO"), not one guessed from the method's name.
    expect(steps(flagship)).toContain('sign in through SSO');
  });

  test('no restart journey lists a locator getter as a step', () => {
    const file = vscode.controller.find('Production deployer', 'loses-nothing-on-restart.journey.ts');
    const restarts = file.children.sorted();
    // The restart drill and the kill drill.
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    for (const journey of restarts) {
      expect(
        steps(journey).filter((step) => /live metric/i.test(step)),
        journey.label,
      ).toEqual([]);
    }
  });
});
