import type mqtt from 'mqtt';

/** Sends the message's PUBACK; call it once the message is committed. */
export type Ack = () => void;

/** Given a received message, its acknowledgement, and `next` to go on reading. */
export type MessageTaker = (packet: mqtt.IPublishPacket, ack: Ack, next: () => void) => void;

/** The part of mqtt.js's client that writes a packet; it has no public way to send a PUBACK. */
interface PacketWriter {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, callback?: (error?: Error) => void): void;
}

/**
 * Passed to mqtt.js's message callback so that it goes on to the next packet without sending the
 * PUBACK itself (its handler for QoS 1 returns early on an error, and only the PUBACK is skipped).
 */
const acknowledgedLater = new Error('acknowledged once committed');

/**
 * Acknowledgements the subscriber holds: messages taken but not yet acknowledged because they are
 * not committed. Under a burst this is the backpressure an operator can see (the broker keeps
 * everything not acknowledged), so the metrics endpoint reports it and its high-water mark.
 */
export interface HeldAcks {
  /** Held now, on the current connection. */
  readonly held: number;
  /** The most held at once since the subscriber started. */
  readonly most: number;
}

/**
 * Lets a subscriber acknowledge each QoS 1 message only once it is safe (committed), while
 * reading on at full speed. mqtt.js sends the PUBACK when its `handleMessage` calls back and reads
 * the next packet only then, and `customHandleAcks` sits in the same chain: holding the callback
 * until a batch commits would take one message per commit. Here the two are split: `next` goes on
 * reading, `ack` sends the PUBACK later.
 *
 * A PUBACK due on a connection that has closed since is dropped: the broker sends the message
 * again on the new connection (a persistent session), and storing it again is a no-op; sent on
 * the new connection, the old packet id could acknowledge another message that is not yet stored.
 */
export function takeMessagesAckingLater(client: mqtt.MqttClient, take: MessageTaker): HeldAcks {
  let connection = 0;
  const counts = { held: 0, most: 0 };
  client.on('connect', () => {
    connection++;
    // Acknowledgements due on the old connection are dropped: the broker sends those messages again.
    counts.held = 0;
  });
  const writer = client as unknown as PacketWriter;
  client.handleMessage = (packet, callback) => {
    const next = () => callback(acknowledgedLater);
    const { messageId, qos } = packet;
    if (qos !== 1 || messageId === undefined) {
      take(
        packet,
        () => {},
        () => callback(),
      );
      return;
    }
    const receivedOn = connection;
    let acked = false;
    counts.held++;
    counts.most = Math.max(counts.most, counts.held);
    const ack = () => {
      if (acked || receivedOn !== connection || !client.connected) return;
      acked = true;
      counts.held--;
      writer._sendPacket({ cmd: 'puback', messageId });
    };
    take(packet, ack, next);
  };
  return {
    get held() {
      return counts.held;
    },
    get most() {
      return counts.most;
    },
  };
}
