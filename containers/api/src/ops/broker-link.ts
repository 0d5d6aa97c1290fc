import mqtt from 'mqtt';

/**
 * A standing connection to the broker that readiness reports on. It never blocks start-up:
 * the server listens at once and turns ready when the broker answers.
 */
export class BrokerLink {
  readonly #client: mqtt.MqttClient;

  constructor(url: string, clientId: string) {
    this.#client = mqtt.connect(url, {
      clientId,
      reconnectPeriod: 1_000,
      connectTimeout: 2_000,
      // Readiness must not stall the process if the broker is slow to accept.
      queueQoSZero: false,
    });
    // Errors surface through `connected`; without a listener they would crash the process.
    this.#client.on('error', () => {});
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}
