import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

/**
 * Which fixtures are personas (their method calls are tasks, each a boxed step at run time),
 * learnt from the suite itself: the platform profile's `personas` and `personaAliases` objects,
 * read from the syntax tree alone like the journeys. A persona added to the profile shows its
 * tasks in the explorer without a change here.
 */

/** Where the suite keeps its platform profile, relative to the workspace folder. */
export const profileFile = path.join('fixtures', 'platform-profile.ts');

/** The exported object literals whose keys are persona fixture names. */
const personaObjects = ['personas', 'personaAliases'];

export interface PersonaFixtureReading {
  names: ReadonlySet<string>;
  /** One plain sentence when the profile cannot tell, saying what to do; tasks then show as plain calls. */
  problem?: string;
}

/** The persona fixture names a profile's source declares. */
export function personaFixturesIn(
  fileName: string,
  text: string,
  objects: readonly string[] = personaObjects,
): PersonaFixtureReading {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const names = new Set<string>();
  let found = false;
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !objects.includes(declaration.name.text)) continue;
      const object = declaration.initializer && objectLiteral(declaration.initializer);
      if (!object) continue;
      if (declaration.name.text === 'personas') found = true;
      for (const property of object.properties) {
        const key = property.name;
        if (key && (ts.isIdentifier(key) || ts.isStringLiteral(key))) names.add(key.text);
      }
    }
  }
  return found
    ? { names }
    : {
        names,
        problem: `${fileName} has no \`export const personas = { … }\` object literal: declare the persona fixtures there (fixture name → role) so Journey Explorer shows their tasks.`,
      };
}

/** Reads the workspace's platform profile; a workspace without one has no persona fixtures. */
export async function readPersonaFixtures(
  workspaceDir: string,
  objects: readonly string[] = personaObjects,
): Promise<PersonaFixtureReading> {
  const file = path.join(workspaceDir, profileFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return {
      names: new Set(),
      problem: `${profileFile} is missing: add it with \`export const personas = { … }\` (fixture name → role) so Journey Explorer shows persona tasks.`,
    };
  }
  return personaFixturesIn(file, text, objects);
}

/** `{ … } as const satisfies X` and parentheses around it → the object literal itself. */
function objectLiteral(node: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(node)) return node;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))
    return objectLiteral(node.expression);
  return undefined;
}
