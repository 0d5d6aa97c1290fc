import { expect, test } from '@playwright/test';
import { dataFactories, seededFaker } from '../../fixtures/data/index.ts';
import { belowFloor, flagQuality } from '../../fixtures/expectations/detection-floor.ts';
import { liveStreamFloor } from '../../journeys/production-deployer/support/ground-truth.ts';

test.describe('detection floor', () => {
  test('flags equal to the labels meet the floor', () => {
    const stream = dataFactories(seededFaker(11)).eventStream({ count: 600, anomalyRate: 0.05 });
    const quality = flagQuality(stream.anomalyIds, stream.anomalyIds);
    expect(quality).toMatchObject({ precision: 1, recall: 1, missed: [], falseAlarms: [] });
    expect(belowFloor(quality, liveStreamFloor)).toEqual([]);
  });

  test('a detector flagging as many events at random falls below both floors', () => {
    const faker = seededFaker(12);
    const stream = dataFactories(faker).eventStream({ count: 600, anomalyRate: 0.05 });
    for (let trial = 0; trial < 20; trial++) {
      const random = faker.helpers.arrayElements(
        stream.events.map((event) => event.id),
        stream.anomalyIds.length,
      );
      const problems = belowFloor(flagQuality(random, stream.anomalyIds), liveStreamFloor);
      expect(problems).toEqual([
        expect.stringMatching(
          /^precision 0\.\d{3} is below the floor 0\.9: \d+ of 30 flagged events are not anomalies \(/,
        ),
        expect.stringMatching(/^recall 0\.\d{3} is below the floor 0\.9: \d+ of 30 anomalies were missed \(/),
      ]);
    }
  });

  test('the message names the figures and the events behind them', () => {
    const truth = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const flagged = ['a', 'b', 'c', 'd', 'x', 'y'];
    expect(belowFloor(flagQuality(flagged, truth), { precision: 0.9, recall: 0.9 })).toEqual([
      'precision 0.667 is below the floor 0.9: 2 of 6 flagged events are not anomalies (x, y)',
      'recall 0.400 is below the floor 0.9: 6 of 10 anomalies were missed (e, f, g, h, i, … 1 more)',
    ]);
  });

  test('an event flagged twice counts once', () => {
    expect(flagQuality(['a', 'a', 'b'], ['a', 'b'])).toMatchObject({ precision: 1, recall: 1, flagged: 2 });
  });

  test('nothing flagged is imprecise unless there was nothing to flag', () => {
    expect(flagQuality([], ['a'])).toMatchObject({ precision: 0, recall: 0 });
    expect(flagQuality([], [])).toMatchObject({ precision: 1, recall: 1 });
  });
});
