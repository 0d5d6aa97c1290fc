import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Playwright's `--test-list` file: one journey per line, `file › describe › title`, with the file
 * relative to the config's rootDir. It names journeys by title path, not by line, so three
 * journeys a loop declares on one line run one at a time, and no path is read as a regular
 * expression (a file filter on the command line is one).
 */

const delimiter = ' \u203a ';

/**
 * The directory Playwright resolves test-list files against: the config's top-level `testDir`,
 * else the config's own folder. Read from the config's syntax alone, as discovery reads journeys.
 */
export function configRootDir(configFile: string): string {
  const configDir = path.dirname(configFile);
  const source = ts.createSourceFile(
    configFile,
    readFileSync(configFile, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const config = exportedConfig(source);
  if (!config) return configDir;
  for (const property of config.properties) {
    if (!ts.isPropertyAssignment(property) || property.name.getText(source) !== 'testDir') continue;
    const value = property.initializer;
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value))
      return path.resolve(configDir, value.text);
    throw new Error(
      `${path.basename(configFile)} computes its top-level testDir, so Journey Explorer cannot tell which journeys a run names: write testDir as a string literal (or move it into the projects).`,
    );
  }
  return configDir;
}

/** `export default defineConfig({ … })` or `export default { … }` → the object literal. */
function exportedConfig(source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const statement of source.statements) {
    if (!ts.isExportAssignment(statement)) continue;
    let expression: ts.Expression = statement.expression;
    while (
      ts.isAsExpression(expression) ||
      ts.isSatisfiesExpression(expression) ||
      ts.isParenthesizedExpression(expression)
    )
      expression = expression.expression;
    if (ts.isCallExpression(expression)) expression = expression.arguments[0] ?? expression;
    return ts.isObjectLiteralExpression(expression) ? expression : undefined;
  }
  return undefined;
}

/**
 * The line naming one journey by the first `exactTitles` titles of its path. A title only known
 * at run time, or one the file cannot carry (one that holds `›`, or starts or ends with a space
 * Playwright would trim), ends the line there, so it names the describe (or file) around the
 * journey: more runs than asked, never less.
 */
export function testListLine(
  rootDir: string,
  file: string,
  titlePath: string[],
  exactTitles: number,
): string {
  const relative = path.relative(rootDir, file).split(path.sep).join('/');
  const titles = titlePath.slice(0, exactTitles);
  const usable: string[] = [];
  for (const title of titles) {
    if (title.includes('\u203a') || title !== title.trim() || title === '') break;
    usable.push(title);
  }
  return [relative, ...usable].join(delimiter);
}
