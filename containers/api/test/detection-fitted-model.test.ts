import { expect, test } from '@playwright/test';
import { applyScale, fitRobustScale } from '../src/detection/feature-scaling.ts';
import { fitModel, ModelFitError } from '../src/detection/fitted-model.ts';
import { type AlgorithmName, detect } from '../src/detection/index.ts';
import { robustScale, toImputedMatrix } from '../src/detection/preprocessing.ts';
import { createRandom } from '../src/detection/prng.ts';

/** 300 readings around (20, 5, 100) with small noise, plus six far away. */
function sensorTraining(): number[][] {
  const random = createRandom(7);
  const noise = () => (random.next() - 0.5) * 2;
  const rows: number[][] = [];
  for (let i = 0; i < 300; i++) rows.push([20 + noise(), 5 + noise() * 0.2, 100 + noise() * 3]);
  for (let i = 0; i < 6; i++) rows.push([40 + i, 9 + i * 0.1, 160 + i]);
  return rows;
}

const features = ['temperature', 'vibration', 'pressure'];
const algorithms: AlgorithmName[] = ['isolation_forest', 'lof', 'robust_zscore', 'knn'];

for (const algorithm of algorithms) {
  test(`${algorithm}: the deployed model draws the same threshold as the training run`, async () => {
    const training = sensorTraining();
    const params = { contamination: 0.02 };
    const run = await detect(algorithm, { features: training, params, seed: 42 });
    const model = await fitModel({ algorithm, params, seed: 42, featureNames: features, features: training });
    expect(model.threshold).toBe(run.threshold);
    expect(model.params).toEqual(run.params);
    expect(model.trainingRows).toBe(306);
  });

  test(`${algorithm}: flags a far new reading and passes a typical one`, async () => {
    const model = await fitModel({
      algorithm,
      params: { contamination: 0.02 },
      seed: 42,
      featureNames: features,
      features: sensorTraining(),
    });
    const { scores, flags } = model.score([
      [20.1, 5.02, 100.5],
      [70, 14, 250],
    ]);
    expect(flags).toEqual([false, true]);
    expect(scores[1] as number).toBeGreaterThan(scores[0] as number);
  });
}

test('isolation forest and robust z-score score the training rows exactly as the run did', async () => {
  const training = sensorTraining();
  const cases = [
    { algorithm: 'isolation_forest', params: { trees: 50 } },
    { algorithm: 'robust_zscore', params: {} },
  ] as const;
  for (const { algorithm, params } of cases) {
    const run = await detect(algorithm, { features: training, params, seed: 9 });
    const model = await fitModel({ algorithm, params, seed: 9, featureNames: features, features: training });
    expect(model.score(training).scores, algorithm).toEqual(run.scores);
  }
});

test('the same version fitted twice scores identically (deterministic for the seed)', async () => {
  const training = sensorTraining();
  const fit = (seed: number) =>
    fitModel({ algorithm: 'isolation_forest', params: {}, seed, featureNames: features, features: training });
  const rows = [
    [21, 5.1, 101],
    [30, 7, 130],
  ];
  const [first, again, other] = await Promise.all([fit(42), fit(42), fit(43)]);
  expect(again.score(rows).scores).toEqual(first.score(rows).scores);
  expect(other.score(rows).scores).not.toEqual(first.score(rows).scores);
});

test('the scale the model keeps is the one LOF and k-NN trained on', () => {
  const matrix = toImputedMatrix(sensorTraining());
  expect(Array.from(applyScale(fitRobustScale(matrix), matrix).values)).toEqual(
    Array.from(robustScale(matrix).values),
  );
});

test('a missing reading is filled with the training median of its feature', async () => {
  const training = sensorTraining();
  const model = await fitModel({
    algorithm: 'knn',
    params: { k: 5 },
    seed: 1,
    featureNames: features,
    features: training,
  });
  const sorted = training.map((row) => row[1] as number).sort((a, b) => a - b);
  const medianVibration = ((sorted[152] as number) + (sorted[153] as number)) / 2;
  const [withGap, withMedian] = model.score([
    [22, Number.NaN, 103],
    [22, medianVibration, 103],
  ]).scores;
  expect(withGap).toBe(withMedian);
});

test('robust z-score without contamination flags at its own threshold', async () => {
  const model = await fitModel({
    algorithm: 'robust_zscore',
    params: { threshold: 4 },
    seed: 1,
    featureNames: features,
    features: sensorTraining(),
  });
  expect(model.threshold).toBe(4);
  const { scores, flags } = model.score([
    [20, 5, 100],
    [60, 5, 100],
  ]);
  expect(flags).toEqual([(scores[0] as number) >= 4, true]);
  expect(scores[0] as number).toBeLessThan(1);
});

test('a seasonal robust z-score cannot be deployed, and says what to register instead', async () => {
  await expect(
    fitModel({
      algorithm: 'robust_zscore',
      params: { period: 24 },
      seed: 1,
      featureNames: features,
      features: sensorTraining(),
    }),
  ).rejects.toThrow(
    new ModelFitError(
      'A seasonal robust z-score scores positions in one series, not independent rows; register a run without a seasonal period to deploy it.',
    ),
  );
});

test('the explanation names the feature that is off, with shares that sum to 1', async () => {
  const model = await fitModel({
    algorithm: 'isolation_forest',
    params: {},
    seed: 42,
    featureNames: features,
    features: sensorTraining(),
  });
  const explained = model.explain([20, 5, 180]);
  const shares = Object.values(explained.contributions);
  expect(shares.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
  expect(explained.contributions.pressure as number).toBeGreaterThan(0.95);
  expect(explained.distance).toBeGreaterThan(10);
  const typical = model.explain([20, 5, 100]);
  expect(typical.distance).toBeLessThan(1);
});
