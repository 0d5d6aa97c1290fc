import { expect, test } from '../../fixtures/index.ts';

test('gets precise feedback on a broken dataset', { tag: ['@e2e', '@data-scientist'] }, async ({
  dataScientist,
  data,
  stack,
}) => {
  const broken = data.malformedCsv;
  // The limit the platform was started with (the stacks this suite starts set 2 MiB), as it reports it.
  const uploadLimit = stack.uploadMaxBytes;
  const variants = [
    broken.ragged(),
    broken.nonNumeric(),
    broken.empty(),
    broken.formula(),
    broken.oversize(uploadLimit),
    broken.wrongType(),
  ];
  // The one sentence the platform gives for a file over its limit, which it words in MB of 2^20 bytes.
  const mebibytes = uploadLimit / 2 ** 20;
  if (!Number.isInteger(mebibytes)) {
    throw new Error(
      `the upload limit ${uploadLimit} is not a whole number of MiB; write how the platform words it here.`,
    );
  }
  const overLimit = `The file is larger than the ${mebibytes} MB limit; upload a smaller file.`;

  for (const variant of variants) {
    await test.step(`${variant.description} is refused with a precise reason`, async () => {
      const alert = await dataScientist.uploadRejectedFile(variant);
      await expect(alert).toContainText(variant.expected.message);
      if (variant.variant === 'oversize') await expect(alert).toHaveText(overLimit);

      const answer = await dataScientist.api.uploadDataset(variant);
      expect(answer.status).toBe(variant.expected.status);
      expect(answer.body).toMatchObject({ error: variant.expected.error });
      if (variant.variant === 'oversize') {
        expect(answer.body).toEqual({
          error: 'payload_too_large',
          message: overLimit,
          details: [{ limit: 'size', maxBytes: uploadLimit }],
        });
      }
      if (variant.expected.row !== undefined) {
        expect(answer.body).toMatchObject({
          details: expect.arrayContaining([
            expect.objectContaining({ row: variant.expected.row, column: variant.expected.column }),
          ]),
        });
      }

      const stored = await dataScientist.api.listDatasets();
      expect(stored.total, 'a rejected upload stores nothing').toBe(0);
    });
  }

  await test.step('a valid file still uploads afterwards', async () => {
    const readings = data.sensorReadings({ rows: 50, features: 2, anomalyRate: 0.1 });
    await dataScientist.uploadDataset(readings);
    expect((await dataScientist.api.listDatasets()).total).toBe(1);
  });
});
