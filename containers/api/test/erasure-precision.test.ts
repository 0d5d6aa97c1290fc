import { createHash, createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { recordAudit } from '../src/audit/audit-log.ts';
import { pseudonymFor, wasErased } from '../src/compliance/erasure.ts';
import { erasureKeyOf } from '../src/compliance/erasure-keys.ts';
import { identityScrubber } from '../src/compliance/identity-scrubber.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool, withSystem, withTenant } from '../src/db/pool.ts';
import { migrations } from '../src/db/schema.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { schemaAtVersion } from './support/schema-at-version.ts';
import { storedStream } from './support/stored-stream.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';
import { startTestDatabase } from './support/test-database.ts';

/**
 * Erasure changes only what is about the person: their own entries (by user id, or the email a
 * failed sign-in recorded) and free text that names their exact email or full name as whole
 * words. A name hiding inside words and JSON keys ("Eve" in events, minEvents, severity, every,
 * never) leaves them alone, a two-letter name is scrubbed like any other, and the hash kept to
 * recognise the erased email is keyed with a secret of the tenant's own.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test.describe('the identity scrubber', () => {
  const pseudonym = 'erased-user-0123456789ab';
  const scrub = identityScrubber(['Eve.Stone@harbor.test', 'Eve'], pseudonym);

  test('replaces whole-word mentions of the exact email and full name, in any case', () => {
    expect(scrub.text('Handed to Eve (eve.stone@HARBOR.test). EVE’s shift; ask eve.')).toBe(
      `Handed to ${pseudonym} (${pseudonym}). ${pseudonym}’s shift; ask ${pseudonym}.`,
    );
  });

  test('leaves words, names and emails that merely contain the name alone', () => {
    const untouched = [
      'Every event was severe, never seen before.',
      'Steve and Evelyn asked Eve-Marie; see eve.jones@harbor.test or steve@eve.test.',
      'minEvents=10, events: 20, severity high',
      'Copy to xeve.stone@harbor.test and eve.stone@harbor.test.evil',
    ];
    for (const text of untouched) expect(scrub.text(text)).toBe(text);
  });

  test('never touches JSON keys, only string values', () => {
    const details = { events: 20, minEvents: 10, severity: 'high', eve: 'Eve', nested: [{ note: 'by Eve' }] };
    expect(scrub.deep(details)).toEqual({
      events: 20,
      minEvents: 10,
      severity: 'high',
      eve: pseudonym,
      nested: [{ note: `by ${pseudonym}` }],
    });
  });

  test('scrubs a two-letter name and a full name across line breaks', () => {
    const jo = identityScrubber(['jo@harbor.test', 'Jo'], pseudonym);
    expect(jo.text('Jo will look; Joe, John and jo.smith@harbor.test agree. Thanks, jo!')).toBe(
      `${pseudonym} will look; Joe, John and jo.smith@harbor.test agree. Thanks, ${pseudonym}!`,
    );
    const grace = identityScrubber(['grace@harbor.test', 'Grace Hopper'], pseudonym);
    expect(grace.text('Asked GRACE\nHOPPER; Grace Hoppers is a band.')).toBe(
      `Asked ${pseudonym}; Grace Hoppers is a band.`,
    );
  });
});

test.describe('erasing a person named Eve', () => {
  test.describe.configure({ mode: 'serial' });
  let platform: TestApp;
  let world: ModelWorld;
  let eve: { id: string; email: string; name: string };
  let jo: { id: string; email: string; name: string };
  let eventId: string;

  const erase = (userId: string) =>
    platform.server.inject({
      method: 'POST',
      url: `/api/admin/tenants/${world.tenantId}/users/${userId}/erase`,
      headers: { authorization: `Bearer ${bootstrapToken}` },
    });
  /** Every stored audit row of the tenant as the database's own text of it, by id. */
  const storedRows = async () =>
    new Map(
      (
        await withSystem(platform.pool, (db) =>
          db.query<{ id: string; row: string }>(
            'SELECT id, audit_log::text AS row FROM audit_log WHERE tenant_id = $1 ORDER BY id',
            [world.tenantId],
          ),
        )
      ).rows.map((row) => [row.id, row.row]),
    );
  const changedSince = (before: Map<string, string>, after: Map<string, string>) =>
    [...before].filter(([id, row]) => after.get(id) !== row).map(([id]) => id);
  const noteEntryId = async (note: string) => {
    const { rows } = await withSystem(platform.pool, (db) =>
      db.query<{ id: string }>(
        `SELECT id FROM audit_log WHERE tenant_id = $1 AND action = 'event.note' AND details->>'note' = $2`,
        [world.tenantId, note],
      ),
    );
    expect(rows).toHaveLength(1);
    return rows[0]?.id as string;
  };
  const addNote = async (key: string, text: string) => {
    const noted = await platform.server.inject({
      method: 'POST',
      url: `/api/events/${eventId}/notes`,
      headers: as(key),
      payload: { text },
    });
    expect(noted.statusCode).toBe(201);
  };

  test.beforeAll(async () => {
    platform = await startTestApp();
    world = await createModelWorld(platform, 'cove');
    eve = await platform.createUser(world.tenantId, 'eve.stone@cove.test', 'security_analyst', 'Eve');
    jo = await platform.createUser(world.tenantId, 'jo@cove.test', 'viewer', 'Jo');
    const stream = await storedStream(platform.pool, world.tenantId, 'kiln');
    [eventId] = (await stream.addEvents(new Date(), 1, { anomalies: 1 })).anomalyIds as [string];
  });
  test.afterAll(async () => {
    await platform?.stop();
  });

  test('only her entries and the notes naming her change; every other entry keeps its bytes', async () => {
    const eveKey = await platform.createApiKey(world.tenantId, eve.id);
    await addNote(eveKey, 'Checked the kiln on site.');
    const namingEve = 'Handed over to Eve (eve.stone@cove.test) for the night shift.';
    const namingNoOne = 'Every reading was normal until Steve and Evelyn changed it; never seen this before.';
    await addNote(world.keys.analyst, namingEve);
    await addNote(world.keys.analyst, namingNoOne);
    await withSystem(platform.pool, async (db) => {
      await recordAudit(db, world.tenantId, {
        action: 'retention.purge',
        outcome: 'success',
        actorEmail: 'system',
        details: { events: 5, anomalyEvents: 1, datasets: 0, trigger: 'scheduled' },
      });
      await recordAudit(db, world.tenantId, {
        action: 'alert.fire',
        outcome: 'success',
        actorEmail: 'system',
        details: { rule: 'Burst', events: 20, anomalyRate: 0.2 },
      });
      await recordAudit(db, world.tenantId, {
        action: 'export.events',
        outcome: 'success',
        actorEmail: 'analyst@cove.test',
        details: { columns: ['id', 'severity', 'status'] },
      });
      // A failed sign-in under her email (no user id): hers by its structured actor field.
      await recordAudit(db, world.tenantId, {
        action: 'auth.sign_in',
        outcome: 'failure',
        actorEmail: 'EVE.STONE@cove.test',
        details: { reason: 'idp_invalid' },
      });
    });

    const hers = [
      await noteEntryId('Checked the kiln on site.'),
      await noteEntryId(namingEve),
      [...(await storedRows())].find(([, row]) => row.includes('EVE.STONE@cove.test'))?.[0],
    ];
    const before = await storedRows();
    const erased = await erase(eve.id);
    expect(erased.statusCode).toBe(200);
    const pseudonym = pseudonymFor(world.tenantId, eve.id);
    expect(erased.json()).toMatchObject({ auditEntries: 3, eventActivity: 2, deploymentNotes: 0 });
    expect(changedSince(before, await storedRows())).toEqual(hers);
    const timeline = (
      await platform.server.inject({
        method: 'GET',
        url: `/api/events/${eventId}/timeline`,
        headers: as(world.keys.analyst),
      })
    ).json();
    expect(
      timeline.items
        .filter((entry: { action: string }) => entry.action === 'noted')
        .map((entry: { note: string }) => entry.note),
    ).toEqual([
      'Checked the kiln on site.',
      `Handed over to ${pseudonym} (${pseudonym}) for the night shift.`,
      namingNoOne,
    ]);
  });

  test('a two-letter name is scrubbed as a whole word, and nowhere else', async () => {
    const namingJo = 'Jo will look again; Joe and John agree.';
    await addNote(world.keys.analyst, namingJo);
    const noteId = await noteEntryId(namingJo);
    const before = await storedRows();
    const erased = await erase(jo.id);
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ auditEntries: 1, eventActivity: 1 });
    const after = await storedRows();
    expect(changedSince(before, after)).toEqual([noteId]);
    expect(after.get(noteId)).toContain(
      `${pseudonymFor(world.tenantId, jo.id)} will look again; Joe and John agree.`,
    );
  });

  test('the kept email hash is keyed with the tenant’s own secret, which the app role cannot read', async () => {
    const { rows } = await withSystem(platform.pool, (db) =>
      db.query<{ erased_email_hash: string }>('SELECT erased_email_hash FROM users WHERE id = $1', [eve.id]),
    );
    const kept = rows[0]?.erased_email_hash;
    const key = await withSystem(platform.pool, (db) => erasureKeyOf(db, world.tenantId));
    expect(key).toHaveLength(32);
    const unkeyed = sha256(`erased:${world.tenantId}:eve.stone@cove.test`);
    expect(kept).not.toBe(unkeyed);
    expect(kept).toBe(createHmac('sha256', key).update(unkeyed).digest('hex'));
    expect(
      await withSystem(platform.pool, (db) => wasErased(db, world.tenantId, ' Eve.Stone@Cove.test ')),
    ).toBe(true);

    const other = await platform.createTenant('other-cove');
    const otherKey = await withSystem(platform.pool, (db) => erasureKeyOf(db, other.id));
    expect(otherKey.equals(key)).toBe(false);
    await expect(
      withTenant(platform.pool, world.tenantId, (db) => db.query('SELECT secret FROM tenant_erasure_keys')),
    ).rejects.toThrow(/permission denied/);
    const answer = await platform.server.inject({
      method: 'GET',
      url: `/api/admin/tenants/${world.tenantId}`,
      headers: { authorization: `Bearer ${bootstrapToken}` },
    });
    expect(answer.body).not.toContain(key.toString('hex'));
    expect(answer.body).not.toContain(key.toString('base64'));
  });
});

test('upgrading keys the erased-email hashes stored before, so sign-in still recognises them', async () => {
  const database = await startTestDatabase();
  const pool: pg.Pool = createPool(database.url);
  try {
    await schemaAtVersion(pool, 7);
    const tenant = await pool.query<{ id: string }>(
      `INSERT INTO tenants (slug, name) VALUES ('old', 'Old') RETURNING id`,
    );
    const tenantId = tenant.rows[0]?.id as string;
    const unkeyed = sha256(`erased:${tenantId}:ada@old.test`);
    await pool.query(
      `INSERT INTO users (tenant_id, email, name, role, erased_at, erased_email_hash)
       VALUES ($1, 'erased-user-1', 'erased-user-1', 'viewer', now(), $2)`,
      [tenantId, unkeyed],
    );

    expect(await migrate(pool)).toEqual(
      migrations.filter((migration) => migration.version > 7).map((migration) => migration.version),
    );
    const { rows } = await pool.query<{ erased_email_hash: string }>('SELECT erased_email_hash FROM users');
    const key = await withSystem(pool, (db) => erasureKeyOf(db, tenantId));
    expect(rows[0]?.erased_email_hash).toBe(createHmac('sha256', key).update(unkeyed).digest('hex'));
    expect(await withSystem(pool, (db) => wasErased(db, tenantId, 'Ada@old.test'))).toBe(true);
    expect(await withSystem(pool, (db) => wasErased(db, tenantId, 'bob@old.test'))).toBe(false);
  } finally {
    await pool.end();
    await database.stop();
  }
});
