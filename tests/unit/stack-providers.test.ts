import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { readSettings } from '../../fixtures/settings.ts';
import { connectExternalStack as connect, managedStackNeeded } from '../../fixtures/stack/external.ts';
import { selectedStackMode, startStack } from '../../fixtures/stack/index.ts';
import { stackOptionsOf } from '../../fixtures/stack/options.ts';

/** The external stack as a run gets it: the E2E_* variables, validated, become its option. */
const connectExternalStack = (env: NodeJS.ProcessEnv) =>
  connect(stackOptionsOf(readSettings({ ...env, E2E_STACK: 'external' })).externalStack);

const complete = {
  E2E_BASE_URL: 'https://staging.example.test/',
  E2E_MQTT_URL: 'mqtts://broker.example.test:8883',
  E2E_BOOTSTRAP_TOKEN: 'token-123',
};

test.describe('the external stack', () => {
  test('takes its URLs from the environment', () => {
    const stack = connectExternalStack({
      ...complete,
      E2E_DATABASE_URL: 'postgres://reader@db.example.test/journeys',
    });
    expect(stack).toMatchObject({
      mode: 'external',
      apiUrl: 'https://staging.example.test',
      mqttUrl: 'mqtts://broker.example.test:8883',
      databaseUrl: 'postgres://reader@db.example.test/journeys',
      bootstrapToken: 'token-123',
    });
    expect(stack.controlUrl).toBeUndefined();
  });

  test('leaves the database out when E2E_DATABASE_URL is not set', () => {
    expect(connectExternalStack(complete).databaseUrl).toBeUndefined();
  });

  for (const name of ['E2E_BASE_URL', 'E2E_MQTT_URL', 'E2E_BOOTSTRAP_TOKEN'] as const) {
    test(`names ${name} in one sentence when it is missing`, () => {
      const env: NodeJS.ProcessEnv = { ...complete };
      delete env[name];
      expect(() => connectExternalStack(env)).toThrow(
        new RegExp(`^Setting E2E_STACK="external" needs ${name} too: set ${name} to [^\\n]+\\.$`),
      );
    });
  }

  test('refuses a URL with the wrong scheme, naming the variable', () => {
    expect(() => connectExternalStack({ ...complete, E2E_MQTT_URL: 'http://broker.example.test' })).toThrow(
      /^Setting E2E_MQTT_URL="http:\/\/broker.example.test" is not a broker \(mqtt:, mqtts:, ws:, wss:\) URL: /,
    );
    expect(() => connectExternalStack({ ...complete, E2E_BASE_URL: 'staging' })).toThrow(
      /^Setting E2E_BASE_URL="staging" is not a URL: set it to the platform URL/,
    );
  });

  test('refuses fault injection', async () => {
    await expect(connectExternalStack(complete).restart('api')).rejects.toThrow(managedStackNeeded);
    expect(managedStackNeeded).toBe(
      'fault injection needs a managed stack (E2E_STACK=embedded or containers)',
    );
  });
});

test.describe('stack selection', () => {
  test('defaults to embedded', () => {
    expect(selectedStackMode({})).toBe('embedded');
    expect(selectedStackMode({ E2E_STACK: '' })).toBe('embedded');
    expect(selectedStackMode({ E2E_STACK: 'containers' })).toBe('containers');
  });

  test('lists the valid modes for an unknown one', () => {
    expect(() => selectedStackMode({ E2E_STACK: 'docker' })).toThrow(
      'Setting E2E_STACK="docker" is not a stack mode: set it to embedded, containers or external (for example E2E_STACK=containers), or unset it for embedded.',
    );
  });

  test('connects to an external platform and publishes what it offers', async () => {
    let testClock = true;
    const platform = http.createServer((request, response) => {
      const authorised = request.headers.authorization === 'Bearer token-123';
      response.writeHead(authorised && request.url === '/api/admin/capabilities' ? 200 : 401, {
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ testClock, uploadMaxBytes: 5 * 1024 * 1024 }));
    });
    platform.listen(0, '127.0.0.1');
    await once(platform, 'listening');
    const apiUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
    const external = { apiUrl, mqttUrl: 'mqtt://127.0.0.1:1', bootstrapToken: 'token-123' };
    try {
      const withDatabase = await startStack('external', {
        external: { ...external, databaseUrl: 'postgres://reader@127.0.0.1/journeys' },
      });
      expect(withDatabase).toMatchObject({
        mode: 'external',
        capabilities: ['database', 'clock'],
        uploadMaxBytes: 5 * 1024 * 1024,
      });
      testClock = false;
      expect((await startStack('external', { external })).capabilities).toEqual([]);
      await expect(
        startStack('external', { external: { ...external, bootstrapToken: 'wrong' } }),
      ).rejects.toThrow(
        `The platform at ${apiUrl} refused the bootstrap token: set the token it was started with.`,
      );
    } finally {
      platform.close();
    }
  });
});
