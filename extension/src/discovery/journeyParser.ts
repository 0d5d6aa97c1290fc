import ts from 'typescript';
import { personaFixtures, taskTitle } from '../personas.ts';

/**
 * Static discovery of one journey file: what Playwright would list, read from the syntax tree
 * alone (no program, no type-check, no import of the file), so it takes about a millisecond a file.
 * Lines and columns are 1-based and point where Playwright's own locations point: at the
 * callee's name (`test`, `describe`, `step`).
 */

export type StepKind = 'step' | 'task';

export interface StaticStep {
  title: string;
  kind: StepKind;
  /** False when the title is computed: the run shows the real titles instead. */
  literalTitle: boolean;
  line: number;
  column: number;
  steps: StaticStep[];
}

export interface StaticJourney {
  title: string;
  /** Titles of the enclosing `test.describe` blocks, outermost first. */
  describePath: string[];
  line: number;
  column: number;
  /** Tags as Playwright computes them: tags in titles first, then the test's own `tag` option. */
  tags: string[];
  /** `skip`, `fixme`, `fail`, `only` when declared as `test.skip(title, ...)` and so on. */
  modifier: string | undefined;
  /** False when a title is computed (a template with substitutions): shown, but not exact. */
  literalTitle: boolean;
  steps: StaticStep[];
}

interface DescribeScope {
  title: string;
  tags: string[];
}

const testModifiers = new Set(['only', 'skip', 'fixme', 'fail']);

export function parseJourneyFile(fileName: string, text: string): StaticJourney[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const journeys: StaticJourney[] = [];
  const position = (node: ts.Node): { line: number; column: number } => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { line: line + 1, column: character + 1 };
  };

  const visit = (node: ts.Node, scopes: DescribeScope[]): void => {
    if (ts.isCallExpression(node)) {
      const callee = calleePath(node.expression);
      if (callee?.[0] === 'test') {
        const rest = callee.slice(1);
        if (rest[0] === 'describe' && rest[1] !== 'configure') {
          visitDescribe(node, scopes);
          return;
        }
        if (isTestDeclaration(node, rest)) {
          journeys.push(readJourney(node, rest[0], scopes));
          return;
        }
      }
    }
    ts.forEachChild(node, (child) => visit(child, scopes));
  };

  const visitDescribe = (call: ts.CallExpression, scopes: DescribeScope[]): void => {
    const [first, second, third] = call.arguments;
    const titled = first !== undefined && !isFunction(first);
    const title = titled ? (literalText(first)?.text ?? first.getText(source)) : '';
    const details = titled && second && !isFunction(second) ? second : undefined;
    const body = [first, second, third].find((argument) => argument && isFunction(argument));
    if (!body) return;
    ts.forEachChild(body, (child) => visit(child, [...scopes, { title, tags: tagOption(details) }]));
  };

  const readJourney = (
    call: ts.CallExpression,
    modifier: string | undefined,
    scopes: DescribeScope[],
  ): StaticJourney => {
    const [titleNode, second, third] = call.arguments;
    const literal = titleNode ? literalText(titleNode) : undefined;
    const title = literal?.text ?? titleNode?.getText(source) ?? '';
    const details = second && !isFunction(second) ? second : undefined;
    const body = [second, third].find((argument) => argument && isFunction(argument));
    const tagPath = scopes.flatMap((scope) => [scope.title, ...scope.tags]);
    tagPath.push(title);
    const titleTags = tagPath.join(' ').match(/@\S+/g) ?? [];
    const { line, column } = position(calleeName(call.expression));
    return {
      title,
      describePath: scopes.map((scope) => scope.title).filter((scopeTitle) => scopeTitle !== ''),
      line,
      column,
      tags: [...titleTags, ...tagOption(details)],
      modifier,
      literalTitle: literal?.exact ?? false,
      steps: body && isFunction(body) ? readSteps(body.body, personaBindings(body)) : [],
    };
  };

  const readSteps = (root: ts.Node, personas: ReadonlyMap<string, string>): StaticStep[] => {
    const steps: StaticStep[] = [];
    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = calleePath(node.expression);
        const [titleNode, body] = node.arguments;
        if (callee?.[0] === 'test' && callee[1] === 'step' && titleNode) {
          const { line, column } = position(calleeName(node.expression));
          const literal = literalText(titleNode);
          steps.push({
            title: literal?.text ?? titleNode.getText(source),
            kind: 'step',
            literalTitle: literal?.exact ?? false,
            line,
            column,
            steps: body ? readSteps(body, personas) : [],
          });
          return;
        }
        if (callee?.length === 2 && personas.has(callee[0] ?? '')) {
          const { line, column } = position(calleeName(node.expression));
          steps.push({
            title: taskTitle(callee[1] ?? ''),
            kind: 'task',
            literalTitle: true,
            line,
            column,
            steps: [],
          });
        }
      }
      ts.forEachChild(node, walk);
    };
    ts.forEachChild(root, walk);
    return steps;
  };

  ts.forEachChild(source, (child) => visit(child, []));
  return journeys;
}

/** `test.describe.serial` → ['test', 'describe', 'serial']; anything not a plain dotted name → undefined. */
function calleePath(expression: ts.Expression): string[] | undefined {
  if (ts.isIdentifier(expression)) return [expression.text];
  if (ts.isPropertyAccessExpression(expression)) {
    const head = calleePath(expression.expression);
    return head ? [...head, expression.name.text] : undefined;
  }
  return undefined;
}

function calleeName(expression: ts.Expression): ts.Node {
  return ts.isPropertyAccessExpression(expression) ? expression.name : expression;
}

function isTestDeclaration(call: ts.CallExpression, modifiers: string[]): boolean {
  if (modifiers.length > 2) return false;
  if (modifiers.length > 0 && !modifiers.every((modifier) => testModifiers.has(modifier))) return false;
  // `test.skip(condition, reason)` inside a test is a modifier, not a declaration: a declaration
  // always has a title and a body.
  const [title, ...rest] = call.arguments;
  return title !== undefined && !isFunction(title) && rest.some(isFunction);
}

function isFunction(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

function literalText(node: ts.Node): { text: string; exact: boolean } | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    return { text: node.text, exact: true };
  if (ts.isTemplateExpression(node)) return { text: node.getText().slice(1, -1), exact: false };
  return undefined;
}

/** Tags from a details object: `{ tag: '@x' }` or `{ tag: ['@x', '@y'] }`. */
function tagOption(details: ts.Node | undefined): string[] {
  if (!details || !ts.isObjectLiteralExpression(details)) return [];
  for (const property of details.properties) {
    if (!ts.isPropertyAssignment(property) || property.name.getText() !== 'tag') continue;
    const value = property.initializer;
    const values = ts.isArrayLiteralExpression(value) ? [...value.elements] : [value];
    return values.flatMap((element) => {
      const literal = literalText(element);
      return literal ? [literal.text] : [];
    });
  }
  return [];
}

/** Local names of the persona fixtures a test body destructures: `({ deployer: d })` → d → deployer. */
function personaBindings(body: ts.ArrowFunction | ts.FunctionExpression): Map<string, string> {
  const bindings = new Map<string, string>();
  const fixtures = body.parameters[0]?.name;
  if (!fixtures || !ts.isObjectBindingPattern(fixtures)) return bindings;
  for (const element of fixtures.elements) {
    if (!ts.isIdentifier(element.name)) continue;
    const fixture =
      element.propertyName && ts.isIdentifier(element.propertyName)
        ? element.propertyName.text
        : element.name.text;
    if (personaFixtures.has(fixture)) bindings.set(element.name.text, fixture);
  }
  return bindings;
}
