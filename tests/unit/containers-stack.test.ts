/**
 * The containers stack against a real Docker engine. Runs only where the config enables it
 * (E2E_CONTAINERS_TESTS=1); once enabled nothing is skipped: without an engine every test fails
 * with the provider's own "Docker is not reachable" message.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import mqtt from 'mqtt';
import pg from 'pg';
import { startContainersStack } from '../../fixtures/stack/containers.ts';
import { connectToEngine } from '../../fixtures/stack/containers-engine.ts';
import { applyImagesEnvFile, ensureImage, selectedImages } from '../../fixtures/stack/containers-images.ts';
import { openRunNetwork } from '../../fixtures/stack/containers-network.ts';
import { stackLabel, stackLabels, sweepLeftoverStacks } from '../../fixtures/stack/containers-sweep.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';
import type { StartedStack } from '../../fixtures/stack/stack.ts';

const run = promisify(execFile);

/** The containers and networks this worker process owns, found the way the sweep finds them: by label. */
async function ownedByThisProcess(): Promise<{ containers: string[]; networks: string[] }> {
  const docker = (await connectToEngine()).container.dockerode;
  const filter = { label: [`journeys.stack.owner-pid=${process.pid}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  const networks = await docker.listNetworks({ filters: filter });
  return { containers: containers.map((c) => c.Names.join(',')), networks: networks.map((n) => n.Name) };
}

async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The first message a fresh subscriber receives on `topic` (a retained one, if the broker kept it),
 * or undefined when none arrives within `withinMs`: a broker that lost it never sends anything.
 */
async function firstMessageOn(
  url: string,
  topic: string,
  withinMs = 10_000,
): Promise<{ payload: string; retain: boolean } | undefined> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  let timer: NodeJS.Timeout | undefined;
  try {
    const received = new Promise<{ payload: string; retain: boolean } | undefined>((resolve) => {
      client.once('message', (_topic, payload, packet) =>
        resolve({ payload: payload.toString(), retain: packet.retain }),
      );
      timer = setTimeout(() => resolve(undefined), withinMs);
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return await received;
  } finally {
    clearTimeout(timer);
    await client.endAsync();
  }
}

test.describe('containers stack', () => {
  test.describe.configure({ mode: 'serial', timeout: 240_000 });
  let stack: StartedStack;

  test.beforeAll(async () => {
    stack = await startContainersStack();
  });

  test.afterAll(async () => {
    await stack?.stop();
  });

  test('starts with the platform ready and every URL usable from the tests', async () => {
    expect(stack.mode).toBe('containers');
    const ready = await fetch(`${stack.apiUrl}/health/ready`);
    expect(ready.status).toBe(200);

    const who = await withDatabase(stack.databaseUrl as string, async (client) => {
      const result = await client.query<{ user: string; db: string }>(
        'SELECT current_user AS user, current_database() AS db',
      );
      return result.rows[0];
    });
    expect(who).toEqual({ user: 'journeys', db: 'journeys' });

    const client = await mqtt.connectAsync(stack.mqttUrl, { reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();

    const owned = await ownedByThisProcess();
    expect(owned.containers).toHaveLength(5);
    expect(owned.networks).toHaveLength(1);
  });

  test('the broker refuses clients without the stack credentials', async () => {
    const anonymous = new URL(stack.mqttUrl);
    anonymous.username = '';
    anonymous.password = '';
    await expect(mqtt.connectAsync(anonymous.toString(), { reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized/i,
    );
  });

  test('a restart of db keeps its data and its URL, and the platform comes back ready', async () => {
    const marker = `marker-${process.pid}-${Date.now()}`;
    await withDatabase(stack.databaseUrl as string, async (client) => {
      await client.query('CREATE TABLE IF NOT EXISTS restart_check (marker text)');
      await client.query('INSERT INTO restart_check VALUES ($1)', [marker]);
    });
    const urlBefore = stack.databaseUrl;

    await stack.restart('db');

    expect(stack.databaseUrl).toBe(urlBefore);
    const markers = await withDatabase(stack.databaseUrl as string, async (client) => {
      const result = await client.query<{ marker: string }>('SELECT marker FROM restart_check');
      return result.rows.map((row) => row.marker);
    });
    expect(markers).toContain(marker);
    expect((await fetch(`${stack.apiUrl}/health/ready`)).status).toBe(200);
  });

  test('a restart of mqtt keeps retained messages (persistence on)', async () => {
    const topic = `journeys/restart-check/${process.pid}`;
    const publisher = await mqtt.connectAsync(stack.mqttUrl, { reconnectPeriod: 0 });
    await publisher.publishAsync(topic, 'still here', { qos: 1, retain: true });
    await publisher.endAsync();

    await stack.restart('mqtt');

    expect(await firstMessageOn(stack.mqttUrl, topic)).toEqual({ payload: 'still here', retain: true });
  });

  test('a restart of api keeps the API URL', async () => {
    const urlBefore = stack.apiUrl;
    await stack.restart('api');
    expect(stack.apiUrl).toBe(urlBefore);
    expect((await fetch(`${stack.apiUrl}/health/ready`)).status).toBe(200);
  });

  test('stop leaves no container and no network behind', async () => {
    expect((await ownedByThisProcess()).containers).toHaveLength(5);
    await stack.stop();
    expect(await ownedByThisProcess()).toEqual({ containers: [], networks: [] });
    await expect(stack.restart('api')).rejects.toThrow(/stack is stopped/);
  });
});

/**
 * Inside a run, a stack of its own (a journey's `ownStack`) must not add or remove a network: a new
 * bridge changes the host's addresses, and Chromium then aborts the other worker's navigations
 * with net::ERR_NETWORK_CHANGED. Its services still find each other, by names of their own.
 */
test('inside a run, a stack joins the run network and leaves the host networks as they were', async () => {
  test.setTimeout(240_000);
  const docker = (await connectToEngine()).container.dockerode;
  // This process's networks only: the file's other tests start stacks in parallel.
  const networkNames = async () => (await ownedByThisProcess()).networks.sort();
  const network = await openRunNetwork();
  try {
    const before = await networkNames();
    const stack = await startContainersStack();
    try {
      expect(await networkNames(), 'networks after a stack started inside the run').toEqual(before);
      const attached = await docker.getNetwork(network.name).inspect();
      expect(Object.keys(attached.Containers ?? {}), 'containers on the run network').toHaveLength(5);
      // The platform reached its database and broker by their stack-scoped names.
      expect((await fetch(`${stack.apiUrl}/health/ready`)).status).toBe(200);
    } finally {
      await stack.stop();
    }
    expect(await networkNames(), 'networks after that stack stopped').toEqual(before);
  } finally {
    await network.close();
  }
  expect(await networkNames()).not.toContain(network.name);
});

test('the sweep removes what a dead run left and keeps what a live run owns', async () => {
  test.setTimeout(60_000);
  applyImagesEnvFile();
  const client = await connectToEngine();
  const docker = client.container.dockerode;
  const image = selectedImages().node;
  await ensureImage(client, 'node', image);
  // A process that has exited stands for a run killed before it could clean up.
  const { stdout } = await run(process.execPath, ['-e', 'console.log(process.pid)']);
  const deadOwner = { ...stackLabels('leftover-check'), 'journeys.stack.owner-pid': stdout.trim() };
  const leftover = await docker.createContainer({ Image: image, Cmd: ['node', '-e', ''], Labels: deadOwner });
  const live = await docker.createContainer({
    Image: image,
    Cmd: ['node', '-e', ''],
    Labels: stackLabels('live-check'),
  });
  try {
    await sweepLeftoverStacks(docker);
    const remaining = await docker.listContainers({ all: true, filters: { label: [stackLabel] } });
    const ids = remaining.map((container) => container.Id);
    expect(ids).not.toContain(leftover.id);
    expect(ids).toContain(live.id);
  } finally {
    await live.remove({ force: true });
    await leftover.remove({ force: true }).catch(() => undefined);
  }
});

/** Starts the stack in a fresh Node process with `env` added, and returns how that went. */
async function startInChild(
  env: Record<string, string>,
): Promise<{ code: number; stderr: string; ms: number }> {
  const started = performance.now();
  const script = `import('${path.join(repoRoot, 'fixtures/stack/containers.ts')}').then(async (m) => { const s = await m.startContainersStack(); await s.stop(); })`;
  try {
    await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, stderr: '', ms: performance.now() - started };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '', ms: performance.now() - started };
  }
}

test('fails within seconds, saying what to do, when Docker is not reachable', async () => {
  const result = await startInChild({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('Docker is not reachable');
  expect(result.stderr).toContain('E2E_STACK=embedded');
  expect(result.ms).toBeLessThan(10_000);
});

test('says how to build an image the engine does not have', async () => {
  test.setTimeout(120_000);
  const result = await startInChild({ E2E_POSTGRES_IMAGE: 'journeys/no-such-image:never-built' });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('journeys/no-such-image:never-built (E2E_POSTGRES_IMAGE)');
  expect(result.stderr).toContain('npm run containers:offline');
});
