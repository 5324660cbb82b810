// What the broker answered, as MQTT 5 reason codes: the CONNACK of a connection attempt and the PUBACK
// of a QoS 1 publish. MQTT.js reports only failures (>= 0x80) as errors and hides success codes such as
// 0x10 "no matching subscribers", so PUBACKs are read off the wire ('packetreceive').
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** MQTT 5 reason codes the tests assert (MQTT 5.0 §2.4). */
export const REASON = {
  success: 0x00,
  noMatchingSubscribers: 0x10,
  notAuthorized: 0x87,
  /** MQTT 3.1.1 CONNACK return code 5. */
  v311NotAuthorized: 5,
} as const;

function reasonCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') return error.code;
  return undefined;
}

/**
 * Connects once (no reconnect) and returns the CONNACK reason code: 0 when accepted (the client is
 * then closed), else the broker's refusal (MQTT 5: 0x87 not authorized, 0x86 bad user name or password).
 */
export async function connackCode(url: string, options: IClientOptions): Promise<number> {
  let client: MqttClient | undefined;
  try {
    client = await mqtt.connectAsync(url, { protocolVersion: 5, connectTimeout: 5000, ...options, reconnectPeriod: 0 });
    return REASON.success;
  } catch (error) {
    const code = reasonCodeOf(error);
    if (code === undefined) throw error;
    return code;
  } finally {
    await client?.endAsync(true);
  }
}

export interface AckingPublisher {
  /** Publishes at QoS 1 and resolves with the PUBACK's reason code (MQTT 3.1.1 PUBACKs carry none: 0). */
  publish(topic: string, payload: string | Buffer, options?: { retain?: boolean }): Promise<number>;
}

/** Wraps a connected client so that each QoS 1 publish resolves with its PUBACK reason code. */
export function ackingPublisher(client: MqttClient): AckingPublisher {
  const pubacks = new Map<number, number>();
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined) pubacks.set(packet.messageId, packet.reasonCode ?? 0);
  });
  return {
    async publish(topic, payload, options = {}) {
      try {
        const sent = await client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
        const messageId = sent?.messageId;
        if (messageId === undefined) throw new Error(`no message id for the QoS 1 publish on ${topic}`);
        const code = pubacks.get(messageId);
        pubacks.delete(messageId);
        return code ?? REASON.success;
      } catch (error) {
        const code = reasonCodeOf(error);
        if (code === undefined) throw error;
        return code;
      }
    },
  };
}
