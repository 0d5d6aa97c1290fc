import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import mqtt from 'mqtt';
import pg from 'pg';
import { startEmbeddedStack } from '../../fixtures/stack/embedded.ts';
import { isAlive, postmasterPid, stackDirPrefix } from '../../fixtures/stack/leftovers.ts';
import type { StartedStack } from '../../fixtures/stack/stack.ts';
import { stackTempRoot } from '../../fixtures/stack/temp-root.ts';
import { childrenOf } from './process-children.ts';

/** The temp dirs of stacks this process owns (other runs may have stacks of their own). */
function ownStackDirs(owner = process.pid): string[] {
  const root = stackTempRoot();
  return readdirSync(root)
    .filter((name) => name.startsWith(stackDirPrefix))
    .map((name) => path.join(root, name))
    .filter((dir) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, 'pids.json'), 'utf8')).owner === owner;
      } catch {
        return false;
      }
    });
}

/**
 * Children of this worker that a stack could have left: ones it had before are not the stack's
 * (another test in the same worker may keep a helper process, such as esbuild's service).
 */
function childrenSince(before: readonly number[]): number[] {
  return childrenOf(process.pid).filter((pid) => !before.includes(pid));
}

async function query(databaseUrl: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function ready(apiUrl: string): Promise<number> {
  return (await fetch(`${apiUrl}/health/ready`)).status;
}

test.describe
  .serial('the embedded stack', () => {
    let stack: StartedStack;
    let stackDir: string;

    let childrenBefore: number[] = [];
    test.beforeAll(async () => {
      childrenBefore = childrenOf(process.pid);
      stack = await startEmbeddedStack();
      const dirs = ownStackDirs();
      expect(dirs).toHaveLength(1);
      stackDir = dirs[0] as string;
    });

    test.afterAll(async () => {
      await stack?.stop();
    });

    test('starts Postgres, the broker and the platform on loopback', async () => {
      expect(stack.mode).toBe('embedded');
      expect(stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The platform's own broker user, which the test process watches topics with too.
      expect(stack.mqttUrl).toMatch(/^mqtt:\/\/platform:[\w-]+@127\.0\.0\.1:\d+$/);
      expect(await ready(stack.apiUrl)).toBe(200);

      const { rows } = await query(
        stack.databaseUrl as string,
        'select current_database() as name, version() as version',
      );
      expect(rows[0].name).toBe('journeys');
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);

      expect(stack.platformLog).toMatch(/platform-\d+\.log$/);
      expect(readFileSync(stack.platformLog as string, 'utf8')).toContain('"msg":"listening"');
    });

    test('the broker acknowledges and delivers a QoS 1 publish', async () => {
      const subscriber = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'stack-test-sub' });
      const publisher = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'stack-test-pub' });
      try {
        await subscriber.subscribeAsync('stack-test/qos1', { qos: 1 });
        const received = new Promise<{ payload: string; qos: number }>((resolve) =>
          subscriber.once('message', (_topic, payload, packet) =>
            resolve({ payload: payload.toString(), qos: packet.qos }),
          ),
        );
        const pubacks: (number | undefined)[] = [];
        publisher.on('packetreceive', (packet) => {
          if (packet.cmd === 'puback') pubacks.push(packet.messageId);
        });
        const sent = await publisher.publishAsync('stack-test/qos1', 'reading-1', { qos: 1 });
        // For QoS 1 the publish resolves only after the broker's PUBACK for its message id.
        expect(sent?.messageId).toEqual(expect.any(Number));
        expect(pubacks).toContain(sent?.messageId);
        expect(await received).toEqual({ payload: 'reading-1', qos: 1 });
      } finally {
        await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
      }
    });

    test('the broker refuses a client that is neither the platform nor a producer the platform knows', async () => {
      const anonymous = new URL(stack.mqttUrl);
      anonymous.username = '';
      anonymous.password = '';
      const refused = await mqtt
        .connectAsync(anonymous.toString(), { clientId: 'stack-test-anonymous', reconnectPeriod: 0 })
        .then(
          async (client) => {
            await client.endAsync(true);
            return 'connected';
          },
          (error: { code?: number }) => error.code,
        );
      expect(refused, 'CONNACK return code (5: not authorized)').toBe(5);
    });

    test("restart('api') keeps the URL and resolves once the platform is ready", async () => {
      const { apiUrl } = stack;
      const before = JSON.parse(readFileSync(path.join(stackDir, 'pids.json'), 'utf8')).platform as number;
      await stack.restart('api');
      const after = JSON.parse(readFileSync(path.join(stackDir, 'pids.json'), 'utf8')).platform as number;
      expect(stack.apiUrl).toBe(apiUrl);
      expect(after).not.toBe(before);
      expect(isAlive(before)).toBe(false);
      expect(await ready(apiUrl)).toBe(200);
    });

    test("restart('mqtt') keeps a persistent session's subscription and queued QoS 1 messages", async () => {
      const session = { clientId: 'stack-test-session', clean: false, reconnectPeriod: 100 };
      const subscriber = await mqtt.connectAsync(stack.mqttUrl, session);
      await subscriber.subscribeAsync('stack-test/persistent', { qos: 1 });
      // Offline now: the message below must wait in the broker's persistence, across the restart.
      await subscriber.endAsync();

      await stack.restart('mqtt');
      const publisher = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'stack-test-pub-2' });
      await publisher.publishAsync('stack-test/persistent', 'queued-while-offline', { qos: 1 });
      await publisher.endAsync();

      const back = mqtt.connect(stack.mqttUrl, session);
      try {
        const message = await new Promise<string>((resolve) =>
          back.once('message', (_t, payload) => resolve(payload.toString())),
        );
        expect(message).toBe('queued-while-offline');
      } finally {
        await back.endAsync();
      }
      expect(await ready(stack.apiUrl)).toBe(200);
    });

    test("restart('db') keeps the data and the port", async () => {
      const databaseUrl = stack.databaseUrl as string;
      await query(databaseUrl, 'create table if not exists stack_restart_probe (value text)');
      await query(databaseUrl, "insert into stack_restart_probe values ('kept')");
      const before = postmasterPid(path.join(stackDir, 'pgdata'));
      await stack.restart('db');
      expect(postmasterPid(path.join(stackDir, 'pgdata'))).not.toBe(before);
      const { rows } = await query(databaseUrl, 'select value from stack_restart_probe');
      expect(rows).toEqual([{ value: 'kept' }]);
      expect(await ready(stack.apiUrl)).toBe(200);
    });

    test('stop leaves no process, no open port and no temp dir', async () => {
      const pids = JSON.parse(readFileSync(path.join(stackDir, 'pids.json'), 'utf8'));
      const postmaster = postmasterPid(path.join(stackDir, 'pgdata'));
      expect(postmaster).toBeDefined();
      await stack.stop();

      expect(isAlive(pids.platform)).toBe(false);
      expect(isAlive(postmaster as number)).toBe(false);
      expect(existsSync(stackDir)).toBe(false);
      expect(childrenSince(childrenBefore)).toEqual([]);
      const broker = mqtt.connect(stack.mqttUrl, { reconnectPeriod: 0, connectTimeout: 2_000 });
      const refused = await new Promise<boolean>((resolve) => {
        broker.once('connect', () => resolve(false));
        broker.once('error', () => resolve(true));
      });
      broker.end(true);
      expect(refused).toBe(true);
      await expect(fetch(`${stack.apiUrl}/health/ready`)).rejects.toThrow();
    });
  });

test('a failed start cleans up what had started', async () => {
  const childrenBefore = childrenOf(process.pid);
  await expect(startEmbeddedStack({ platformEntry: '/nonexistent/server.mjs' })).rejects.toThrow(
    /platform bundle .*server\.mjs does not exist: run `npm run build`/,
  );
  expect(ownStackDirs()).toEqual([]);
  expect(childrenSince(childrenBefore)).toEqual([]);
});

test('SIGINT stops a stack and exits, leaving no process and no temp dir', async () => {
  const embedded = new URL('../../fixtures/stack/embedded.ts', import.meta.url).href;
  const script = `import { startEmbeddedStack } from ${JSON.stringify(embedded)};
    const stack = await startEmbeddedStack();
    console.log(JSON.stringify({ ready: stack.apiUrl }));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const line = chunk
        .toString()
        .split('\n')
        .find((text) => text.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line).ready);
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited early (${code})`)));
  });
  const [dir] = ownStackDirs(child.pid);
  const pids = JSON.parse(readFileSync(path.join(dir as string, 'pids.json'), 'utf8'));
  const postmaster = postmasterPid(path.join(dir as string, 'pgdata'));
  expect(await ready(apiUrl)).toBe(200);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(isAlive(pids.platform)).toBe(false);
  expect(isAlive(postmaster as number)).toBe(false);
  expect(existsSync(dir as string)).toBe(false);
});
