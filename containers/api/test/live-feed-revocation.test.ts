import { expect, test } from '@playwright/test';
import type WebSocket from 'ws';
import { createSession } from '../src/auth/sessions.ts';
import { withSystem, withTenant } from '../src/db/pool.ts';
import { type FeedListener, LiveFeed } from '../src/events/live-feed.ts';
import { feedClosures, tooManyFeeds } from '../src/events/live-feed-closures.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A live feed is authorised once, at its handshake; these prove each way a right ends also ends
 * the feeds opened under it, within two seconds, with the close code and reason the page shows,
 * and that nothing published afterwards reaches them. Also: the per-user cap and the slow reader.
 */
const maxFeedsPerUser = 3;
let platform: TestApp;
const sockets: WebSocket[] = [];
const admin = { authorization: `Bearer ${bootstrapToken}` };

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp({ LIVE_FEED_MAX_PER_USER: String(maxFeedsPerUser) });
});
test.afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await platform?.stop();
});

interface OpenFeed {
  messages: unknown[];
  closed: Promise<{ code: number; reason: string; afterMs: number }>;
  /** Marks the moment the revocation was asked for, which `closed` measures from. */
  revokedNow(): void;
}

async function openFeed(headers: Record<string, string>): Promise<OpenFeed> {
  const messages: unknown[] = [];
  let revokedAt = Date.now();
  let closed!: OpenFeed['closed'];
  const socket = await platform.server.injectWS(
    '/api/events/live',
    { headers },
    {
      onInit: (ws) => {
        ws.on('message', (data) => messages.push(JSON.parse(String(data))));
        closed = new Promise((resolve) =>
          ws.on('close', (code, reason) =>
            resolve({ code, reason: reason.toString(), afterMs: Date.now() - revokedAt }),
          ),
        );
      },
    },
  );
  sockets.push(socket);
  await expect.poll(() => messages.length).toBe(1);
  expect(messages[0]).toEqual({ type: 'ready' });
  return { messages, closed, revokedNow: () => (revokedAt = Date.now()) };
}

const anomaly = {
  type: 'alert',
  alert: { id: 'a', ruleId: 'r', ruleName: 'n', sessionId: 's', anomalyRate: 1, firedAt: '' },
} as const;

/**
 * Publishes to the tenant after the close and waits until a witness still open received it, so
 * "nothing reached the closed feed" is not read before delivery could have happened.
 */
async function expectNothingAfterClose(world: ModelWorld, feed: OpenFeed, witness?: OpenFeed) {
  platform.app.context.operations.feed.publish(world.tenantId, anomaly);
  if (witness)
    await expect.poll(() => witness.messages, 'the witness feed still streams').toContainEqual(anomaly);
  else expect(platform.app.context.operations.feed.listenerCount(world.tenantId)).toBe(0);
  expect(feed.messages, 'no message reached the feed after it was closed').toEqual([{ type: 'ready' }]);
}

async function expectClosedWith(feed: OpenFeed, closure: { code: number; reason: string }) {
  const stillOpen = new Promise<null>((resolve) => setTimeout(resolve, 2_500, null).unref());
  const closed = await Promise.race([feed.closed, stillOpen]);
  expect(closed, 'the feed was still open 2.5 s after its right ended').not.toBeNull();
  expect({ code: closed?.code, reason: closed?.reason }).toEqual(closure);
  expect(closed?.afterMs, 'closed within two seconds of the revocation').toBeLessThan(2_000);
}

async function sessionCookie(world: ModelWorld, userId: string, ttlMinutes = 10) {
  const { sid } = await withTenant(platform.pool, world.tenantId, (db) =>
    createSession(db, world.tenantId, userId, ttlMinutes),
  );
  return sid;
}

async function auditActions(world: ModelWorld, action: string) {
  const { rows } = await withSystem(platform.pool, (db) =>
    db.query<{ details: Record<string, unknown> }>(
      'SELECT details FROM audit_log WHERE tenant_id = $1 AND action = $2',
      [world.tenantId, action],
    ),
  );
  return rows.map((row) => row.details);
}

test('signing out closes the feeds of that session only', async () => {
  const world = await createModelWorld(platform, 'signout');
  const sid = await sessionCookie(world, world.users.analyst.id);
  const otherTab = await sessionCookie(world, world.users.analyst.id);
  const feed = await openFeed({ cookie: `sid=${sid}` });
  const other = await openFeed({ cookie: `sid=${otherTab}` });
  const me = (await platform.server.inject({ method: 'GET', url: '/api/me', cookies: { sid } })).json();
  feed.revokedNow();
  const out = await platform.server.inject({
    method: 'POST',
    url: '/logout',
    cookies: { sid },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(me.csrfToken)}`,
  });
  expect(out.statusCode).toBe(303);
  await expectClosedWith(feed, feedClosures.signedOut);
  await expectNothingAfterClose(world, feed, other);
});

test('a session that expires closes its feed when it does', async () => {
  const world = await createModelWorld(platform, 'expiry');
  const sid = await sessionCookie(world, world.users.analyst.id, 1 / 60);
  const feed = await openFeed({ cookie: `sid=${sid}` });
  const witness = await openFeed(as(world.keys.analyst));
  feed.revokedNow();
  await expectClosedWith(feed, feedClosures.sessionExpired);
  await expectNothingAfterClose(world, feed, witness);
});

test("erasing a person closes every feed of theirs, by session or key, and nobody else's", async () => {
  const world = await createModelWorld(platform, 'erasure');
  const bySession = await openFeed({ cookie: `sid=${await sessionCookie(world, world.users.analyst.id)}` });
  const byKey = await openFeed(as(world.keys.analyst));
  const colleague = await openFeed(as(world.keys.viewer));
  bySession.revokedNow();
  byKey.revokedNow();
  const erased = await platform.server.inject({
    method: 'POST',
    url: `/api/admin/tenants/${world.tenantId}/users/${world.users.analyst.id}/erase`,
    headers: admin,
  });
  expect(erased.statusCode).toBe(200);
  await expectClosedWith(bySession, feedClosures.erased);
  await expectClosedWith(byKey, feedClosures.erased);
  await expectNothingAfterClose(world, bySession, colleague);
  expect(byKey.messages).toEqual([{ type: 'ready' }]);
});

test("a tenant admin's erasure closes the person's feeds as the operator's does", async () => {
  const world = await createModelWorld(platform, 'tenanterasure');
  const admin = await platform.createUser(world.tenantId, 'admin@tenanterasure.test', 'tenant_admin');
  const adminKey = await platform.createApiKey(world.tenantId, admin.id);
  const feed = await openFeed(as(world.keys.analyst));
  const witness = await openFeed(as(world.keys.viewer));
  feed.revokedNow();
  const erased = await platform.server.inject({
    method: 'POST',
    url: `/api/users/${world.users.analyst.id}/erase`,
    headers: as(adminKey),
  });
  expect(erased.statusCode).toBe(200);
  await expectClosedWith(feed, feedClosures.erased);
  await expectNothingAfterClose(world, feed, witness);
});

test('revoking an API key closes the feeds opened with it', async () => {
  const world = await createModelWorld(platform, 'revocation');
  const feed = await openFeed(as(world.keys.analyst));
  const witness = await openFeed(as(world.keys.viewer));
  const keys = (
    await platform.server.inject({ method: 'GET', url: '/api/me/api-keys', headers: as(world.keys.analyst) })
  ).json();
  const keyId = keys.items[0].id as string;
  feed.revokedNow();
  const revoked = await platform.server.inject({
    method: 'DELETE',
    url: `/api/me/api-keys/${keyId}`,
    headers: as(world.keys.analyst),
  });
  expect(revoked.statusCode).toBe(204);
  await expectClosedWith(feed, feedClosures.keyRevoked);
  await expectNothingAfterClose(world, feed, witness);
});

test("changing a person's role closes their feeds and is audited", async () => {
  const world = await createModelWorld(platform, 'rolechange');
  const feed = await openFeed(as(world.keys.analyst));
  const witness = await openFeed(as(world.keys.viewer));
  feed.revokedNow();
  const changed = await platform.server.inject({
    method: 'PATCH',
    url: `/api/admin/tenants/${world.tenantId}/users/${world.users.analyst.id}`,
    headers: admin,
    payload: { role: 'viewer' },
  });
  expect(changed.statusCode).toBe(200);
  expect(changed.json().role).toBe('viewer');
  await expectClosedWith(feed, feedClosures.roleChanged);
  await expectNothingAfterClose(world, feed, witness);
  expect(await auditActions(world, 'user.role_change')).toEqual([{ from: 'security_analyst', to: 'viewer' }]);
  const reopened = await openFeed(as(world.keys.analyst));
  const unchanged = await platform.server.inject({
    method: 'PATCH',
    url: `/api/admin/tenants/${world.tenantId}/users/${world.users.analyst.id}`,
    headers: admin,
    payload: { role: 'viewer' },
  });
  expect(unchanged.statusCode).toBe(200);
  platform.app.context.operations.feed.publish(world.tenantId, anomaly);
  await expect
    .poll(() => reopened.messages, 'giving the same role again leaves the feed open')
    .toEqual([{ type: 'ready' }, anomaly]);
  const bad = await platform.server.inject({
    method: 'PATCH',
    url: `/api/admin/tenants/${world.tenantId}/users/${world.users.analyst.id}`,
    headers: admin,
    payload: { role: 'owner' },
  });
  expect(bad.statusCode).toBe(400);
});

test("suspending a tenant closes all of its feeds and no other tenant's", async () => {
  const world = await createModelWorld(platform, 'suspended');
  const bystander = await createModelWorld(platform, 'bystander');
  const feeds = [await openFeed(as(world.keys.analyst)), await openFeed(as(world.keys.viewer))];
  const elsewhere = await openFeed(as(bystander.keys.analyst));
  for (const feed of feeds) feed.revokedNow();
  const suspended = await platform.server.inject({
    method: 'PATCH',
    url: `/api/admin/tenants/${world.tenantId}`,
    headers: admin,
    payload: { status: 'suspended' },
  });
  expect(suspended.statusCode).toBe(200);
  expect(suspended.json().status).toBe('suspended');
  for (const feed of feeds) await expectClosedWith(feed, feedClosures.tenantSuspended);
  await expectNothingAfterClose(world, feeds[0] as OpenFeed);
  expect(await auditActions(world, 'tenant.suspend')).toEqual([{}]);
  platform.app.context.operations.feed.publish(bystander.tenantId, anomaly);
  await expect.poll(() => elsewhere.messages).toEqual([{ type: 'ready' }, anomaly]);
});

test('a user may hold a few feeds at once; the next is refused with the reason', async () => {
  const world = await createModelWorld(platform, 'capped');
  for (let index = 0; index < maxFeedsPerUser; index += 1) await openFeed(as(world.keys.analyst));
  const closures: { code: number; reason: string }[] = [];
  const refused = await platform.server.injectWS(
    '/api/events/live',
    { headers: as(world.keys.analyst) },
    { onInit: (ws) => ws.on('close', (code, reason) => closures.push({ code, reason: reason.toString() })) },
  );
  sockets.push(refused);
  await expect.poll(() => closures).toEqual([tooManyFeeds(maxFeedsPerUser)]);
  expect(tooManyFeeds(maxFeedsPerUser).reason).toBe(
    'You already have 3 live feeds open; close one of them and reload.',
  );
  await openFeed(as(world.keys.viewer));
});

test('a reader that falls behind past the buffer limit is closed instead of sent more', () => {
  const feed = new LiveFeed({ maxFeedsPerUser: 5, maxBufferedBytes: 100 });
  const listener = (userId: string, bufferedAmount: number) => {
    const got = { sent: [] as string[], closed: [] as unknown[] };
    const value: FeedListener = {
      owner: { userId, credentialId: `${userId}-key` },
      bufferedAmount,
      send: (text) => got.sent.push(text),
      close: (closure) => got.closed.push(closure),
    };
    return { value, got };
  };
  const slow = listener('slow', 101);
  const quick = listener('quick', 100);
  feed.subscribe('t', slow.value);
  feed.subscribe('t', quick.value);
  feed.publish('t', anomaly);
  feed.publish('t', anomaly);
  expect(slow.got).toEqual({ sent: [], closed: [feedClosures.tooSlow] });
  expect(quick.got).toEqual({ sent: [JSON.stringify(anomaly), JSON.stringify(anomaly)], closed: [] });
  expect(feed.listenerCount('t')).toBe(1);
});

test('every close reason fits in a close frame (123 bytes), so the page shows it whole', () => {
  for (const closure of [...Object.values(feedClosures), tooManyFeeds(1_000_000)]) {
    expect(Buffer.byteLength(closure.reason), closure.reason).toBeLessThanOrEqual(123);
  }
});
