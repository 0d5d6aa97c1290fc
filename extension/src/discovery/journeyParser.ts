import ts from 'typescript';
import type { TaskTitles } from './personaTasks.ts';

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
  /** False when a title is computed from values the source alone does not give: shown, not exact. */
  literalTitle: boolean;
  /**
   * How many leading titles of the title path (describes, then the journey's own) the source
   * determines: a run can name the journey by these, and no further.
   */
  exactTitles: number;
  steps: StaticStep[];
}

interface DescribeScope {
  title: string;
  tags: string[];
  exact: boolean;
}

const testModifiers = new Set(['only', 'skip', 'fixme', 'fail']);

/** A value known from the source alone: literals, arrays and objects of them. */
type StaticValue = string | number | boolean | StaticValue[] | { [key: string]: StaticValue | undefined };

/**
 * Names whose values are known statically: the module's `const` declarations, and inside a
 * `for (const x of <known array>)` loop, the loop variables of the current element.
 */
type Bindings = ReadonlyMap<string, StaticValue | undefined>;

/** What the suite's personas are and can do: the vocabulary persona tasks are read with. */
export interface PersonaVocabulary {
  /** The fixtures that are personas (the platform profile's, see personaFixtures.ts). */
  fixtures: ReadonlySet<string>;
  /** Their task methods and step titles (personaTasks.ts); other methods are not steps. */
  tasks: TaskTitles;
}

export const noPersonas: PersonaVocabulary = { fixtures: new Set(), tasks: new Map() };

/** Without `personas` only `test.step` calls are steps. */
export function parseJourneyFile(
  fileName: string,
  text: string,
  personas: PersonaVocabulary = noPersonas,
): StaticJourney[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const journeys: StaticJourney[] = [];
  const position = (node: ts.Node): { line: number; column: number } => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { line: line + 1, column: character + 1 };
  };

  const visit = (node: ts.Node, scopes: DescribeScope[], bindings: Bindings): void => {
    if (ts.isCallExpression(node)) {
      const callee = calleePath(node.expression);
      if (callee?.[0] === 'test') {
        const rest = callee.slice(1);
        if (rest[0] === 'describe' && rest[1] !== 'configure') {
          visitDescribe(node, scopes, bindings);
          return;
        }
        if (isTestDeclaration(node, rest)) {
          journeys.push(readJourney(node, rest[0], scopes, bindings));
          return;
        }
      }
    }
    if (ts.isForOfStatement(node) && visitLoop(node, scopes, bindings)) return;
    ts.forEachChild(node, (child) => visit(child, scopes, bindings));
  };

  /**
   * `for (const { what } of cases) test(\`… \${what}\`, …)` declares one journey per element, as
   * Playwright lists them; visited once per element when the array is known, else left as one.
   */
  const visitLoop = (loop: ts.ForOfStatement, scopes: DescribeScope[], bindings: Bindings): boolean => {
    const elements = staticValue(loop.expression, bindings);
    const declarations = ts.isVariableDeclarationList(loop.initializer) ? loop.initializer.declarations : [];
    const name = declarations.length === 1 ? declarations[0]?.name : undefined;
    if (!Array.isArray(elements) || !name) return false;
    for (const element of elements) {
      visit(loop.statement, scopes, bind(name, element, new Map(bindings)));
    }
    return true;
  };

  const visitDescribe = (call: ts.CallExpression, scopes: DescribeScope[], bindings: Bindings): void => {
    const [first, second, third] = call.arguments;
    const titled = first !== undefined && !isFunction(first);
    const literal = titled ? literalText(first, bindings) : undefined;
    const title = titled ? (literal?.text ?? first.getText(source)) : '';
    const details = titled && second && !isFunction(second) ? second : undefined;
    const body = [first, second, third].find((argument) => argument && isFunction(argument));
    if (!body) return;
    const scope = { title, tags: tagOption(details, bindings), exact: !titled || literal?.exact === true };
    ts.forEachChild(body, (child) => visit(child, [...scopes, scope], bindings));
  };

  const readJourney = (
    call: ts.CallExpression,
    modifier: string | undefined,
    scopes: DescribeScope[],
    bindings: Bindings,
  ): StaticJourney => {
    const [titleNode, second, third] = call.arguments;
    const literal = titleNode ? literalText(titleNode, bindings) : undefined;
    const title = literal?.text ?? titleNode?.getText(source) ?? '';
    const details = second && !isFunction(second) ? second : undefined;
    const body = [second, third].find((argument) => argument && isFunction(argument));
    const tagPath = scopes.flatMap((scope) => [scope.title, ...scope.tags]);
    tagPath.push(title);
    const titleTags = tagPath.join(' ').match(/@\S+/g) ?? [];
    const { line, column } = position(calleeName(call.expression));
    const describes = scopes.filter((scope) => scope.title !== '');
    const firstComputed = describes.findIndex((scope) => !scope.exact);
    return {
      title,
      describePath: describes.map((scope) => scope.title),
      line,
      column,
      tags: [...titleTags, ...tagOption(details, bindings)],
      modifier,
      literalTitle: literal?.exact ?? false,
      exactTitles: firstComputed >= 0 ? firstComputed : describes.length + (literal?.exact ? 1 : 0),
      steps:
        body && isFunction(body)
          ? readSteps(body.body, personaBindings(body, personas.fixtures), bindings)
          : [],
    };
  };

  const taskTitles = personas.tasks;
  const readSteps = (
    root: ts.Node,
    personaNames: ReadonlyMap<string, string>,
    bindings: Bindings,
  ): StaticStep[] => {
    const steps: StaticStep[] = [];
    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = calleePath(node.expression);
        const [titleNode, body] = node.arguments;
        if (callee?.[0] === 'test' && callee[1] === 'step' && titleNode) {
          const { line, column } = position(calleeName(node.expression));
          const literal = literalText(titleNode, bindings);
          steps.push({
            title: literal?.text ?? titleNode.getText(source),
            kind: 'step',
            literalTitle: literal?.exact ?? false,
            line,
            column,
            steps: body ? readSteps(body, personaNames, bindings) : [],
          });
          return;
        }
        const method = callee?.length === 2 && personaNames.has(callee[0] ?? '') ? callee[1] : undefined;
        if (method !== undefined && taskTitles.has(method)) {
          const { line, column } = position(calleeName(node.expression));
          const title = taskTitles.get(method);
          steps.push({
            title: title ?? method,
            kind: 'task',
            literalTitle: title !== undefined,
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

  const constants = moduleConstants(source);
  ts.forEachChild(source, (child) => visit(child, [], constants));
  return journeys;
}

/** The module's top-level `const` declarations, each resolved against those before it. */
function moduleConstants(source: ts.SourceFile): Bindings {
  const constants = new Map<string, StaticValue | undefined>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    if (!(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer) {
        constants.set(declaration.name.text, staticValue(declaration.initializer, constants));
      }
    }
  }
  return constants;
}

/** Binds a loop variable (a name or an object pattern) to one element of the array it walks. */
function bind(
  name: ts.BindingName,
  value: StaticValue | undefined,
  bindings: Map<string, StaticValue | undefined>,
): Bindings {
  if (ts.isIdentifier(name)) {
    bindings.set(name.text, value);
  } else if (ts.isObjectBindingPattern(name)) {
    const object = value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : {};
    for (const element of name.elements) {
      const key = element.propertyName ?? element.name;
      if (element.dotDotDotToken || (!ts.isIdentifier(key) && !ts.isStringLiteral(key))) continue;
      bind(element.name, object[key.text], bindings);
    }
  } else {
    // Array patterns: their names shadow outer ones with values this reading does not track.
    for (const element of name.elements) {
      if (ts.isBindingElement(element)) bind(element.name, undefined, bindings);
    }
  }
  return bindings;
}

/** The value of an expression when the source alone determines it, else undefined. */
function staticValue(node: ts.Expression, bindings: Bindings): StaticValue | undefined {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))
    return staticValue(node.expression, bindings);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isTemplateExpression(node)) {
    let text = node.head.text;
    for (const span of node.templateSpans) {
      const value = staticValue(span.expression, bindings);
      if (value === undefined || typeof value === 'object') return undefined;
      text += String(value) + span.literal.text;
    }
    return text;
  }
  if (ts.isIdentifier(node)) return bindings.get(node.text);
  if (ts.isPropertyAccessExpression(node)) {
    const object = staticValue(node.expression, bindings);
    return object !== undefined && typeof object === 'object' && !Array.isArray(object)
      ? object[node.name.text]
      : undefined;
  }
  if (ts.isArrayLiteralExpression(node)) {
    const values: StaticValue[] = [];
    for (const element of node.elements) {
      // Without every element (an unknown spread, a call) the length is unknown, so the array is too.
      const value = staticValue(ts.isSpreadElement(element) ? element.expression : element, bindings);
      if (value === undefined || (ts.isSpreadElement(element) && !Array.isArray(value))) return undefined;
      if (ts.isSpreadElement(element)) values.push(...(value as StaticValue[]));
      else values.push(value);
    }
    return values;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const object: { [key: string]: StaticValue | undefined } = {};
    for (const property of node.properties) {
      if (
        ts.isPropertyAssignment(property) &&
        (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
      )
        object[property.name.text] = staticValue(property.initializer, bindings);
      else if (ts.isShorthandPropertyAssignment(property))
        object[property.name.text] = bindings.get(property.name.text);
      // Spreads and computed keys could shadow anything: an object with them is not known.
      else if (ts.isSpreadAssignment(property) || ts.isPropertyAssignment(property)) return undefined;
    }
    return object;
  }
  return undefined;
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

/** A title's text: exact when the source determines it, else the template as written. */
function literalText(node: ts.Node, bindings: Bindings): { text: string; exact: boolean } | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    return { text: node.text, exact: true };
  if (ts.isTemplateExpression(node)) {
    const value = staticValue(node, bindings);
    return typeof value === 'string'
      ? { text: value, exact: true }
      : { text: node.getText().slice(1, -1), exact: false };
  }
  // A constant of the same file (`test(TITLE, …)`, `test(titles.ship, …)`): its value, not its name.
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    const value = staticValue(node, bindings);
    if (typeof value === 'string') return { text: value, exact: true };
  }
  return undefined;
}

/** Tags from a details object: `{ tag: '@x' }`, `{ tag: ['@x', '@y'] }`, or a constant holding them. */
function tagOption(details: ts.Node | undefined, bindings: Bindings): string[] {
  if (!details || !ts.isObjectLiteralExpression(details)) return [];
  for (const property of details.properties) {
    if (!ts.isPropertyAssignment(property) || property.name.getText() !== 'tag') continue;
    const value = staticValue(property.initializer, bindings);
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.filter((tag) => typeof tag === 'string');
    // Partly known (`[...common, '@x']`): keep the tags written out.
    const initializer = property.initializer;
    const elements = ts.isArrayLiteralExpression(initializer) ? [...initializer.elements] : [];
    return elements.flatMap((element) => {
      const tag = ts.isSpreadElement(element) ? undefined : staticValue(element, bindings);
      return typeof tag === 'string' ? [tag] : [];
    });
  }
  return [];
}

/** Local names of the persona fixtures a test body destructures: `({ deployer: d })` → d → deployer. */
function personaBindings(
  body: ts.ArrowFunction | ts.FunctionExpression,
  personaFixtures: ReadonlySet<string>,
): Map<string, string> {
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
