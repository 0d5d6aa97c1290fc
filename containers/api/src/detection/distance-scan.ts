/**
 * The inner loops of every k-nearest-neighbour computation (fits and scoring): the squared
 * distances from one row to all rows, and the k-th smallest of them. They run rows² times, so each
 * is one pass over the rows with as little per iteration as possible: a pass costs an iteration
 * per row whatever it computes (and, when the platform runs under V8 coverage, a counter bump per
 * iteration, which per-feature passes and a separate heap pass had made the bulk of a fit's time).
 */

/**
 * Squared Euclidean distances from one row (`own`: its value of each feature) to every row of
 * `columns` (feature-major: one array per feature), written into `out`.
 *
 * Four features per pass; a last group short of four repeats its first column with weight 0, which
 * adds exactly 0. Each row's sum still runs feature by feature in order, so the values are those of
 * a loop per feature, bit for bit.
 */
export function squaredDistances(
  columns: readonly Float64Array[],
  own: ArrayLike<number>,
  out: Float64Array,
): void {
  out.fill(0);
  const features = columns.length;
  for (let f = 0; f < features; f += 4) {
    const a = columns[f] as Float64Array;
    const b = columns[f + 1] ?? a;
    const c = columns[f + 2] ?? a;
    const d = columns[f + 3] ?? a;
    const ownA = own[f] as number;
    const ownB = f + 1 < features ? (own[f + 1] as number) : ownA;
    const ownC = f + 2 < features ? (own[f + 2] as number) : ownA;
    const ownD = f + 3 < features ? (own[f + 3] as number) : ownA;
    const weightB = f + 1 < features ? 1 : 0;
    const weightC = f + 2 < features ? 1 : 0;
    const weightD = f + 3 < features ? 1 : 0;
    for (let j = 0; j < out.length; j++) {
      const deltaA = (a[j] as number) - ownA;
      const deltaB = (b[j] as number) - ownB;
      const deltaC = (c[j] as number) - ownC;
      const deltaD = (d[j] as number) - ownD;
      let sum = out[j] as number;
      sum += deltaA * deltaA;
      sum += weightB * deltaB * deltaB;
      sum += weightC * deltaC * deltaC;
      sum += weightD * deltaD * deltaD;
      out[j] = sum;
    }
  }
}

/** Replaces the top of a full max-heap of `size` with a smaller value. */
function replaceTop(heap: Float64Array, size: number, value: number): void {
  let parent = 0;
  for (;;) {
    let largest = 2 * parent + 1;
    if (largest >= size) break;
    const right = largest + 1;
    if (right < size && (heap[right] as number) > (heap[largest] as number)) largest = right;
    if ((heap[largest] as number) <= value) break;
    heap[parent] = heap[largest] as number;
    parent = largest;
  }
  heap[parent] = value;
}

/**
 * The `rank`-th smallest of `values` (1 ≤ rank ≤ values.length), by a max-heap of the smallest
 * seen, in `heap` (length ≥ rank). It starts full of +Infinity, so every row costs one comparison.
 */
export function kthSmallest(values: Float64Array, rank: number, heap: Float64Array): number {
  heap.fill(Number.POSITIVE_INFINITY, 0, rank);
  for (let j = 0; j < values.length; j++) {
    const value = values[j] as number;
    if (value < (heap[0] as number)) replaceTop(heap, rank, value);
  }
  return heap[0] as number;
}

/**
 * The `rank`-th smallest squared distance from one row (`own`) to the rows of `columns`, without
 * keeping the distances: with up to four features, distances and heap in one pass. A row scanned
 * among its own training rows meets itself at distance 0, below every other: its k-th nearest
 * other row is then rank k + 1. `scratch` (one value per row) serves more than four features.
 */
export function kthNearestSquared(
  columns: readonly Float64Array[],
  own: ArrayLike<number>,
  rank: number,
  heap: Float64Array,
  scratch: Float64Array,
): number {
  const features = columns.length;
  if (features > 4 || features === 0) {
    squaredDistances(columns, own, scratch);
    return kthSmallest(scratch, rank, heap);
  }
  const a = columns[0] as Float64Array;
  const b = columns[1] ?? a;
  const c = columns[2] ?? a;
  const d = columns[3] ?? a;
  const ownA = own[0] as number;
  const ownB = features > 1 ? (own[1] as number) : ownA;
  const ownC = features > 2 ? (own[2] as number) : ownA;
  const ownD = features > 3 ? (own[3] as number) : ownA;
  const weightB = features > 1 ? 1 : 0;
  const weightC = features > 2 ? 1 : 0;
  const weightD = features > 3 ? 1 : 0;
  heap.fill(Number.POSITIVE_INFINITY, 0, rank);
  for (let j = 0; j < a.length; j++) {
    const deltaA = (a[j] as number) - ownA;
    const deltaB = (b[j] as number) - ownB;
    const deltaC = (c[j] as number) - ownC;
    const deltaD = (d[j] as number) - ownD;
    let sum = deltaA * deltaA;
    sum += weightB * deltaB * deltaB;
    sum += weightC * deltaC * deltaC;
    sum += weightD * deltaD * deltaD;
    if (sum < (heap[0] as number)) replaceTop(heap, rank, sum);
  }
  return heap[0] as number;
}
