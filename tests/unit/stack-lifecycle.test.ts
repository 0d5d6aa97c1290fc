import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { requestFault, requestRestart, startControlServer } from '../../fixtures/stack/control-server.ts';
import { handedOverStack } from '../../fixtures/stack/fixture.ts';
import {
  endpointsOf,
  handedOver,
  handedOverRunStack,
  handOver,
  requireHandedOver,
} from '../../fixtures/stack/handover.ts';
import { recordPids, stackDirPrefix, sweepLeftoverStacks } from '../../fixtures/stack/leftovers.ts';
import type { Stack, StackService } from '../../fixtures/stack/stack.ts';
import { inspectWarmStack, writeWarmStack } from '../../fixtures/stack/warm-stack.ts';

/** A stack that only records what it was asked, to drive the control server without real services. */
function recordingStack(failOn?: StackService): Stack & { restarted: StackService[] } {
  const restarted: StackService[] = [];
  return {
    mode: 'embedded',
    apiUrl: 'http://127.0.0.1:1',
    mqttUrl: 'mqtt://127.0.0.1:2',
    bootstrapToken: 't',
    capabilities: ['faultInjection'],
    uploadMaxBytes: 1024,
    externalsReach: { host: '127.0.0.1', publicHost: '127.0.0.1' },
    restarted,
    async restart(service) {
      if (service === failOn) throw new Error(`${service} would not come back`);
      restarted.push(service);
    },
    async kill(service) {
      if (service === failOn) throw new Error(`${service} would not come back`);
      restarted.push(`killed ${service}` as StackService);
    },
    async stop() {},
  };
}

/** A pid that certainly belongs to no process any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

test.describe('the control server', () => {
  test('restarts a service for a worker and answers once it is back', async () => {
    const stack = recordingStack();
    const control = await startControlServer(stack);
    try {
      expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
      await requestRestart(control.url, 'api');
      await requestRestart(control.url, 'mqtt');
      await requestFault(control.url, 'kill', 'db');
      expect(stack.restarted).toEqual(['api', 'mqtt', 'killed db']);
    } finally {
      await control.close();
    }
  });

  test("passes the stack's error back to the worker", async () => {
    const control = await startControlServer(recordingStack('db'));
    try {
      await expect(requestRestart(control.url, 'db')).rejects.toThrow(
        'Restarting db failed: db would not come back',
      );
      await expect(requestFault(control.url, 'kill', 'db')).rejects.toThrow(
        'Killing db failed: db would not come back',
      );
    } finally {
      await control.close();
    }
  });

  test('answers nothing without the per-run secret, and refuses unknown services', async () => {
    const stack = recordingStack();
    const control = await startControlServer(stack);
    try {
      const origin = new URL(control.url).origin;
      expect((await fetch(`${origin}/guess/restart/api`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${control.url}/crash/api`, { method: 'POST' })).status).toBe(404);
      const unknown = await fetch(`${control.url}/restart/cache`, { method: 'POST' });
      expect(unknown.status).toBe(400);
      expect((await unknown.json()).message).toBe('Unknown service "cache": use api, db, mqtt.');
      expect(stack.restarted).toEqual([]);
    } finally {
      await control.close();
    }
  });
});

test.describe('handing the stack to workers', () => {
  test('round-trips through the one hand-over variable, and nothing else in the environment', () => {
    const env: NodeJS.ProcessEnv = {};
    const handover = { ...endpointsOf(recordingStack()), runToken: 'e2e0abcdef1234' };
    handOver(handover, env);
    expect(Object.keys(env)).toEqual(['JOURNEYS_RUN_HANDOVER']);
    expect(handedOver(env)).toEqual(JSON.parse(JSON.stringify(handover)));
    expect(handedOver({})).toBeUndefined();
  });

  test('in coverage mode the run hands over no stack, only what each worker starts its own with', () => {
    const env: NodeJS.ProcessEnv = {};
    const externalsReach = { host: '127.0.0.1', publicHost: '127.0.0.1' };
    handOver({ workerStacks: true, mode: 'embedded', runToken: 'e2e0abcdef1234', externalsReach }, env);
    expect(handedOver(env)).toMatchObject({ mode: 'embedded', runToken: 'e2e0abcdef1234', externalsReach });
    expect(handedOverRunStack(env)).toBeUndefined();
    expect(() => requireHandedOver(env)).toThrow(
      "This coverage run starts no shared stack (each worker starts its own): use the `stack` fixture, not the run's stack.",
    );
    const shared = { ...endpointsOf(recordingStack()), runToken: 'e2e0abcdef1234' };
    handOver(shared, env);
    expect(handedOverRunStack(env)).toEqual(JSON.parse(JSON.stringify(shared)));
  });

  test('says how to get the stack when the run did not hand one over', () => {
    expect(() => requireHandedOver({})).toThrow(
      'No stack was handed over: run the journeys through playwright.config.ts, whose globalSetup starts the stack.',
    );
  });

  test("a worker's restart goes through the control server; without one it is refused", async () => {
    const stack = recordingStack();
    const control = await startControlServer(stack);
    try {
      const handover = { ...endpointsOf(stack), runToken: 'e2e0abcdef1234' };
      await handedOverStack({ ...handover, controlUrl: control.url }).restart('db');
      await handedOverStack({ ...handover, controlUrl: control.url }).kill('api');
      expect(stack.restarted).toEqual(['db', 'killed api']);
      await expect(handedOverStack(handover).kill('db')).rejects.toThrow(
        'fault injection needs a managed stack',
      );
      await expect(handedOverStack(handover).restart('db')).rejects.toThrow(
        'fault injection needs a managed stack',
      );
    } finally {
      await control.close();
    }
  });
});

test.describe('the warm stack description', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'warm-stack-test-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const endpoints = {
    mode: 'embedded' as const,
    mqttUrl: 'mqtt://127.0.0.1:1',
    bootstrapToken: 't',
    startedAt: '',
    capabilities: [],
    uploadMaxBytes: 1024,
    externalsReach: { host: '127.0.0.1', publicHost: '127.0.0.1' },
  };

  test('is live when its process runs and the platform answers ready', async () => {
    const server = http.createServer((request, response) => {
      response.statusCode = request.url === '/health/ready' ? 200 : 404;
      response.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const file = path.join(dir, 'stack.json');
      await writeWarmStack({ ...endpoints, apiUrl: `http://127.0.0.1:${port}`, pid: process.pid }, file);
      expect((await inspectWarmStack(file)).state).toBe('live');
    } finally {
      server.close();
    }
  });

  test('is stale when its process is gone, or its platform does not answer', async () => {
    const file = path.join(dir, 'stack.json');
    await writeWarmStack({ ...endpoints, apiUrl: 'http://127.0.0.1:9', pid: await deadPid() }, file);
    expect(await inspectWarmStack(file)).toMatchObject({
      state: 'stale',
      reason: expect.stringContaining('is gone'),
    });
    await writeWarmStack({ ...endpoints, apiUrl: 'http://127.0.0.1:9', pid: process.pid }, file);
    expect(await inspectWarmStack(file)).toMatchObject({
      state: 'stale',
      reason: expect.stringContaining('does not answer'),
    });
  });

  test('is none when missing or unreadable', async () => {
    const file = path.join(dir, 'stack.json');
    expect((await inspectWarmStack(file)).state).toBe('none');
    writeFileSync(file, '{ not json');
    expect((await inspectWarmStack(file)).state).toBe('none');
  });
});

test('a stack dir whose owner died is swept; a live owner keeps its own', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sweep-test-'));
  try {
    const abandoned = path.join(root, `${stackDirPrefix}abandoned`);
    const live = path.join(root, `${stackDirPrefix}live`);
    mkdirSync(path.join(abandoned, 'pgdata'), { recursive: true });
    mkdirSync(live);
    recordPids(abandoned, { owner: await deadPid() });
    recordPids(live, { owner: process.pid });

    expect(sweepLeftoverStacks(root)).toEqual([abandoned]);
    expect(readdirSync(root)).toEqual([`${stackDirPrefix}live`]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
