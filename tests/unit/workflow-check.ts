/**
 * Checks that every command a workflow `run:` step calls exists here: `npm run X` names a script
 * of the right package.json (and what that script calls exists in turn), `npx X` is installed,
 * and each `playwright test …` invocation, with its config, projects, grep and shard, lists at
 * least one test. Listing loads the config and the test files but runs no global setup and no
 * test, and it reports to the console only, so the check starts no stack and writes no results.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { RunStep } from './workflow-runs.ts';
import { type SimpleCommand, splitCommands } from './workflow-shell.ts';

/**
 * Programs the workflow's steps call besides npm and npx, all on GitHub's hosted Ubuntu runners.
 * Anything else is reported as unknown, so a renamed or removed tool does not go unnoticed.
 */
const allowedPrograms = new Set([
  '[', // test for the merge loop's empty folders
  'cp',
  'docker', // `docker info`, to show the engine the containers journeys use
  'find',
  'ls',
  'mkdir',
]);

/** Subcommands of `npx playwright` that need nothing of the repository to list. */
const playwrightToolCommands = new Set(['install', 'merge-reports']);

const builtinReporters = new Set(['blob', 'dot', 'github', 'html', 'json', 'junit', 'line', 'list', 'null']);

interface Context {
  root: string;
  /** Absolute directory the command runs in. */
  cwd: string;
  env: Record<string, string>;
  /** Inside a package.json script, where npm puts node_modules/.bin on the PATH. */
  inNpmScript: boolean;
}

export async function checkRunStep(run: RunStep, root: string): Promise<string[]> {
  const where = `job "${run.job}", step "${run.step}"${run.combination ? ` (${run.combination})` : ''}`;
  if (run.problems.length > 0) return run.problems.map((problem) => `${where}: ${problem}`);
  let commands: SimpleCommand[];
  try {
    commands = splitCommands(run.script);
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  for (const command of commands) {
    const context: Context = {
      root,
      cwd: path.resolve(root, run.workingDirectory),
      env: { ...run.env, ...command.assignments },
      inNpmScript: false,
    };
    for (const problem of await checkCommand(command.argv, context)) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

async function checkCommand(argv: string[], context: Context): Promise<string[]> {
  const [program = '', ...args] = argv;
  if (program === 'npm') return checkNpm(args, context);
  if (program === 'npx') return checkNpx(args, context);
  if (allowedPrograms.has(program)) return [];
  if (context.inNpmScript && program === 'playwright') return checkPlaywright(args, context, 'playwright');
  if (context.inNpmScript && program === 'node') {
    const file = args.find((arg) => !arg.startsWith('-'));
    return file === undefined || existsSync(path.resolve(context.cwd, file))
      ? []
      : [`node ${file}: ${relative(context, path.resolve(context.cwd, file))} does not exist`];
  }
  if (context.inNpmScript && installedBin(program, context)) return [];
  const known = context.inNpmScript
    ? 'not in node_modules/.bin nor one of the allowed programs'
    : 'not npm, npx nor one of the allowed programs';
  return [
    `"${argv.join(' ')}" calls ${program}, which is ${known} in tests/unit/workflow-check.ts: fix the step, or add ${program} there if the runner has it`,
  ];
}

async function checkNpm(args: string[], context: Context): Promise<string[]> {
  const [command = '', ...rest] = args;
  if (command === 'ci') {
    return existsSync(path.join(context.cwd, 'package-lock.json'))
      ? []
      : [`npm ci: there is no package-lock.json in ${relative(context, context.cwd)}`];
  }
  if (!['run', 'run-script', 'test', 't'].includes(command)) {
    return [`npm ${command} is not an npm command the workflow check knows: use npm ci, npm test or npm run`];
  }
  let name = command === 'test' || command === 't' ? 'test' : undefined;
  let workspace: string | undefined;
  let ifPresent = false;
  const passed: string[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] as string;
    if (arg === '--') {
      passed.push(...rest.slice(i + 1));
      break;
    }
    if (arg === '-w' || arg === '--workspace') workspace = rest[++i];
    else if (arg.startsWith('--workspace=')) workspace = arg.slice('--workspace='.length);
    else if (arg === '--if-present') ifPresent = true;
    else if (arg.startsWith('-')) continue;
    else if (name === undefined) name = arg;
    else passed.push(arg);
  }
  if (name === undefined) return ["npm run without a script name: name one of package.json's scripts"];
  const packageDir = workspace ? path.resolve(context.cwd, workspace) : context.cwd;
  const manifest = path.join(packageDir, 'package.json');
  if (!existsSync(manifest)) return [`npm run ${name}: ${relative(context, manifest)} does not exist`];
  const scripts = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> })
    .scripts;
  const script = scripts?.[name];
  if (script === undefined) {
    if (ifPresent) return [];
    return [
      `npm run ${name}: ${relative(context, manifest)} has no script "${name}" (it has ${Object.keys(scripts ?? {}).join(', ')})`,
    ];
  }
  let commands: SimpleCommand[];
  try {
    commands = splitCommands(script);
  } catch (error) {
    return [`npm run ${name}: ${(error as Error).message}`];
  }
  // npm appends the arguments after `--` to the script's text, so they reach its last command.
  commands.at(-1)?.argv.push(...passed);
  const problems: string[] = [];
  for (const command of commands) {
    const inner: Context = {
      ...context,
      cwd: packageDir,
      env: { ...context.env, ...command.assignments },
      inNpmScript: true,
    };
    for (const problem of await checkCommand(command.argv, inner))
      problems.push(`npm run ${name} → ${problem}`);
  }
  return problems;
}

async function checkNpx(args: string[], context: Context): Promise<string[]> {
  const [program = '', ...rest] = args;
  if (program === 'playwright') return checkPlaywright(rest, context, 'npx playwright');
  if (program.startsWith('-') || !installedBin(program, context)) {
    return [
      `npx ${args.join(' ')}: ${program} is not installed here, so npx would fetch it at run time: add it as a devDependency or fix the name`,
    ];
  }
  return [];
}

async function checkPlaywright(args: string[], context: Context, invoked: string): Promise<string[]> {
  const [command = '', ...rest] = args;
  if (playwrightToolCommands.has(command)) return [];
  if (command !== 'test') {
    return [
      `${invoked} ${command} is not a Playwright command the workflow check knows (test, install, merge-reports)`,
    ];
  }
  return listTests(rest, context);
}

/** Reporter arguments are replaced for the listing; their names are checked here instead. */
function splitReporters(args: string[]): { rest: string[]; reporters: string[] } {
  const rest: string[] = [];
  const reporters: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--reporter') reporters.push(...(args[++i] ?? '').split(','));
    else if (arg.startsWith('--reporter=')) reporters.push(...arg.slice('--reporter='.length).split(','));
    else rest.push(arg);
  }
  return { rest, reporters };
}

async function listTests(args: string[], context: Context): Promise<string[]> {
  const shown = `playwright test ${args.map(quoted).join(' ')}`;
  const variable = args.find((arg) => arg.includes('$'));
  if (variable !== undefined) {
    return [`${shown}: "${variable}" holds a shell variable, which the workflow check cannot expand`];
  }
  const { rest, reporters } = splitReporters(args);
  const resolver = createRequire(path.join(context.cwd, 'package.json'));
  const unknown = reporters.filter((name) => {
    if (builtinReporters.has(name)) return false;
    try {
      resolver.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (unknown.length > 0) {
    return [`${shown}: reporter ${unknown.join(', ')} is neither built into Playwright nor installed`];
  }
  const listing = await listOnce(rest, context);
  if (listing.count > 0) return [];
  return [`${shown} lists no test: ${listing.error}`];
}

interface Listing {
  count: number;
  error: string;
}

const listings = new Map<string, Promise<Listing>>();

/**
 * One `--list` per distinct invocation: matrix combinations that differ only in where a blob
 * report goes (the listing replaces the reporters) list the same tests.
 */
function listOnce(args: string[], context: Context): Promise<Listing> {
  const env = Object.fromEntries(
    Object.entries(context.env).filter(([key]) => !key.startsWith('PLAYWRIGHT_BLOB_OUTPUT_')),
  );
  const key = JSON.stringify([context.cwd, args, env]);
  let listing = listings.get(key);
  if (!listing) {
    listing = withSlot(() => list(args, { ...context, env }));
    listings.set(key, listing);
  }
  return listing;
}

async function list(args: string[], context: Context): Promise<Listing> {
  const cli = path.join(context.root, 'node_modules', '@playwright', 'test', 'cli.js');
  const { code, output } = await run(
    process.execPath,
    [cli, 'test', ...args, '--list', '--reporter=list'],
    context,
  );
  const text = stripVTControlCharacters(output);
  const count = Number(/^Total: (\d+) tests? in/m.exec(text)?.[1] ?? 0);
  const error =
    text.split('\n').find((line) => line.startsWith('Error')) ??
    (code === 0
      ? 'Playwright found 0 tests for these options'
      : `playwright exited with ${code}: ${text.trim().slice(-500)}`);
  return { count: code === 0 ? count : 0, error };
}

function run(program: string, args: string[], context: Context): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd: context.cwd, env: { ...process.env, ...context.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', (error) => resolve({ code: 127, output: error.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Two listings at a time: each loads every test file, and the machine may have two cores. */
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  while (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function installedBin(program: string, context: Context): boolean {
  for (let dir = context.cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', '.bin', program))) return true;
    if (dir === context.root || dir === path.dirname(dir)) return false;
  }
}

function relative(context: Context, file: string): string {
  return path.relative(context.root, file) || '.';
}

/** An argument as it would be typed, so a message can be pasted into a shell. */
function quoted(arg: string): string {
  return /^[\w@%+=:,./-]*$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
