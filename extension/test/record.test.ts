import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './explorerFixtures.ts';

/**
 * The commands' side of `npm run record` and `npm run pick-locator`: the workspace's scripts are
 * stand-ins here that keep the real scripts' contract (arguments in; `Wrote <file>` or
 * `Locator: <locator>` out), so these tests need no stack and no browser. The real scripts are
 * tested in tests/unit/record-as-persona.test.ts, and both together in the code-server test.
 */
const standIn = `
import { mkdirSync, writeFileSync } from 'node:fs';
const [script, ...args] = process.argv.slice(2);
writeFileSync('called.json', JSON.stringify({ script, args, stack: process.env.E2E_STACK, seed: process.env.E2E_SEED }));
const persona = args[args.indexOf('--persona') + 1];
if (process.env.STAND_IN_FAILS) { console.error('Could not sign ' + persona + ' in to a fresh tenant: the platform is down.'); process.exit(1); }
if (script === 'record') {
  mkdirSync('journeys/recorded', { recursive: true });
  writeFileSync('journeys/recorded/recorded-journey.journey.ts', '// recorded as ' + persona + '\\n');
  console.log('Wrote journeys/recorded/recorded-journey.journey.ts');
} else {
  console.log("Locator: page.getByRole('link', { name: 'Datasets' })");
}
`;

test.beforeEach(async ({ workspace }) => {
  await writeFile(path.join(workspace, 'stand-in.mjs'), standIn);
  const manifest = JSON.parse(await readFile(path.join(workspace, 'package.json'), 'utf8'));
  manifest.scripts = {
    record: 'node stand-in.mjs record',
    'pick-locator': 'node stand-in.mjs pick-locator',
  };
  await writeFile(path.join(workspace, 'package.json'), JSON.stringify(manifest, null, 2));
});

const called = async (workspace: string) =>
  JSON.parse(await readFile(path.join(workspace, 'called.json'), 'utf8'));

test.describe('Record as a persona', () => {
  test('offers the profile’s personas, records as the chosen one with the run settings, and opens the journey written', async ({
    vscode,
    workspace,
  }) => {
    vscode.setConfiguration('journeys.env', { E2E_SEED: '42' });
    let offered: string[] = [];
    vscode.window.showQuickPick = async (items) => {
      offered = items.map((item) => item.label);
      return items.find((item) => item.label === 'deployer');
    };
    await vscode.runCommand('journeys.recordAsPersona');

    expect(vscode.errors).toEqual([]);
    // The platform profile's personas, in its order (not the aliases).
    expect(offered).toEqual(['dataScientist', 'deployer', 'securityAnalyst']);
    expect(await called(workspace)).toEqual({
      script: 'record',
      args: ['--persona', 'deployer'],
      stack: 'embedded',
      seed: '42',
    });
    const journey = path.join(workspace, 'journeys', 'recorded', 'recorded-journey.journey.ts');
    const opened = vscode.executedCommands.find((command) => command.command === 'vscode.open');
    expect(String(opened?.args[0])).toBe(vscode.Uri.file(journey).toString());
    expect(await readFile(journey, 'utf8')).toBe('// recorded as deployer\n');
  });

  test('choosing no persona records nothing', async ({ vscode, workspace }) => {
    vscode.window.showQuickPick = async () => undefined;
    await vscode.runCommand('journeys.recordAsPersona');
    expect(existsSync(path.join(workspace, 'called.json'))).toBe(false);
    expect(vscode.errors).toEqual([]);
  });

  test('a recording that fails says why, in the script’s own words', async ({ vscode }) => {
    vscode.setConfiguration('journeys.env', { STAND_IN_FAILS: '1' });
    await vscode.runCommand('journeys.recordAsPersona');
    expect(vscode.errors).toEqual([
      'npm run record stopped (exit 1): Could not sign dataScientist in to a fresh tenant: the platform is down.',
    ]);
    expect(vscode.executedCommands.some((command) => command.command === 'vscode.open')).toBe(false);
  });
});

test.describe('Pick locator', () => {
  test('copies the picked locator and types it at the cursor', async ({ vscode, workspace }) => {
    await vscode.runCommand('journeys.pickLocator');
    expect(vscode.errors).toEqual([]);
    expect((await called(workspace)).args).toEqual(['--persona', 'dataScientist']);
    const locator = "page.getByRole('link', { name: 'Datasets' })";
    expect(vscode.clipboardText).toBe(locator);
    expect(vscode.executedCommands.find((command) => command.command === 'type')?.args).toEqual([
      { text: locator },
    ]);
    expect(vscode.informationMessages).toContain(`Copied ${locator}`);
  });
});
