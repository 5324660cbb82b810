import type { Logger } from '@neurolift/platform';
import mqtt, { type MqttClient } from 'mqtt';
import type { AlertPublisher } from '../ports.js';

export interface MqttAlertPublisherOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly logger: Logger;
}

/**
 * Publishes alerts at QoS 1 on its own MQTT connection; each publish resolves on the PUBACK. While
 * the broker is away a publish fails at once (the delivery job retries later) rather than queueing in
 * the client: a queued copy would go out on reconnect besides the retry's, and the coach would get
 * the alert twice. A publish already handed to the connection is waited for, however long: the client
 * resends it (same packet id) after a reconnect, so it is delivered once.
 */
export type MqttAlertPublisher = AlertPublisher & { connected(): boolean; close(): Promise<void> };

export async function startMqttAlertPublisher(options: MqttAlertPublisherOptions): Promise<MqttAlertPublisher> {
  const client: MqttClient = await mqtt.connectAsync(options.url, {
    clientId: options.clientId,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  });
  client.on('error', (error) => options.logger.warn({ err: error }, 'mqtt error'));
  return {
    async publish(topic, payload) {
      if (!client.connected) throw new Error(`broker not connected; ${topic} not published`);
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    connected: () => client.connected,
    close: () => client.endAsync(),
  };
}
