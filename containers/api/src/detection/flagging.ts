/**
 * Turning scores into anomaly flags. Ranking ties are broken by row order so the same scores
 * always flag the same rows.
 */

/** Flags the `count` highest scores; among equal scores, earlier rows first. */
export function flagHighestScores(scores: ArrayLike<number>, count: number): boolean[] {
  const n = scores.length;
  const flags = new Array<boolean>(n).fill(false);
  if (count <= 0) return flags;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const scoreA = scores[a] as number;
    const scoreB = scores[b] as number;
    if (scoreA !== scoreB) return scoreA > scoreB ? -1 : 1;
    return a - b;
  });
  for (let r = 0; r < Math.min(count, n); r++) flags[order[r] as number] = true;
  return flags;
}

/** How many rows a contamination rate flags: round(contamination × rows). */
export function flaggedCount(contamination: number, rows: number): number {
  return Math.round(contamination * rows);
}

export function flagAtOrAbove(scores: ArrayLike<number>, threshold: number): boolean[] {
  return Array.from({ length: scores.length }, (_, i) => (scores[i] as number) >= threshold);
}

/** The smallest flagged score, i.e. the effective threshold; +Infinity when nothing is flagged. */
export function smallestFlaggedScore(scores: ArrayLike<number>, flags: readonly boolean[]): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < flags.length; i++)
    if (flags[i] && (scores[i] as number) < smallest) smallest = scores[i] as number;
  return smallest;
}
