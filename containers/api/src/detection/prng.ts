/**
 * The only source of randomness for the detectors: a seeded mulberry32 generator, so the same
 * seed gives the same trees (and so the same scores) on every machine and Node version.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  below(bound: number): number;
}

/**
 * Folds any safe integer into 32 bits so that seeds which differ only above bit 31 still give
 * different streams (a plain `seed >>> 0` would make 1 and 2^32 + 1 collide).
 */
function seedToUint32(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`The seed must be a whole number (got ${seed}); pass an integer such as 42.`);
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  // Murmur3's finaliser spreads the high word so nearby seeds start far apart.
  let h = (low ^ Math.imul(high ^ 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function createRandom(seed: number): Random {
  let state = seedToUint32(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    below: (bound) => Math.floor(next() * bound),
  };
}
