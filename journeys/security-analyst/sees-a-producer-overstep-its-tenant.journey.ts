import mqtt, { ErrorWithSubackPacket } from 'mqtt';
import { expect, needs, test } from '../../fixtures/index.ts';
import { Persona } from '../../fixtures/personas/persona.ts';
import { ProductionDeployer } from '../../fixtures/personas/production-deployer.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

/** The platform's stream worker's client id (the platform's default): its persistent session. */
const PLATFORM_CLIENT_ID = 'anomaly-platform-stream-worker';
/** MQTT 3.1.1: CONNACK 5 "not authorized"; SUBACK 0x80 "failure". */
const NOT_AUTHORIZED = 5;
const SUBSCRIPTION_REFUSED = 128;
const B_EVENTS = 40;
/**
 * MQTT 3.1.1 has no refusal for a PUBLISH, and each broker does one of the two things it allows:
 * aedes (embedded) closes the connection; Mosquitto 2.0 (containers) acknowledges the message and
 * drops it, so nothing reaches the session either way.
 */
const REFUSED_PUBLICATION = { embedded: 'closed', containers: 'acknowledged' } as const;
/**
 * The refused attempts aimed at B that reach B's audit log, newest first: aedes reports every
 * refusal itself; Mosquitto 2.0 logs only the refused publication (its debug line), not a refused
 * subscription, so the stack has nothing else to report.
 */
const AUDITED_ATTEMPTS = {
  embedded: ['publish', 'subscribe'],
  containers: ['publish'],
} as const satisfies Record<'embedded' | 'containers', readonly ('publish' | 'subscribe')[]>;

/** The broker without any user of the stack's: where a producer's sensors connect. */
const brokerOf = (mqttUrl: string) => {
  const url = new URL(mqttUrl);
  url.username = '';
  url.password = '';
  return url.toString();
};

/** The broker's CONNACK for a connection: 'connected', or the return code of its refusal. */
const connackOf = (url: string, options: mqtt.IClientOptions) =>
  mqtt.connectAsync(url, options).then(
    async (client) => {
      await client.endAsync(true);
      return 'connected';
    },
    (error: { code?: number }) => error.code,
  );

test('sees a producer overstep its tenant, and the other line untouched', {
  tag: ['@e2e', '@security-analyst', '@security'],
  annotation: needs('brokerRights'),
}, async ({ stack, deployer, securityAnalyst, secondTenant, streamingSession, producer, data }) => {
  // Each broker answers some attempts its own way (below); an external stack offers no brokerRights.
  const { mode } = stack;
  if (mode === 'external')
    throw new Error('brokerRights is offered by the embedded and containers stacks only');
  const readings = data.sensorReadings({ rows: 200, features: 3, anomalyRate: 0.05 });
  const other = {
    scientist: new Persona(await secondTenant.addMember('data_scientist')),
    deployer: new ProductionDeployer(await secondTenant.addMember('ml_engineer')),
    analyst: new SecurityAnalyst(await secondTenant.addMember('security_analyst')),
  };
  const theirs = await test.step("set up: tenant B's model scores a line in production", () =>
    streamingSession({ readings, modelName: 'kiln-detector', by: other }));
  const credential = await deployer.issueProducerCredentialThroughApi('press line sensors');
  const broker = brokerOf(stack.mqttUrl);
  const as = (clientId: string) => ({
    clientId,
    username: credential.username,
    password: credential.password,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });

  await test.step("tenant A's producer is refused the platform's client id", async () => {
    const refused = await connackOf(broker, as(PLATFORM_CLIENT_ID));
    expect(refused, 'CONNACK return code').toBe(NOT_AUTHORIZED);
  });

  const theirConfirmations = theirs.session.topic.replace(/\/events$/, '/confirmed');
  const client = await mqtt.connectAsync(broker, as(credential.username));
  try {
    await test.step("tenant A's producer may read neither every tenant's readings nor B's confirmations", async () => {
      // mqtt.js rejects a SUBACK with a failure code; the packet on its error carries the codes.
      const granted = await client.subscribeAsync(['tenants/#', theirConfirmations], { qos: 1 }).then(
        (grants) => grants.map((grant) => grant.qos),
        (error: unknown) => {
          if (error instanceof ErrorWithSubackPacket) return error.packet.granted;
          throw error;
        },
      );
      expect(granted, 'SUBACK return codes').toEqual([SUBSCRIPTION_REFUSED, SUBSCRIPTION_REFUSED]);
    });
    await test.step("tenant A's producer may not publish into B's session", async () => {
      const closed = new Promise<'closed'>((resolve) => client.once('close', () => resolve('closed')));
      const event = data.eventStream({ count: 2, anomalyRate: 0, features: readings.features }).events[0];
      const outcome = await Promise.race([
        client
          .publishAsync(theirs.session.topic, JSON.stringify(event), { qos: 1 })
          .then(() => 'acknowledged'),
        closed,
      ]);
      expect(outcome, "the broker's answer to a publication into another tenant's session").toBe(
        REFUSED_PUBLICATION[mode],
      );
    });
  } finally {
    await client.endAsync(true);
  }

  await test.step("B's stream is untouched and fully scored", async () => {
    const stream = data.eventStream({ count: B_EVENTS, anomalyRate: 0.1, features: readings.features });
    await producer.publish({ topic: theirs.session.topic, events: stream.events });
    const scored = await untilScored(other.deployer.api, theirs.session, B_EVENTS);
    expect(scored.received).toBe(B_EVENTS);
  });

  await test.step("B's security analyst sees the attempt on B's line", async () => {
    // Mosquitto says what it refused in its log, which reaches the platform a moment later.
    const refusals = async () =>
      (await other.analyst.auditEntries({ action: 'broker.refused' })).map((entry) => ({
        actor: entry.actorEmail,
        outcome: entry.outcome,
        details: entry.details,
      }));
    const refused = (attempt: 'publish' | 'subscribe', topic: string) => ({
      actor: credential.username,
      outcome: 'denied',
      details: { attempt, clientId: credential.username, producerTenant: deployer.tenant.slug, topic },
    });
    await expect
      .poll(refusals, { message: "the refused attempts in B's audit log", timeout: 5_000 })
      .toEqual(
        AUDITED_ATTEMPTS[mode].map((attempt) =>
          refused(attempt, attempt === 'publish' ? theirs.session.topic : theirConfirmations),
        ),
      );
  });

  await test.step("tenant A's deployer revokes the credential, and the broker refuses it from then on", async () => {
    await deployer.revokeProducerCredentialThroughApi(credential.id);
    expect(await connackOf(broker, as(credential.username)), 'CONNACK return code').toBe(NOT_AUTHORIZED);
    const lifecycle = await securityAnalyst.auditEntries({ actor: deployer.user.email });
    expect(
      lifecycle
        .filter((entry) => entry.action.startsWith('producer_credential.'))
        .map((entry) => [entry.action, entry.targetId])
        .toSorted(),
    ).toEqual([
      ['producer_credential.issue', credential.id],
      ['producer_credential.revoke', credential.id],
    ]);
  });
});
