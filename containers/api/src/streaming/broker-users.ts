import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { ApiError } from '../http/api-error.ts';
import { producerConfirmationFilter, producerPublishTopic } from './producer-credentials.ts';

/**
 * Where a broker learns who a producer is. A broker that asks the platform at every connection
 * (the embedded one, through the admin API) needs nothing more; Mosquitto keeps its own users, so
 * the platform provisions each credential into it when it is issued and removes it when revoked.
 */
export interface BrokerUsers {
  /** Lets the producer in with this password, publishing only to its tenant's session topics. */
  grant(producer: { username: string; password: string; tenantSlug: string }): Promise<void>;
  /** Refuses the producer from now on and drops its live connection. */
  revoke(username: string): Promise<void>;
  close(): Promise<void>;
}

/** The broker asks the platform at each connection (`POST /api/admin/broker/authenticate`). */
export const brokerAsksPlatform: BrokerUsers = {
  grant: async () => {},
  revoke: async () => {},
  close: async () => {},
};

const controlTopic = '$CONTROL/dynamic-security/v1';
const responseTopic = `${controlTopic}/response`;

interface Command {
  command: string;
  [field: string]: unknown;
}
interface CommandResponse {
  command: string;
  error?: string;
  correlationData?: string;
}

/**
 * A role per tenant: its producers publish to its session topics, and read nothing but the
 * platform's confirmations of those sessions' events.
 */
const tenantRole = (tenantSlug: string) => `tenant:${tenantSlug}`;

/**
 * Mosquitto's dynamic-security plugin, driven through its own API: JSON commands published on
 * `$CONTROL/dynamic-security/v1` by the platform's broker user (which the broker's configuration
 * makes the plugin's administrator), answered on `.../response`. Each producer becomes a client
 * bound to its user name as client id, in its tenant's role; the broker's default denies every
 * other publication and every subscription, so a producer can take neither the platform's client
 * id nor another tenant's topics. The plugin writes each change to its file before it answers,
 * so a provisioned producer survives a broker restart.
 */
export class DynamicSecurityUsers implements BrokerUsers {
  readonly #url: string;
  readonly #timeoutMs: number;
  #client: Promise<mqtt.MqttClient> | null = null;
  readonly #waiting = new Map<string, (response: CommandResponse) => void>();

  constructor(url: string, timeoutMs = 5_000) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  async grant(producer: { username: string; password: string; tenantSlug: string }): Promise<void> {
    const role = tenantRole(producer.tenantSlug);
    await this.#run(
      [
        {
          command: 'createRole',
          rolename: role,
          acls: [
            {
              acltype: 'publishClientSend',
              topic: producerPublishTopic(producer.tenantSlug),
              allow: true,
              priority: 0,
            },
            {
              acltype: 'subscribePattern',
              topic: producerConfirmationFilter(producer.tenantSlug),
              allow: true,
              priority: 0,
            },
          ],
        },
        {
          command: 'createClient',
          username: producer.username,
          password: producer.password,
          clientid: producer.username,
          roles: [{ rolename: role }],
        },
      ],
      // The tenant's first producer created its role; the others find it there.
      (response) => response.command === 'createRole' && response.error === 'Role already exists',
    );
  }

  async revoke(username: string): Promise<void> {
    // Deleting the client also disconnects it. Gone already (a broker that lost its file) is revoked.
    await this.#run(
      [{ command: 'deleteClient', username }],
      (response) => response.error === 'Client not found',
    );
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (client) await (await client.catch(() => null))?.endAsync(true);
  }

  /** Sends the commands together and resolves once the broker has answered every one. */
  async #run(commands: Command[], harmless: (response: CommandResponse) => boolean): Promise<void> {
    const client = await this.#connected().catch((error: Error) => {
      throw new ApiError(
        'service_unavailable',
        `The broker could not be reached (${error.message}), so nothing was changed: try again once it runs.`,
      );
    });
    const tagged = commands.map((command) => ({ ...command, correlationData: randomUUID() }));
    const answers = tagged.map(
      ({ correlationData }) =>
        new Promise<CommandResponse>((resolve) => this.#waiting.set(correlationData, resolve)),
    );
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ApiError(
              'service_unavailable',
              `The broker did not answer ${commands.map((c) => c.command).join(', ')} within ${this.#timeoutMs} ms, so nothing was changed: try again once the broker runs (with its dynamic-security plugin).`,
            ),
          ),
        this.#timeoutMs,
      );
    });
    try {
      await client.publishAsync(controlTopic, JSON.stringify({ commands: tagged }), { qos: 1 });
      const responses = await Promise.race([Promise.all(answers), overdue]);
      const failed = responses.filter((response) => response.error && !harmless(response));
      if (failed.length > 0) {
        throw new Error(
          `The broker refused ${failed.map((response) => `${response.command} (${response.error})`).join(', ')}.`,
        );
      }
    } finally {
      clearTimeout(timer);
      for (const { correlationData } of tagged) this.#waiting.delete(correlationData);
    }
  }

  /** One connection, opened on first use, so a platform that never issues a credential never connects. */
  #connected(): Promise<mqtt.MqttClient> {
    this.#client ??= (async () => {
      const client = await mqtt.connectAsync(this.#url, {
        clientId: `anomaly-platform-broker-users-${randomUUID().slice(0, 8)}`,
        clean: true,
        reconnectPeriod: 1_000,
        connectTimeout: this.#timeoutMs,
      });
      client.on('error', () => {});
      client.on('message', (_topic, payload) => {
        let body: { responses?: CommandResponse[] };
        try {
          body = JSON.parse(payload.toString('utf8'));
        } catch {
          return;
        }
        for (const response of body.responses ?? []) {
          if (response.correlationData) this.#waiting.get(response.correlationData)?.(response);
        }
      });
      await client.subscribeAsync(responseTopic, { qos: 1 });
      return client;
    })();
    // A failed connection is tried again at the next command rather than remembered.
    this.#client.catch(() => {
      this.#client = null;
    });
    return this.#client;
  }
}
