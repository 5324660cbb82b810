// Load generator thread of bench-cluster: like publisher.ts (MQTT.js connections, each publishing its
// pre-built messages in order at QoS 1 with at most `maxInFlight` awaiting their PUBACK), and it also keeps
// each message's publish → PUBACK time. Protocol with the main thread:
//   worker → main {type:'ready'}; main → worker 'go'; worker → main {type:'done', ..., latenciesMs}.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import type { PublisherConnection } from './publisher.js';

export interface LatencyPublisherData {
  readonly url: string;
  readonly connections: readonly PublisherConnection[];
  readonly maxInFlight: number;
}

export type LatencyPublisherReport =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly acked: number; readonly failed: number; readonly firstError?: string; readonly latenciesMs: Float64Array }
  | { readonly type: 'error'; readonly message: string };

interface Outcome {
  acked: number;
  failed: number;
  firstError?: string;
  latenciesMs: number[];
}

async function publishAll(client: mqtt.MqttClient, connection: PublisherConnection, maxInFlight: number, start: Promise<void>): Promise<Outcome> {
  const { topics, payloads } = connection;
  const total = topics.length;
  const outcome: Outcome = { acked: 0, failed: 0, latenciesMs: [] };
  await start;
  if (total === 0) return outcome;
  let next = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (inFlight < maxInFlight && next < total) {
        const i = next++;
        inFlight++;
        const sentAt = performance.now();
        client.publish(topics[i] as string, payloads[i] as string, { qos: 1 }, (error?: Error) => {
          inFlight--;
          if (error) {
            outcome.failed++;
            outcome.firstError ??= error.message;
          } else {
            outcome.acked++;
            outcome.latenciesMs.push(performance.now() - sentAt);
          }
          if (outcome.acked + outcome.failed === total) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  return outcome;
}

async function run(data: LatencyPublisherData, port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (report: LatencyPublisherReport) => port.postMessage(report);
  const clients = await Promise.all(
    data.connections.map((c) => mqtt.connectAsync(data.url, { clientId: c.clientId, protocolVersion: 5, reconnectPeriod: 0, keepalive: 60 })),
  );
  for (const client of clients) client.on('error', (error) => post({ type: 'error', message: error.message }));
  const start = new Promise<void>((resolve) => port.once('message', () => resolve()));
  const outcomes = Promise.all(data.connections.map((c, i) => publishAll(clients[i] as mqtt.MqttClient, c, data.maxInFlight, start)));
  post({ type: 'ready' });
  const results = await outcomes;
  const firstError = results.find((r) => r.firstError !== undefined)?.firstError;
  post({
    type: 'done',
    acked: results.reduce((sum, r) => sum + r.acked, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    ...(firstError === undefined ? {} : { firstError }),
    latenciesMs: Float64Array.from(results.flatMap((r) => r.latenciesMs)),
  });
  await Promise.all(clients.map((client) => client.endAsync()));
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LatencyPublisherData, port).catch((error: unknown) => {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies LatencyPublisherReport);
  });
}
