import { expect, test } from '@playwright/test';
import { parseStreamEvent } from '../../containers/api/src/streaming/stream-event.ts';
import { dataFactories, seededFaker } from '../../fixtures/data/index.ts';

/** Distance from the readings' median in units of their median absolute deviation, per feature, combined. */
function robustDistances(events: { values: Record<string, number> }[], features: string[]): number[] {
  const scales = features.map((feature) => {
    const values = events.map((event) => event.values[feature] as number).sort((a, b) => a - b);
    const median = values[Math.floor(values.length / 2)] as number;
    const deviations = values.map((value) => Math.abs(value - median)).sort((a, b) => a - b);
    return { median, mad: deviations[Math.floor(deviations.length / 2)] as number };
  });
  return events.map((event) =>
    Math.hypot(
      ...features.map((feature, i) => {
        const { median, mad } = scales[i] as { median: number; mad: number };
        return ((event.values[feature] as number) - median) / mad;
      }),
    ),
  );
}

test.describe('eventStream', () => {
  test('has exactly the asked number of events and of anomalies, with unique ids', () => {
    const stream = dataFactories(seededFaker(3)).eventStream({ count: 500, anomalyRate: 0.04 });
    expect(stream.events).toHaveLength(500);
    expect(stream.anomalyIds).toHaveLength(20);
    expect(new Set(stream.events.map((event) => event.id)).size).toBe(500);
    const ids = new Set(stream.events.map((event) => event.id));
    expect(stream.anomalyIds.filter((id) => !ids.has(id))).toEqual([]);
    expect(stream.features).toEqual(['temperature', 'vibration', 'pressure']);
  });

  test('publishes events the platform stream worker accepts, with readings, time and source', () => {
    const stream = dataFactories(seededFaker(4)).eventStream({ count: 50, anomalyRate: 0.1, devices: 3 });
    const parsed = stream.events.map((event) => parseStreamEvent(Buffer.from(JSON.stringify(event)), 0));
    expect(parsed.filter((result) => !result.ok)).toEqual([]);
    const first = stream.events[0];
    expect(Object.keys(first?.values ?? {})).toEqual(['temperature', 'vibration', 'pressure']);
    expect(Date.parse(first?.ts ?? '')).toBe(Date.parse('2025-06-02T08:00:00.000Z'));
    expect(Date.parse(stream.events[1]?.ts ?? '') - Date.parse(first?.ts ?? '')).toBe(100);
    expect(new Set(stream.events.map((event) => event.source.deviceId)).size).toBe(3);
    // One address per device: a device does not hop between networks mid-stream.
    const ipsByDevice = new Map<string, Set<string>>();
    for (const event of stream.events) {
      const ips = ipsByDevice.get(event.source.deviceId) ?? new Set();
      ips.add(event.source.ip);
      ipsByDevice.set(event.source.deviceId, ips);
    }
    expect([...ipsByDevice.values()].map((ips) => ips.size)).toEqual([1, 1, 1]);
  });

  test('puts every anomaly far outside the readings a model was trained on', () => {
    const data = dataFactories(seededFaker(5));
    const stream = data.eventStream({ count: 1_000, anomalyRate: 0.05 });
    const anomalous = new Set(stream.anomalyIds);
    const distances = robustDistances(stream.events, stream.features);
    const normal = distances.filter((_, i) => !anomalous.has(stream.events[i]?.id ?? ''));
    const anomalies = distances.filter((_, i) => anomalous.has(stream.events[i]?.id ?? ''));
    expect(anomalies).toHaveLength(50);
    expect(Math.min(...anomalies)).toBeGreaterThan(1.5 * Math.max(...normal));
  });

  test('puts live anomalies beyond the weakest anomaly a model saw in training, where its threshold lies', () => {
    const data = dataFactories(seededFaker(12));
    const training = data.sensorReadings({ rows: 1_000, features: 3, anomalyRate: 0.05 });
    const stream = data.eventStream({ count: 1_000, anomalyRate: 0.05 });
    const trainingEvents = training.records.map((record) => ({
      values: Object.fromEntries(training.features.map((feature) => [feature, Number(record[feature])])),
    }));
    const trainingDistances = robustDistances(trainingEvents, training.features);
    const weakestTrained = Math.min(
      ...training.anomalyRows.map((row) => trainingDistances[row - 1] as number),
    );
    const anomalous = new Set(stream.anomalyIds);
    const streamDistances = robustDistances(stream.events, stream.features);
    const weakestLive = Math.min(
      ...streamDistances.filter((_, i) => anomalous.has(stream.events[i]?.id ?? '')),
    );
    expect(weakestLive).toBeGreaterThan(1.25 * weakestTrained);
  });

  test('follows the training distribution of sensorReadings (same operating point per feature)', () => {
    const data = dataFactories(seededFaker(6));
    const training = data.sensorReadings({ rows: 2_000, features: 3, anomalyRate: 0 });
    const stream = data.eventStream({ count: 2_000, anomalyRate: 0 });
    for (const feature of stream.features) {
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const trained = mean(training.records.map((record) => Number(record[feature])));
      const streamed = mean(stream.events.map((event) => event.values[feature] as number));
      expect(Math.abs(streamed - trained), feature).toBeLessThan(0.02 * Math.abs(trained));
    }
  });

  test('uses the given devices and source addresses, in turn', () => {
    const stream = dataFactories(seededFaker(7)).eventStream({
      count: 6,
      anomalyRate: 0,
      devices: ['pump-a', 'pump-b'],
      sourceIps: ['203.0.113.7', '198.51.100.20'],
    });
    expect(stream.events.map((event) => event.source)).toEqual([
      { deviceId: 'pump-a', ip: '203.0.113.7' },
      { deviceId: 'pump-b', ip: '198.51.100.20' },
      { deviceId: 'pump-a', ip: '203.0.113.7' },
      { deviceId: 'pump-b', ip: '198.51.100.20' },
      { deviceId: 'pump-a', ip: '203.0.113.7' },
      { deviceId: 'pump-b', ip: '198.51.100.20' },
    ]);
  });

  test('replays with the seed and differs with another', () => {
    const options = { count: 100, anomalyRate: 0.05 };
    const first = dataFactories(seededFaker(8)).eventStream(options);
    expect(dataFactories(seededFaker(8)).eventStream(options)).toEqual(first);
    expect(dataFactories(seededFaker(9)).eventStream(options).events).not.toEqual(first.events);
  });

  test('refuses impossible requests with a sentence saying what to change', () => {
    const data = dataFactories(seededFaker(1));
    expect(() => data.eventStream({ count: 1, anomalyRate: 0.1 })).toThrow(
      'eventStream needs count >= 2 (got 1); ask for more events.',
    );
    expect(() => data.eventStream({ count: 10, anomalyRate: 0.9 })).toThrow(/anomalyRate between 0 and 0.5/);
    expect(() =>
      data.eventStream({ count: 10, anomalyRate: 0.1, features: ['pressure', 'temperature'] }),
    ).toThrow(
      "eventStream features must be the sensor readings' first 2 in order (temperature, vibration), got pressure, temperature; train and stream on the same features.",
    );
    expect(() => data.eventStream({ count: 10, anomalyRate: 0.1, devices: 0 })).toThrow(
      /at least one device/,
    );
    expect(() => data.eventStream({ count: 10, anomalyRate: 0.1, sourceIps: [] })).toThrow(
      /empty list of source IPs/,
    );
  });
});
