import {
  injectionPayloads,
  NOTE_LIMIT,
  oversizedText,
  payloadsOf,
  splitForForm,
} from '../../fixtures/data/attack-payloads.ts';
import { expect, test } from '../../fixtures/index.ts';
import { attempt } from '../../fixtures/personas/attempts.ts';
import { readTable } from '../../fixtures/personas/table-rows.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';
import { watchForScriptExecution } from './support/script-execution-watch.ts';

const tags = ['@e2e', '@security-analyst', '@security'];

test.describe('probes the defences', () => {
  test('injection payloads in notes and device names are stored and shown literally', {
    tag: tags,
  }, async ({ securityAnalyst, dataScientist, personaWithRole, streamingSession, data, producer }) => {
    const deployer = await personaWithRole('ml_engineer');
    const readings = data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 });
    const { session } = await test.step('set up: a stream from devices with hostile names', () =>
      streamingSession({
        readings,
        modelName: 'intake-detector',
        by: { scientist: dataScientist, deployer },
      }));
    const watch = await watchForScriptExecution(securityAnalyst.context);
    const deviceNames = payloadsOf('script-html').map((payload) => payload.value);
    const feed = await securityAnalyst.watchLiveFeed();
    const stream = data.eventStream({ count: 60, anomalyRate: 0.3, devices: deviceNames });
    await producer.publish({ topic: session.topic, events: stream.events });

    await test.step('the live feed shows hostile device names as text', async () => {
      await expect(feed).toHaveCount(stream.anomalyIds.length);
      const anomalousDevices = stream.events
        .filter((event) => stream.anomalyIds.includes(event.id))
        .map((event) => event.source.deviceId);
      const shown = await securityAnalyst.liveFeedShown();
      expect(shown.map((row) => row.text.Device).toSorted()).toEqual(anomalousDevices.toSorted());
      for (const row of shown) {
        await expect(
          row.cell('Device').locator('*'),
          `markup in the Device cell of ${row.text.Event}`,
        ).toHaveCount(0);
      }
    });

    await untilScored(securityAnalyst.api, session, stream.events.length);
    const events = await securityAnalyst.eventsOfSession(session);
    const target = events[0];
    if (!target) throw new Error(`session ${session.name} raised no anomaly event`);
    const { throughForm, throughApi } = splitForForm(injectionPayloads);
    await test.step('the API takes most payloads as notes', async () => {
      for (const payload of throughApi) {
        const answer = await securityAnalyst.tryToAddNoteThroughApi(target.id, payload.value);
        expect(answer.status, payload.name).toBe(201);
      }
    });
    await securityAnalyst.page.goto(`/alerts/${target.id}`);
    for (const payload of throughForm) await securityAnalyst.addNote(payload.value);
    // The order they were added in, which is the timeline's order.
    const noted = [...throughApi, ...throughForm].map((payload) => payload.value);

    await test.step('every note is on the timeline character for character, as text', async () => {
      // The quoted notes, read as raw text: toHaveText would fold the payloads' white space.
      const notes = securityAnalyst.page.getByRole('list', { name: 'Timeline' }).locator('q');
      await expect(notes).toHaveCount(injectionPayloads.length);
      const shown = await notes.evaluateAll((quotes) =>
        quotes.map((quote) => ({ text: quote.textContent ?? '', elements: quote.children.length })),
      );
      expect(shown.map((note) => note.text)).toEqual(noted);
      expect(shown.filter((note) => note.elements > 0)).toEqual([]);
      expect(await securityAnalyst.notesOn(target.id)).toEqual(noted);
    });

    await test.step('nothing ran: no dialog, no blocked inline script', async () => {
      await securityAnalyst.page.reload();
      await securityAnalyst.watchLiveFeed();
      expect(watch.dialogs).toEqual([]);
      expect(watch.violations).toEqual([]);
    });

    await test.step('the SQL payloads changed nothing: every event is still there, untouched', async () => {
      const after = await securityAnalyst.eventsOfSession(session);
      expect(after).toHaveLength(stream.anomalyIds.length);
      expect(after.map((event) => [event.id, event.status])).toEqual(
        events.map((event) => [event.id, 'open']),
      );
      const notesAudited = await securityAnalyst.auditEntries({ action: 'event.note' });
      expect(notesAudited).toHaveLength(injectionPayloads.length);
      expect(notesAudited).toHaveAuditEntry(
        { actorEmail: securityAnalyst.user.email, targetId: target.id, outcome: 'success' },
        { times: injectionPayloads.length },
      );
    });

    await test.step('a note over the limit is refused with the limit named; one at the limit is kept whole', async () => {
      const atLimit = oversizedText(NOTE_LIMIT);
      expect((await securityAnalyst.tryToAddNoteThroughApi(target.id, atLimit)).status).toBe(201);
      for (const length of [NOTE_LIMIT + 1, 1_000_000]) {
        const refused = await securityAnalyst.tryToAddNoteThroughApi(target.id, oversizedText(length));
        expect(refused.status, `a ${length}-character note`).toBe(400);
        expect(refused.body.error).toBe('validation_failed');
        expect(refused.body.message).toContain('keep the note under 4000 characters');
      }
      const notes = await securityAnalyst.notesOn(target.id);
      expect(notes).toHaveLength(injectionPayloads.length + 1);
      expect(notes.at(-1)).toBe(atLimit);
    });
  });

  test('injection payloads in dataset names are stored and shown literally', {
    tag: tags,
  }, async ({ dataScientist, data }) => {
    const watch = await watchForScriptExecution(dataScientist.context);
    const readings = data.sensorReadings({ rows: 20, features: 2, anomalyRate: 0.1 });
    const { throughForm, throughApi } = splitForForm(injectionPayloads);
    for (const payload of throughForm) {
      await dataScientist.uploadDataset({ ...readings, name: payload.value });
    }
    await test.step('the API stores the other payloads as names too', async () => {
      for (const payload of throughApi) {
        const answer = await dataScientist.api.uploadDataset(readings, { name: payload.value });
        expect(answer.status, payload.name).toBe(201);
      }
    });

    await test.step('the datasets list shows every name as text, and nothing ran', async () => {
      await dataScientist.page.goto('/datasets');
      const table = dataScientist.page.getByRole('table', { name: 'Datasets' });
      const expected = [...throughForm, ...throughApi].map((payload) => payload.value);
      await expect(table.locator('tbody').getByRole('row')).toHaveCount(expected.length);
      const shown = await readTable(table);
      expect(shown.map((row) => row.text.Name).toSorted()).toEqual(expected.toSorted());
      for (const row of shown) {
        await expect(
          row.cell('Name').locator('*'),
          `the Name cell of "${row.text.Name}" holds only its link`,
        ).toHaveCount(1);
        await expect(row.cell('Name').getByRole('link')).toHaveCount(1);
      }
      const listed = await dataScientist.api.listDatasets();
      expect(listed.items.map((dataset) => dataset.name).toSorted()).toEqual(expected.toSorted());
      expect(watch.dialogs).toEqual([]);
      expect(watch.violations).toEqual([]);
    });

    await test.step('traversal in ids and asset names finds nothing', async () => {
      for (const path of [
        '/api/datasets/..%2F..%2F..%2Fetc%2Fpasswd',
        '/api/datasets/%2e%2e%2f%2e%2e%2fpackage.json',
        '/assets/..%2F..%2Fpackage.json',
        '/assets/%2e%2e%2fserver.mjs',
      ]) {
        const answer = await attempt(dataScientist, { method: 'GET', path });
        expect(answer.status, path).toBe(404);
        expect(answer.body.error, path).toBe('not_found');
      }
    });
  });
});
