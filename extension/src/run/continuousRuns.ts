import { isJourneyFile } from '../discovery/journeyFiles.ts';
import type { JourneyTree } from '../tree/journeyTree.ts';
import type { CancellationToken, Event, TestItem, TestRunRequest, Uri } from '../vscodeApi.ts';

/**
 * Continuous run: until cancelled, re-runs what the request covers whenever a source it depends
 * on changes. A changed journey file re-runs that file's journeys in scope; any other watched
 * source (fixtures) re-runs the whole request. Changes arriving during a run are batched into the
 * next one.
 */
export function runContinuously(
  tree: JourneyTree,
  request: TestRunRequest,
  token: CancellationToken,
  onSourceChanged: Event<Uri>,
  start: (include: readonly TestItem[] | undefined) => Promise<void>,
): Promise<void> {
  const pending = new Set<string>();
  let running: Promise<void> | undefined;

  const inScope = (journey: TestItem) =>
    request.include === undefined ||
    request.include.some((root) => tree.journeysBelow([root]).includes(journey));

  const drain = async (): Promise<void> => {
    while (pending.size > 0 && !token.isCancellationRequested) {
      const files = [...pending];
      pending.clear();
      const everything = files.some((file) => !isJourneyFile(file));
      let include = request.include;
      if (!everything) {
        include = tree
          .journeysBelow()
          .filter((journey) => journey.uri && files.includes(journey.uri.fsPath) && inScope(journey));
        if (include.length === 0) continue;
      }
      await start(include);
    }
    running = undefined;
  };

  return new Promise((resolve) => {
    const subscription = onSourceChanged((uri) => {
      pending.add(uri.fsPath);
      running ??= drain();
    });
    token.onCancellationRequested(() => {
      subscription.dispose();
      void (running ?? Promise.resolve()).then(() => resolve());
    });
  });
}
