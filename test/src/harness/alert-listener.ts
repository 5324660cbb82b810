// A coach app: subscribes to every gym's alerts topic at QoS 1 on a persistent session (so alerts sent
// while the broker restarts are kept for it) and counts what arrives by alert id. A broker redelivery
// (DUP flag, after a reconnect) is told apart from a second publish by the pipeline.
import mqtt, { type MqttClient } from 'mqtt';

export interface ReceivedAlert {
  readonly id: string;
  readonly rule: string;
  readonly gymId: string | undefined;
  readonly stationId: string | undefined;
  readonly setId: string | undefined;
  /** Publishes of this id that were not broker redeliveries: more than one is a duplicate from the pipeline. */
  publishes: number;
  /** Copies the broker redelivered (DUP set) after a lost PUBACK. */
  redeliveries: number;
}

export interface AlertListener {
  /** Alerts received so far, by id. */
  alerts(): ReadonlyMap<string, ReceivedAlert>;
  close(): Promise<void>;
}

function parseAlert(payload: Buffer): { id: string; rule: string; gymId?: string; stationId?: string; setId?: string } | undefined {
  try {
    const value = JSON.parse(payload.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, rule, gymId, stationId, setId } = value as Record<string, unknown>;
    if (typeof id !== 'string' || typeof rule !== 'string') return undefined;
    return { id, rule, ...(typeof gymId === 'string' ? { gymId } : {}), ...(typeof stationId === 'string' ? { stationId } : {}), ...(typeof setId === 'string' ? { setId } : {}) };
  } catch {
    return undefined;
  }
}

export async function startAlertListener(url: string, clientId: string): Promise<AlertListener> {
  const seen = new Map<string, ReceivedAlert>();
  const client: MqttClient = await mqtt.connectAsync(url, {
    clientId,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 200,
  });
  client.on('message', (_topic, payload, packet) => {
    const alert = parseAlert(payload);
    if (!alert) return;
    const entry = seen.get(alert.id) ?? { id: alert.id, rule: alert.rule, gymId: alert.gymId, stationId: alert.stationId, setId: alert.setId, publishes: 0, redeliveries: 0 };
    if (packet.dup) entry.redeliveries++;
    else entry.publishes++;
    seen.set(alert.id, entry);
  });
  await client.subscribeAsync('gym/v1/+/alerts', { qos: 1 });
  return {
    alerts: () => seen,
    close: () => client.endAsync(),
  };
}
