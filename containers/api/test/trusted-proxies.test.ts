import { expect, test } from '@playwright/test';
import { ConfigError, loadConfig } from '../src/config.ts';

const required = { DATABASE_URL: 'postgres://owner@127.0.0.1/journeys', MQTT_URL: 'mqtt://127.0.0.1:1883' };
const trusted = (value: string | undefined) => loadConfig({ ...required, TRUST_PROXY: value }).trustedProxies;

test('TRUST_PROXY lists the proxies whose X-Forwarded-For hops are believed', () => {
  expect(trusted(undefined)).toEqual([]);
  expect(trusted('false')).toEqual([]);
  expect(trusted('10.0.0.5')).toEqual(['10.0.0.5']);
  expect(trusted(' 10.0.0.5, 10.1.0.0/16 ,fd00::/8,::1')).toEqual([
    '10.0.0.5',
    '10.1.0.0/16',
    'fd00::/8',
    '::1',
  ]);
});

test('TRUST_PROXY=true is refused at start-up with the fix', () => {
  expect(() => trusted('true')).toThrow(ConfigError);
  expect(() => trusted('true')).toThrow(
    "TRUST_PROXY=true would take any client's X-Forwarded-For at its word: list your proxies' addresses or CIDRs instead, e.g. TRUST_PROXY=10.0.0.5,10.1.0.0/16.",
  );
});

test('an entry that is no address or CIDR is named in the refusal', () => {
  expect(() => trusted('10.0.0.5,proxy.internal')).toThrow(
    'TRUST_PROXY: "proxy.internal" is not an IP address or CIDR: list your proxies\' addresses or CIDRs, comma-separated, e.g. TRUST_PROXY=10.0.0.5,10.1.0.0/16.',
  );
  for (const wrong of ['10.0.0.0/33', '10.0.0.0/8/8', '1', '::/129', '10.0.0.5,,10.0.0.6', 'loopback']) {
    expect(() => trusted(wrong), wrong).toThrow(ConfigError);
  }
});
