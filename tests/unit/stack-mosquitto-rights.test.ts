import { pbkdf2Sync } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { deniedPublicationIn, dynamicSecuritySeed } from '../../fixtures/stack/mosquitto-rights.ts';

test.describe("Mosquitto's rights in the containers stack", () => {
  test('the seed keeps the platform user as the plugin keeps passwords, and denies everyone else', () => {
    const seed = JSON.parse(dynamicSecuritySeed({ user: 'journeys', password: 'pw' }));
    const [client] = seed.clients;
    // The plugin's own hashing, checked against a file `mosquitto_ctrl dynsec init` wrote.
    const known = pbkdf2Sync('adminpw', Buffer.from('pdjjQFG6d7nhGmhS', 'base64'), 101, 64, 'sha512');
    expect(known.toString('base64')).toBe(
      'qguQU/kxa2akXCakmPIV1onAdczR+TU6IAlaF5hz9fpmHVBK2IX9BSYchopWLM4/KC7GszSkWZ3cuv0TIeiG3A==',
    );
    expect(client.password).toBe(
      pbkdf2Sync('pw', Buffer.from(client.salt, 'base64'), 101, 64, 'sha512').toString('base64'),
    );
    expect(JSON.stringify(seed)).not.toContain('"pw"');
    expect(seed.defaultACLAccess).toEqual({
      publishClientSend: false,
      publishClientReceive: true,
      subscribe: false,
      unsubscribe: true,
    });
  });

  test('a refused publication is read from its log line, and nothing else is', () => {
    expect(
      deniedPublicationIn(
        "1796228741: Denied PUBLISH from tenant:acme:0b7c (d0, q1, r0, m47075, 'tenants/other/sessions/1/events', ... (1 bytes))",
      ),
    ).toEqual({ clientId: 'tenant:acme:0b7c', topic: 'tenants/other/sessions/1/events' });
    expect(
      deniedPublicationIn(
        "1796228741: Received PUBLISH from tenant:acme:0b7c (d0, q1, r0, m47076, 'tenants/acme/sessions/1/events', ... (1 bytes))",
      ),
    ).toBeNull();
  });
});
