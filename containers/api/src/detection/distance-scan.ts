/**
 * The two inner loops of every k-nearest-neighbour computation (fits and scoring): the squared
 * distances from one row to all rows, and the k-th smallest of them. They run rows² times, so each
 * is one pass over the rows with as little per iteration as possible: a pass costs an iteration
 * per row whatever it computes (and, when the platform runs under V8 coverage, a counter bump per
 * iteration, which per-feature passes had made the bulk of a fit's time).
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

function siftUp(heap: Float64Array, at: number, value: number): void {
  let child = at;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if ((heap[parent] as number) >= value) break;
    heap[child] = heap[parent] as number;
    child = parent;
  }
  heap[child] = value;
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
 * The k-th smallest of `values` (1 ≤ k ≤ values.length), by a max-heap of the k smallest seen in
 * `heap` (length ≥ k). A row that must not count (a row's distance to itself) is set to +Infinity
 * by the caller first: with at least k other values, it never ends among the k smallest.
 */
export function kthSmallest(values: Float64Array, k: number, heap: Float64Array): number {
  for (let j = 0; j < k; j++) siftUp(heap, j, values[j] as number);
  for (let j = k; j < values.length; j++) {
    const value = values[j] as number;
    if (value < (heap[0] as number)) replaceTop(heap, k, value);
  }
  return heap[0] as number;
}
