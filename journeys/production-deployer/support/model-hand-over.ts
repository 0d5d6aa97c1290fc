import type { SensorReadings } from '../../../fixtures/data/index.ts';
import { expect, test } from '../../../fixtures/index.ts';
import type { DataScientist } from '../../../fixtures/personas/data-scientist.ts';
import type { AlgorithmName, Dataset, ModelVersion } from '../../../fixtures/personas/platform-types.ts';

/**
 * What a data scientist hands over to the production deployer: a dataset of sensor readings, a
 * detector trained on it and registered as a version of a model. The deployer's journeys start
 * from here; the data scientist's own journeys test how it is made.
 */
export interface HandOver {
  dataset: Dataset;
  version: ModelVersion;
}

export interface DetectorChoice {
  algorithm: AlgorithmName;
  contamination: number;
}

/** The data scientist uploads the readings, trains the detector and registers it as version 1 of `modelName`. */
export async function dataScientistRegisters(
  dataScientist: DataScientist,
  readings: SensorReadings,
  detector: DetectorChoice,
  modelName: string,
): Promise<HandOver> {
  const dataset = await dataScientist.uploadDataset(readings);
  const experiment = await dataScientist.compareAlgorithms(dataset, [detector.algorithm], {
    contamination: detector.contamination,
  });
  const version = await dataScientist.registerBestRun(experiment, modelName);
  return { dataset, version };
}

/**
 * The same hand-over done the way a data scientist's notebook would, through the API: for the
 * deployer's journeys whose story starts at a registered version. The data scientist's own
 * journeys, and the deployer's ship-to-production journey, go through the pages.
 */
export function dataScientistRegistersThroughApi(
  dataScientist: DataScientist,
  readings: SensorReadings,
  detector: DetectorChoice,
  modelName: string,
): Promise<HandOver> {
  return test.step(
    `the data scientist registers ${modelName} (API)`,
    async () => {
      const upload = await dataScientist.api.uploadDataset(
        { fileName: `${readings.name}.csv`, mimeType: 'text/csv', content: readings.csv },
        { name: readings.name },
      );
      expect(upload.status, 'the readings upload').toBe(201);
      const dataset = upload.body as Dataset;
      const created = await dataScientist.api.raw<{ id: string }>('POST', '/api/experiments', {
        json: {
          datasetId: dataset.id,
          name: `${modelName} training`,
          runs: [{ algorithm: detector.algorithm, params: { contamination: detector.contamination } }],
        },
      });
      expect(created.status, 'the experiment is accepted').toBe(201);
      await expect
        .poll(async () => (await dataScientist.api.getExperiment(created.body.id)).status, {
          message: `experiment ${created.body.id} completes`,
          timeout: 30_000,
        })
        .toBe('completed');
      const [run] = (await dataScientist.api.getExperiment(created.body.id)).runs;
      if (!run) throw new Error(`experiment ${created.body.id} has no run`);
      const registered = await dataScientist.api.raw<ModelVersion>('POST', '/api/models/versions', {
        json: { runId: run.id, name: modelName },
      });
      expect(registered.status, `registering ${modelName}`).toBe(201);
      return { dataset, version: registered.body };
    },
    { box: true },
  );
}

/**
 * The data scientist trains the same algorithm again with other settings and registers the result
 * as the next version of an existing model, through the experiment page's register form.
 */
export async function dataScientistRegistersNextVersion(
  dataScientist: DataScientist,
  dataset: Dataset,
  detector: DetectorChoice,
  modelName: string,
): Promise<ModelVersion> {
  const experiment = await dataScientist.compareAlgorithms(dataset, [detector.algorithm], {
    contamination: detector.contamination,
  });
  return test.step(
    'register the next version',
    async () => {
      const before = (await dataScientist.api.modelVersions()).filter(
        (version) => version.name === modelName,
      );
      const form = dataScientist.page.getByRole('form', { name: 'Register best run' });
      await form.getByLabel('Model name').fill(modelName);
      await form.getByRole('button', { name: 'Register model' }).click();
      await expect(dataScientist.page.getByRole('heading', { name: 'Models' })).toBeVisible();
      const after = (await dataScientist.api.modelVersions()).filter((version) => version.name === modelName);
      expect(after, `one more version of ${modelName}`).toHaveLength(before.length + 1);
      const newest = after.find((version) => version.version === before.length + 1);
      if (!newest) throw new Error(`version ${before.length + 1} of ${modelName} is not in the registry`);
      expect(newest.sourceRunId).toBe(experiment.runs[0]?.id);
      return newest;
    },
    { box: true },
  );
}
