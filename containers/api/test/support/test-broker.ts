import { once } from 'node:events';
import net from 'node:net';
import { Aedes } from 'aedes';
import aedesPersistence from 'aedes-persistence';
import mqtt from 'mqtt';

/**
 * A real MQTT broker (aedes) on a free port, with persistence in memory so `clean: false`
 * sessions keep their subscriptions and queued QoS 1 messages while their client is away.
 */
export interface TestBroker {
  url: string;
  stop(): Promise<void>;
  /** A connected publisher; publishes resolve when the broker has acknowledged them (QoS 1). */
  publisher(): Promise<mqtt.MqttClient>;
}

// A CommonJS module whose typings declare an ES default export: at runtime the import is the factory.
const createMemoryPersistence = aedesPersistence as unknown as typeof aedesPersistence.default;

export async function startTestBroker(): Promise<TestBroker> {
  const broker = await Aedes.createBroker({ persistence: createMemoryPersistence() });
  const server = net.createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const url = `mqtt://127.0.0.1:${port}`;
  const clients: mqtt.MqttClient[] = [];
  return {
    url,
    async publisher() {
      const client = await mqtt.connectAsync(url, {
        clientId: `publisher-${clients.length}`,
        reconnectPeriod: 0,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
