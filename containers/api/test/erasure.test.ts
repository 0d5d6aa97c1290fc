import { expect, test } from '@playwright/test';
import { recordAudit } from '../src/audit/audit-log.ts';
import { pseudonymFor } from '../src/compliance/erasure.ts';
import { withSystem } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { storedStream } from './support/stored-stream.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Erasure pseudonymises a person everywhere the platform kept their identity (user record,
 * audit entries including failed sign-ins and notes that name them, event timelines and notes,
 * deployment notes), ends their sessions and revokes their keys, keeps every audit entry in
 * place, and is idempotent.
 */
let platform: TestApp;
let world: ModelWorld;
let adminKey: string;
let grace: { id: string; email: string; name: string };
let graceKey: string;
let eventId: string;

const email = 'Grace.Hopper@harbor.test';
const name = 'Grace Hopper';

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
  world = await createModelWorld(platform, 'harbor');
  const owner = await platform.createUser(world.tenantId, 'owner@harbor.test', 'tenant_admin');
  adminKey = await platform.createApiKey(world.tenantId, owner.id);
  grace = await platform.createUser(world.tenantId, email, 'security_analyst', name);
  graceKey = await platform.createApiKey(world.tenantId, grace.id);
  const stream = await storedStream(platform.pool, world.tenantId, 'gate');
  [eventId] = (await stream.addEvents(new Date(), 1, { anomalies: 1 })).anomalyIds as [string];
});
test.afterAll(async () => {
  await platform?.stop();
});

const call = (key: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  platform.server.inject({
    method,
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });

const auditRows = async () =>
  (
    await withSystem(platform.pool, (db) =>
      db.query<{
        id: string;
        at: Date;
        action: string;
        actor_id: string | null;
        actor_email: string | null;
        details: unknown;
      }>(
        'SELECT id, at, action, actor_id, actor_email, details FROM audit_log WHERE tenant_id = $1 ORDER BY id',
        [world.tenantId],
      ),
    )
  ).rows;

/** Everything the database holds for the tenant, as text, to search for the person. */
async function tenantText(): Promise<string> {
  const tables = ['users', 'audit_log', 'anomaly_event_activity', 'deployments', 'api_keys'];
  return withSystem(platform.pool, async (db) => {
    const parts: string[] = [];
    for (const table of tables) {
      const { rows } = await db.query(`SELECT * FROM ${table} WHERE tenant_id = $1`, [world.tenantId]);
      parts.push(JSON.stringify(rows));
    }
    return parts.join('\n');
  });
}

test('the person appears in their records, notes and audit entries before erasure', async () => {
  const noted = await call(graceKey, 'POST', `/api/events/${eventId}/notes`, {
    text: `Checked with ${name} (${email.toLowerCase()}) — a maintenance window.`,
  });
  expect(noted.statusCode).toBe(201);
  const byColleague = await call(world.keys.analyst, 'POST', `/api/events/${eventId}/notes`, {
    text: `Asked GRACE HOPPER to confirm.`,
  });
  expect(byColleague.statusCode).toBe(201);
  await withSystem(platform.pool, (db) =>
    recordAudit(db, world.tenantId, {
      action: 'auth.sign_in',
      outcome: 'failure',
      actorEmail: email.toUpperCase(),
      ip: '203.0.113.9',
      details: { reason: 'idp_invalid' },
    }),
  );
  const text = (await tenantText()).toLowerCase();
  expect(text).toContain(email.toLowerCase());
  expect(text).toContain(name.toLowerCase());
});

test('erasure pseudonymises every place, keeps every audit entry, and revokes access', async () => {
  expect((await call(world.keys.viewer, 'POST', `/api/users/${grace.id}/erase`)).statusCode).toBe(403);
  const before = await auditRows();
  const erased = await call(adminKey, 'POST', `/api/users/${grace.id}/erase`);
  expect(erased.statusCode).toBe(200);
  const pseudonym = pseudonymFor(world.tenantId, grace.id);
  expect(pseudonym).toMatch(/^erased-user-[0-9a-f]{12}$/);
  expect(erased.json()).toEqual({
    userId: grace.id,
    pseudonym,
    alreadyErased: false,
    sessions: 0,
    apiKeys: 1,
    // Her event.note, the failed sign-in under her email, and the colleague's event.note naming her.
    auditEntries: 3,
    eventActivity: 2,
    deploymentNotes: 0,
  });

  const text = (await tenantText()).toLowerCase();
  expect(text).not.toContain(email.toLowerCase());
  expect(text).not.toContain(name.toLowerCase());
  expect(text).toContain(pseudonym);

  const after = await auditRows();
  expect(
    after.slice(0, before.length).map((row) => [row.id, row.at.toISOString(), row.action, row.actor_id]),
  ).toEqual(before.map((row) => [row.id, row.at.toISOString(), row.action, row.actor_id]));
  expect(after.slice(before.length).map((row) => row.action)).toEqual(['user.erase']);
  expect(after.filter((row) => row.actor_id === grace.id).map((row) => row.actor_email)).toEqual([pseudonym]);

  expect((await call(graceKey, 'GET', '/api/me')).statusCode).toBe(401);
  const timeline = (await call(world.keys.analyst, 'GET', `/api/events/${eventId}/timeline`)).json();
  const notes = timeline.items.filter((entry: { action: string }) => entry.action === 'noted');
  expect(notes).toHaveLength(2);
  expect(notes[0].actor).toEqual({ id: grace.id, name: pseudonym, email: pseudonym });
  expect(notes[0].note).toBe(`Checked with ${pseudonym} (${pseudonym}) — a maintenance window.`);
  expect(notes[1].note).toBe(`Asked ${pseudonym} to confirm.`);

  const csv = await call(world.keys.analyst, 'GET', '/api/audit/export');
  expect(csv.statusCode).toBe(200);
  expect(csv.body.toLowerCase()).not.toContain(email.toLowerCase());
  expect(csv.body.toLowerCase()).not.toContain(name.toLowerCase());
  const people = (await call(adminKey, 'GET', '/api/users')).json();
  expect(people.items.find((person: { id: string }) => person.id === grace.id)).toMatchObject({
    name: pseudonym,
    email: pseudonym,
  });
});

test('erasing again changes nothing but is recorded, and the audit log still refuses other changes', async () => {
  const before = await auditRows();
  const again = await platform.server.inject({
    method: 'POST',
    url: `/api/admin/tenants/${world.tenantId}/users/${grace.id}/erase`,
    headers: { authorization: `Bearer ${bootstrapToken}` },
  });
  expect(again.statusCode).toBe(200);
  expect(again.json()).toMatchObject({ alreadyErased: true, apiKeys: 0, auditEntries: 0, eventActivity: 0 });
  expect(again.json().pseudonym).toBe(pseudonymFor(world.tenantId, grace.id));
  const after = await auditRows();
  expect(after.slice(0, before.length)).toEqual(before);
  expect(after.slice(before.length).map((row) => [row.action, row.actor_email])).toEqual([
    ['user.erase', 'admin-api'],
  ]);

  // Even inside an erasure, only the identity may change: not the action, not the entry's existence.
  const attempt = (sql: string) =>
    withSystem(platform.pool, async (db) => {
      await db.query(`SELECT set_config('app.erasure_pseudonym', 'erased-user-x', true)`);
      await db.query(sql, [before[0]?.id]);
    });
  await expect(attempt(`UPDATE audit_log SET action = 'auth.sign_out' WHERE id = $1`)).rejects.toThrow(
    /append-only/,
  );
  await expect(attempt('DELETE FROM audit_log WHERE id = $1')).rejects.toThrow(/append-only/);
  await expect(
    withSystem(platform.pool, (db) =>
      db.query(`UPDATE audit_log SET actor_email = 'someone-else' WHERE id = $1`, [before[0]?.id]),
    ),
  ).rejects.toThrow(/append-only/);
});

test('a tenant admin cannot erase themselves, nor someone in another tenant', async () => {
  const me = (await call(adminKey, 'GET', '/api/me')).json();
  const self = await call(adminKey, 'POST', `/api/users/${me.id}/erase`);
  expect(self.statusCode).toBe(409);
  expect(self.json().message).toContain('another tenant admin');
  const rival = await createModelWorld(platform, 'rival');
  const foreign = (await call(rival.keys.viewer, 'GET', '/api/me')).json();
  expect((await call(adminKey, 'POST', `/api/users/${foreign.id}/erase`)).statusCode).toBe(404);
  expect((await call(rival.keys.viewer, 'GET', '/api/me')).statusCode).toBe(200);
});
