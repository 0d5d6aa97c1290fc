import { expect, test } from '@playwright/test';
import { connectExternalStack, managedStackNeeded } from '../../fixtures/stack/external.ts';
import { selectedStackMode, startStack } from '../../fixtures/stack/index.ts';

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

  test('starts the external provider by name', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, complete);
    try {
      expect((await startStack('external')).mode).toBe('external');
    } finally {
      for (const name of Object.keys(complete)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});
