/**
 * The inner loops of every k-nearest-neighbour computation (fits and scoring): the squared
 * distances from one row to all rows, and the k-th smallest of them. They run rows² times, so each
 * is one pass over the rows with as little per iteration as possible: a pass costs an iteration
 * per row whatever it computes (and, when the platform runs under V8 coverage, a counter bump per
 * iteration, which per-feature passes and a separate heap pass had made the bulk of a fit's time).
 */

/**
 * Features f to f + 3 of one pass, each with the scanned row's value and a weight: a group short of
 * four repeats its first column with weight 0, which adds exactly 0. Read once per pass, kept in
 * locals for the loop over the rows.
 */
function featureGroup(columns: readonly Float64Array[], own: ArrayLike<number>, f: number) {
  const a = columns[f] as Float64Array;
  const ownA = own[f] as number;
  const member = (offset: number) =>
    f + offset < columns.length
      ? { column: columns[f + offset] as Float64Array, own: own[f + offset] as number, weight: 1 }
      : { column: a, own: ownA, weight: 0 };
  const [b, c, d] = [member(1), member(2), member(3)];
  return {
    a,
    ownA,
    b: b.column,
    ownB: b.own,
    weightB: b.weight,
    c: c.column,
    ownC: c.own,
    weightC: c.weight,
    d: d.column,
    ownD: d.own,
    weightD: d.weight,
  };
}

/**
 * Squared Euclidean distances from one row (`own`: its value of each feature) to every row of
 * `columns` (feature-major: one array per feature), written into `out`.
 *
 * Four features per pass (featureGroup). Each row's sum still runs feature by feature in order, so
 * the values are those of a loop per feature, bit for bit.
 */
export function squaredDistances(
  columns: readonly Float64Array[],
  own: ArrayLike<number>,
  out: Float64Array,
): void {
  out.fill(0);
  const features = columns.length;
  for (let f = 0; f < features; f += 4) {
    const { a, ownA, b, ownB, weightB, c, ownC, weightC, d, ownD, weightD } = featureGroup(columns, own, f);
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
  const { a, ownA, b, ownB, weightB, c, ownC, weightC, d, ownD, weightD } = featureGroup(columns, own, 0);
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
