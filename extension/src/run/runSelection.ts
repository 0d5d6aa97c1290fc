import type { JourneyTree } from '../tree/journeyTree.ts';
import type { TestItem } from '../vscodeApi.ts';
import { testListLine } from './testList.ts';

/** Which journeys a run request means: the lines of Playwright's test list, and the items to report on. */
export interface RunSelection {
  /** One `file › describe › title` line per journey (testList.ts), relative to the config's rootDir. */
  testList: string[];
  /** Journey items expected to report, in tree order. */
  journeys: TestItem[];
}

export interface RequestScope {
  include: readonly TestItem[] | undefined;
  exclude: readonly TestItem[] | undefined;
  /** Tag id without `@`, from the profile that runs the request (a persona folder is one). */
  tag: string | undefined;
}

/**
 * Turns a request into the exact journeys to run, by id: items are looked up in the tree as it is
 * now (a request made before an edit still finds its journeys), exclusions and the profile's tag
 * are applied to the tree's items, and each journey is named by its title path. Nothing is
 * selected by line or by path pattern, so a run runs what was asked and nothing beside it.
 */
export function selectRun(tree: JourneyTree, rootDir: string, scope: RequestScope): RunSelection {
  const excluded = new Set(scope.exclude?.map((item) => item.id) ?? []);
  const isExcluded = (item: TestItem): boolean => {
    for (let current: TestItem | undefined = item; current; current = current.parent) {
      if (excluded.has(current.id)) return true;
    }
    return false;
  };
  const hasTag = (journey: TestItem) =>
    scope.tag === undefined || journey.tags.some((tag) => tag.id === scope.tag);
  const journeys = tree
    .journeysBelow(scope.include)
    .filter((journey) => !isExcluded(journey) && hasTag(journey));
  const testList = journeys.flatMap((journey) => {
    const node = tree.node(journey);
    return node?.kind === 'journey'
      ? [testListLine(rootDir, node.file, node.titlePath, node.exactTitles)]
      : [];
  });
  return { testList: [...new Set(testList)], journeys };
}
