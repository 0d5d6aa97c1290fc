import path from 'node:path';
import type { JourneyTree } from '../tree/journeyTree.ts';
import type { TestItem } from '../vscodeApi.ts';

/** Which journeys a run request means, as Playwright CLI filters and the items to report on. */
export interface RunSelection {
  /** `file:line` or folder filters, relative to the workspace folder, with forward slashes. */
  locations: string[];
  /** A tag the journeys must carry (a profile's tag), e.g. `@smoke`. */
  tag: string | undefined;
  /** Journey items expected to report, in tree order. */
  journeys: TestItem[];
}

export interface RequestScope {
  include: readonly TestItem[] | undefined;
  exclude: readonly TestItem[] | undefined;
  /** Tag id without `@`, from the profile that runs the request. */
  tag: string | undefined;
}

/**
 * Turns a request into filters. Without exclusions the filters stay coarse (a persona folder, a
 * file, a journey's line) so new journeys in an included file still run; with exclusions every
 * remaining journey is named by its line, because Playwright has no way to leave one out.
 */
export function selectRun(tree: JourneyTree, workspaceDir: string, scope: RequestScope): RunSelection {
  const relative = (file: string) => path.relative(workspaceDir, file).split(path.sep).join('/');
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
  const tag = scope.tag === undefined ? undefined : `@${scope.tag}`;

  if (excluded.size > 0) {
    const locations = journeys.map((journey) => {
      const node = tree.node(journey);
      return node?.kind === 'journey' ? `${relative(node.file)}:${node.line}` : '';
    });
    return { locations: [...new Set(locations.filter(Boolean))], tag, journeys };
  }

  const locations = (scope.include ?? []).map((item) => {
    const node = tree.node(item);
    switch (node?.kind) {
      case 'persona':
        return `${relative(path.join(tree.journeysDir, node.folder))}/`;
      case 'file':
        return relative(node.file);
      case 'journey':
        return `${relative(node.file)}:${node.line}`;
      case 'step': {
        const journey = tree.node(node.journey);
        return journey?.kind === 'journey' ? `${relative(journey.file)}:${journey.line}` : '';
      }
      default:
        return '';
    }
  });
  // Running everything still means only the journeys: the config may hold other projects.
  const filters =
    scope.include === undefined ? [`${relative(tree.journeysDir)}/`] : locations.filter(Boolean);
  return { locations: [...new Set(filters)], tag, journeys };
}

/** A grep that matches the tag as a whole word: `@smoke` must not match `@smoke-extended`. */
export function tagGrep(tag: string): string {
  return `${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`;
}
