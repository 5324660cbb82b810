// Load generator thread for the benchmarks: one or more MQTT.js connections, each publishing its own
// pre-built messages in order at QoS 1 with a bounded number awaiting their PUBACK; with `timeAcks`, it also
// keeps each message's publish → PUBACK time (bench-cluster). Protocol with the main thread:
//   worker → main {type:'ready'} once every connection is up; main → worker 'go'; worker → main {type:'done', ...}.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

/** One MQTT connection and what it publishes, in order. */
export interface PublisherConnection {
  readonly clientId: string;
  readonly topics: readonly string[];
  readonly payloads: readonly string[];
}

export interface PublisherData {
  readonly url: string;
  readonly connections: readonly PublisherConnection[];
  /** Messages published and not yet acknowledged (PUBACK) per connection, at most. */
  readonly maxInFlight: number;
  /** Also time each publish → PUBACK (`latenciesMs` of the 'done' report; empty without). */
  readonly timeAcks: boolean;
}

export type PublisherReport =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly acked: number; readonly failed: number; readonly firstError?: string; readonly latenciesMs: Float64Array }
  | { readonly type: 'error'; readonly message: string };

interface Outcome {
  acked: number;
  failed: number;
  firstError?: string;
  /** Each acknowledged message's publish → PUBACK, ms; undefined when not timed. */
  latenciesMs?: number[];
}

/** Publishes one connection's messages with at most `maxInFlight` unacknowledged, once `start` resolves. */
async function publishAll(client: mqtt.MqttClient, connection: PublisherConnection, maxInFlight: number, timeAcks: boolean, start: Promise<void>): Promise<Outcome> {
  const { topics, payloads } = connection;
  const total = topics.length;
  const outcome: Outcome = timeAcks ? { acked: 0, failed: 0, latenciesMs: [] } : { acked: 0, failed: 0 };
  await start;
  if (total === 0) return outcome;
  let next = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const onAck = (error: Error | undefined, sentAt: number) => {
      inFlight--;
      if (error) {
        outcome.failed++;
        outcome.firstError ??= error.message;
      } else {
        outcome.acked++;
        outcome.latenciesMs?.push(performance.now() - sentAt);
      }
      if (outcome.acked + outcome.failed === total) resolve();
      else pump();
    };
    const pump = () => {
      while (inFlight < maxInFlight && next < total) {
        const i = next++;
        inFlight++;
        const sentAt = timeAcks ? performance.now() : 0;
        client.publish(topics[i] as string, payloads[i] as string, { qos: 1 }, (error?: Error) => onAck(error, sentAt));
      }
    };
    pump();
  });
  return outcome;
}

async function run(data: PublisherData, port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (report: PublisherReport) => port.postMessage(report);
  const clients = await Promise.all(
    data.connections.map((c) => mqtt.connectAsync(data.url, { clientId: c.clientId, protocolVersion: 5, reconnectPeriod: 0, keepalive: 60 })),
  );
  for (const client of clients) client.on('error', (error) => post({ type: 'error', message: error.message }));
  const start = new Promise<void>((resolve) => port.once('message', () => resolve()));
  const outcomes = Promise.all(data.connections.map((c, i) => publishAll(clients[i] as mqtt.MqttClient, c, data.maxInFlight, data.timeAcks, start)));
  post({ type: 'ready' });
  const results = await outcomes;
  const firstError = results.find((r) => r.firstError !== undefined)?.firstError;
  post({
    type: 'done',
    acked: results.reduce((sum, r) => sum + r.acked, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    ...(firstError === undefined ? {} : { firstError }),
    latenciesMs: Float64Array.from(results.flatMap((r) => r.latenciesMs ?? [])),
  });
  await Promise.all(clients.map((client) => client.endAsync()));
}

if (parentPort) {
  const port = parentPort;
  run(workerData as PublisherData, port).catch((error: unknown) => {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies PublisherReport);
  });
}
