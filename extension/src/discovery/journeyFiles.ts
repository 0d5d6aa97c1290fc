import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { noPersonas, type PersonaVocabulary, parseJourneyFile, type StaticJourney } from './journeyParser.ts';

/** A journey file as the explorer shows it: under its persona's folder, with what it declares. */
export interface JourneyFile {
  /** The persona's folder under `journeys/` ("data-scientist"); '' for a file directly in it. */
  persona: string;
  /** Path relative to the journeys folder, with forward slashes, as Playwright titles file suites. */
  relativePath: string;
  absolutePath: string;
  journeys: StaticJourney[];
}

export const journeyFileSuffix = '.journey.ts';

export function isJourneyFile(filePath: string): boolean {
  return filePath.endsWith(journeyFileSuffix);
}

/** Every `*.journey.ts` under the folder, sorted, skipping node_modules. */
export async function findJourneyFiles(journeysDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(journeysDir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => isJourneyFile(entry) && !entry.split(path.sep).includes('node_modules'))
    .map((entry) => path.join(journeysDir, entry))
    .sort();
}

/** `personas`: the persona fixtures and their tasks (readPersonaFixtures, readTaskTitles). */
export async function readJourneyFile(
  journeysDir: string,
  absolutePath: string,
  personas: PersonaVocabulary = noPersonas,
): Promise<JourneyFile> {
  const text = await readFile(absolutePath, 'utf8');
  return journeyFileOf(journeysDir, absolutePath, parseJourneyFile(absolutePath, text, personas));
}

/** A file's place in the tree (persona folder, relative path) with the journeys it declares. */
export function journeyFileOf(
  journeysDir: string,
  absolutePath: string,
  journeys: StaticJourney[],
): JourneyFile {
  const relativePath = path.relative(journeysDir, absolutePath).split(path.sep).join('/');
  const segments = relativePath.split('/');
  return {
    persona: segments.length > 1 ? (segments[0] ?? '') : '',
    relativePath,
    absolutePath,
    journeys,
  };
}

export async function discoverJourneys(
  journeysDir: string,
  personas: PersonaVocabulary = noPersonas,
): Promise<JourneyFile[]> {
  const files = await findJourneyFiles(journeysDir);
  return Promise.all(files.map((file) => readJourneyFile(journeysDir, file, personas)));
}
