import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

/**
 * Which persona methods are tasks, and the step title each runs under, read from the classes in
 * the suite's `fixtures/`: a task is a method that calls `task('title', …)` or
 * `this.task('title', …)` (a boxed `test.step`). Anything else a persona offers (a locator getter
 * such as `liveMetric('Received')`, a property) is no step at all, so the explorer does not show it.
 */

/** A task's step title: `undefined` when it is computed (a template), so only a run can tell. */
export type TaskTitles = ReadonlyMap<string, string | undefined>;

/** Where persona classes live, relative to the workspace folder. */
export const fixturesDir = 'fixtures';

/** The task methods the classes of one source file declare, method name → step title. */
export function taskMethodsIn(fileName: string, text: string): Map<string, string | undefined> {
  const tasks = new Map<string, string | undefined>();
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member) || !member.body || !ts.isIdentifier(member.name)) continue;
        // The `task` helper itself runs whatever title it is given: it is how tasks are made.
        if (member.name.text === 'task') continue;
        const title = taskTitleOf(member.body);
        if (title === false) continue;
        const name = member.name.text;
        // Two classes naming one task differently: only the run can say which title it gets.
        tasks.set(name, tasks.has(name) && tasks.get(name) !== title ? undefined : title);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return tasks;
}

/** The title of the first task call in a method body; `false` when it calls none. */
function taskTitleOf(body: ts.Block): string | undefined | false {
  let found: string | undefined | false = false;
  const walk = (node: ts.Node): void => {
    if (found !== false) return;
    if (ts.isCallExpression(node) && isTaskCall(node.expression)) {
      const [title] = node.arguments;
      found =
        title && (ts.isStringLiteral(title) || ts.isNoSubstitutionTemplateLiteral(title))
          ? title.text
          : undefined;
      return;
    }
    // A nested function's task is not this method's step.
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(body, walk);
  return found;
}

/** `task(…)`, `this.task(…)`, `test.step(…)`. */
function isTaskCall(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === 'task';
  if (!ts.isPropertyAccessExpression(callee)) return false;
  if (callee.expression.kind === ts.SyntaxKind.ThisKeyword) return callee.name.text === 'task';
  return (
    ts.isIdentifier(callee.expression) && callee.expression.text === 'test' && callee.name.text === 'step'
  );
}

/**
 * Every task method of the workspace's `fixtures/` classes. Only files that mention `task(` or
 * `step(` are parsed, so the dozens of fixture modules without tasks cost a directory read.
 */
export async function readTaskTitles(workspaceDir: string): Promise<TaskTitles> {
  const dir = path.join(workspaceDir, fixturesDir);
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const tasks = new Map<string, string | undefined>();
  const files = entries.filter((entry) => entry.endsWith('.ts') && !entry.includes('node_modules')).sort();
  for (const entry of files) {
    const file = path.join(dir, entry);
    const text = await readFile(file, 'utf8');
    if (!text.includes('task(') && !text.includes('step(')) continue;
    for (const [name, title] of taskMethodsIn(file, text)) {
      tasks.set(name, tasks.has(name) && tasks.get(name) !== title ? undefined : title);
    }
  }
  return tasks;
}
