import type { Logger } from '@neurolift/platform';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';

/** A message whose PUBACK the caller sends, by calling `ack()`, once it is durably stored. */
export interface AckableMessage {
  readonly topic: string;
  readonly payload: Buffer;
  ack(): void;
}

export interface MqttSubscriberOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly sessionExpirySeconds: number;
  readonly topicFilter: string;
  /** Unacknowledged messages held at once; past it, reading from the socket pauses. */
  readonly maxInFlight: number;
  readonly logger: Logger;
  onMessage(message: AckableMessage): void;
}

export interface MqttSubscriber {
  connected(): boolean;
  /** Stops intake; unacknowledged messages stay with the broker's session and come back on restart. */
  close(): Promise<void>;
}

type PubackSender = (packet: { cmd: 'puback'; messageId: number; reasonCode: number }) => void;

/**
 * Handed to MQTT.js instead of calling back plainly: MQTT.js then skips its own PUBACK and moves on to
 * the next packet (mqtt 5.16 `handlers/publish.ts`: `if (err) return done(err)`, and the read loop's
 * `done` ignores its argument). The PUBACK is sent later by `ack()`. Pinned mqtt version; the
 * integration tests fail if this stops holding (no message would ever be acknowledged).
 */
const DEFER_PUBACK = Object.freeze(new Error('PUBACK deferred until the message is stored'));

/**
 * Subscribes with QoS 1 on a persistent session (fixed client id, MQTT 5 clean start off and a session
 * expiry) and acknowledges each message only when the caller says it is stored. MQTT.js's
 * `handleMessage` serialises one message per callback, so acknowledging inside it would allow a
 * single message in flight; instead messages are released immediately and acknowledged later, in
 * arrival order. The broker is asked (MQTT 5 Receive Maximum) to keep fewer than `maxInFlight`
 * unacknowledged; should it send more, the callback is withheld, which stops MQTT.js reading the
 * socket: TCP backpressure reaches the broker, which queues for the session.
 */
export async function startMqttSubscriber(options: MqttSubscriberOptions): Promise<MqttSubscriber> {
  const { logger } = options;
  const client: MqttClient = mqtt.connect(options.url, {
    clientId: options.clientId,
    protocolVersion: 5,
    clean: false,
    properties: {
      sessionExpiryInterval: options.sessionExpirySeconds,
      // The broker sends at most this many unacknowledged QoS 1 messages. One below the bound:
      // Mosquitto 2.0 sends one message past Receive Maximum once acknowledgements flow (measured).
      receiveMaximum: Math.max(1, Math.min(65_535, options.maxInFlight - 1)),
    },
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // Acks are deferred, never the keepalive: keep it well above the slowest Redis round trip.
    keepalive: 30,
    resubscribe: true,
  });

  const sendPuback = (client as unknown as { _sendPacket?: PubackSender })._sendPacket?.bind(client);
  if (typeof sendPuback !== 'function') {
    throw new Error('mqtt client lacks _sendPacket; deferred PUBACK needs the pinned mqtt version');
  }

  let generation = 0;
  let inFlight = 0;
  let resume: (() => void) | undefined;

  client.on('connect', (connack) => {
    generation++;
    logger.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
    if (!connack.sessionPresent) {
      client.subscribe(options.topicFilter, { qos: 1 }, (error) => {
        if (error) logger.error({ err: error }, 'subscribe failed');
        else logger.info({ filter: options.topicFilter }, 'subscribed');
      });
    }
  });
  let closing = false;
  client.on('close', () => (closing ? logger.info('broker connection closed') : logger.warn('broker connection lost; reconnecting')));
  client.on('error', (error) => logger.error({ err: error }, 'broker error'));
  // MQTT 5: the broker says why it drops us, e.g. 0x8E session taken over (another ingest with this
  // client id) or 0x8B shutting down; without this line a takeover looks like a network fault.
  client.on('disconnect', (packet) =>
    logger.warn({ reasonCode: packet.reasonCode, reason: packet.properties?.reasonString }, 'broker sent DISCONNECT'));

  client.handleMessage = (packet: IPublishPacket, callback) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const messageId = packet.messageId;
    if (packet.qos === 0 || messageId === undefined) {
      // QoS 0 (a device published without QoS 1): nothing to acknowledge.
      options.onMessage({ topic: packet.topic, payload, ack: () => undefined });
      callback();
      return;
    }
    const received = generation;
    inFlight++;
    let acked = false;
    options.onMessage({
      topic: packet.topic,
      payload,
      ack: () => {
        if (acked) return;
        acked = true;
        inFlight--;
        // A PUBACK belongs to its connection; after a reconnect the broker redelivers instead. Nor once
        // close() has ended the connection: a commit that outlived intake's drain timeout acknowledges
        // into a closed stream (MQTT.js reports "write after end"); the session redelivers it.
        if (received === generation && client.connected && !closing) sendPuback({ cmd: 'puback', messageId, reasonCode: 0 });
        if (resume && inFlight <= options.maxInFlight) {
          const next = resume;
          resume = undefined;
          next();
        }
      },
    });
    // The broker honours Receive Maximum, so normally in-flight never passes the bound and the socket
    // keeps being read (a PINGRESP must not wait behind unacknowledged messages, or the keepalive
    // times out). Past the bound (a broker ignoring it), stop reading until acknowledgements catch up.
    const release = () => callback(DEFER_PUBACK);
    if (inFlight <= options.maxInFlight) release();
    else resume = release;
  };

  return {
    connected: () => client.connected,
    async close() {
      // No unsubscribe: the session keeps the subscription and queues messages while we are away.
      closing = true;
      await client.endAsync(false);
    },
  };
}
