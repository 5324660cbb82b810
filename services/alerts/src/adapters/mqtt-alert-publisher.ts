import type { Logger } from '@neurolift/platform';
import mqtt, { type MqttClient } from 'mqtt';
import type { AlertPublisher } from '../ports.js';

export interface MqttAlertPublisherOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** A publish not acknowledged within this fails (the job is retried). */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Publishes alerts at QoS 1 on its own MQTT connection; each publish resolves on the PUBACK. */
export async function startMqttAlertPublisher(options: MqttAlertPublisherOptions): Promise<AlertPublisher & { connected(): boolean; close(): Promise<void> }> {
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
      const acked = client.publishAsync(topic, payload, { qos: 1 });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PUBACK for ${topic} within ${options.timeoutMs} ms`)), options.timeoutMs);
      });
      try {
        await Promise.race([acked, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    connected: () => client.connected,
    close: () => client.endAsync(),
  };
}
