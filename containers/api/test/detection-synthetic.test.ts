import { expect, test } from '@playwright/test';
import { type AlgorithmName, algorithms, detect, evaluate } from '../src/detection/index.ts';
import { createRandom, type Random } from '../src/detection/prng.ts';

function gaussian(random: Random): number {
  // Box–Muller; 1 − u keeps the logarithm away from 0.
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/**
 * `rows` × 3 sensor readings in different units (temperature, pressure, vibration). Exactly
 * round(anomalyRate × rows) rows are anomalies, 6–9 standard deviations from the centre in a
 * random direction; the rest are standard normal around it. Generated with the detectors' own
 * seeded generator so every run sees the same rows.
 */
function wellSeparatedAnomalies(rows: number, anomalyRate: number, seed: number) {
  const random = createRandom(seed);
  const centre = [20, 1013, 0.5];
  const spread = [2, 8, 0.05];
  const anomalies = Math.round(rows * anomalyRate);
  const labels = Array.from({ length: rows }, (_, i) => i < anomalies);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [labels[i], labels[j]] = [labels[j] as boolean, labels[i] as boolean];
  }
  const features = labels.map((anomalous) => {
    const direction = centre.map(() => gaussian(random));
    const scale = anomalous ? (6 + 3 * random.next()) / Math.hypot(...direction) : 1;
    return centre.map((c, f) => c + (spread[f] as number) * (direction[f] as number) * scale);
  });
  return { features, labels };
}

// robust_zscore flags by threshold unless told the contamination; give every detector the true rate.
const paramsFor = (algorithm: AlgorithmName) =>
  algorithm === 'robust_zscore' ? { contamination: 0.05 } : {};

test.describe('detection on a labelled synthetic set', () => {
  const set = wellSeparatedAnomalies(1_000, 0.05, 20_240_601);

  for (const algorithm of algorithms) {
    test(`${algorithm} finds well-separated anomalies with F1 ≥ 0.8`, async () => {
      const result = await detect(algorithm, {
        features: set.features,
        params: paramsFor(algorithm),
        seed: 42,
      });
      const metrics = evaluate(set.labels, result.scores, result.flags);
      test.info().annotations.push({ type: 'metrics', description: JSON.stringify(metrics) });
      expect(result.flags.filter(Boolean)).toHaveLength(50);
      expect(metrics.f1).toBeGreaterThanOrEqual(0.8);
      expect(metrics.rocAuc).toBeGreaterThanOrEqual(0.95);
    });
  }

  test('missing readings are imputed, not fatal', async () => {
    const random = createRandom(5);
    const holed = set.features.map((row) => row.map((value) => (random.next() < 0.02 ? Number.NaN : value)));
    const result = await detect('lof', { features: holed, params: {}, seed: 42 });
    expect(result.scores.every(Number.isFinite)).toBe(true);
    expect(evaluate(set.labels, result.scores, result.flags).f1).toBeGreaterThanOrEqual(0.7);
  });

  test('every algorithm gives identical results for the same input and seed', async () => {
    for (const algorithm of algorithms) {
      const input = { features: set.features, params: paramsFor(algorithm), seed: 7 };
      const first = await detect(algorithm, input);
      const second = await detect(algorithm, input);
      expect(second, algorithm).toEqual(first);
    }
  });

  test('reports rising progress up to 1 and lets other work run while detecting', async () => {
    for (const algorithm of algorithms) {
      const fractions: number[] = [];
      let otherTurns = 0;
      let detecting = true;
      // Another task that needs the event loop, as the platform's HTTP and MQTT handlers do.
      const keepTurning = () => {
        if (!detecting) return;
        otherTurns++;
        setImmediate(keepTurning);
      };
      setImmediate(keepTurning);
      await detect(algorithm, {
        features: set.features,
        params: paramsFor(algorithm),
        seed: 1,
        onProgress: (fraction) => fractions.push(fraction),
      });
      detecting = false;
      expect(fractions.length, algorithm).toBeGreaterThanOrEqual(2);
      expect(fractions.at(-1), algorithm).toBe(1);
      for (let i = 1; i < fractions.length; i++)
        expect(fractions[i], algorithm).toBeGreaterThan(fractions[i - 1] as number);
      for (const fraction of fractions) expect(fraction > 0 && fraction <= 1, algorithm).toBe(true);
      expect(otherTurns, algorithm).toBeGreaterThanOrEqual(fractions.length - 1);
    }
  });
});

test.describe('performance', () => {
  // Budgets are several times the measured times so a busy machine does not fail them, yet an
  // accidental slowdown (an extra factor of n, say) still does. Timings are recorded as annotations.
  test('1,000 rows × 3 features: all four algorithms in well under a second', async () => {
    const { features } = wellSeparatedAnomalies(1_000, 0.05, 11);
    const timings: Record<string, number> = {};
    const started = performance.now();
    for (const algorithm of algorithms) {
      const start = performance.now();
      await detect(algorithm, { features, params: paramsFor(algorithm), seed: 42 });
      timings[algorithm] = Math.round(performance.now() - start);
    }
    const total = performance.now() - started;
    test.info().annotations.push({
      type: 'timings (ms)',
      description: JSON.stringify({ ...timings, total: Math.round(total) }),
    });
    expect(total).toBeLessThan(1_000);
  });

  test('10,000 rows × 3 features: every algorithm finishes in seconds', async () => {
    const { features, labels } = wellSeparatedAnomalies(10_000, 0.01, 12);
    const timings: Record<string, number> = {};
    for (const algorithm of algorithms) {
      const start = performance.now();
      const result = await detect(algorithm, {
        features,
        params: { contamination: 0.01 },
        seed: 42,
      });
      timings[algorithm] = Math.round(performance.now() - start);
      expect(evaluate(labels, result.scores, result.flags).rocAuc, algorithm).toBeGreaterThan(0.95);
      expect(timings[algorithm], algorithm).toBeLessThan(10_000);
    }
    test.info().annotations.push({ type: 'timings (ms)', description: JSON.stringify(timings) });
  });
});
