// Load generator thread for bench-reps: one MQTT.js connection publishing pre-built messages at QoS 1
// with a bounded number awaiting their PUBACK. Protocol with the main thread:
//   worker → main {type:'ready'} once connected; main → worker 'go'; worker → main {type:'done', ...}.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

export interface PublisherData {
  readonly url: string;
  readonly clientId: string;
  readonly topics: readonly string[];
  readonly payloads: readonly string[];
  /** Messages published and not yet acknowledged (PUBACK), at most. */
  readonly maxInFlight: number;
}

export type PublisherReport =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly acked: number; readonly failed: number; readonly firstError?: string }
  | { readonly type: 'error'; readonly message: string };

async function run(data: PublisherData, port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (report: PublisherReport) => port.postMessage(report);
  const { topics, payloads, maxInFlight } = data;
  const total = topics.length;
  const client = await mqtt.connectAsync(data.url, { clientId: data.clientId, protocolVersion: 5, reconnectPeriod: 0, keepalive: 60 });
  client.on('error', (error) => post({ type: 'error', message: error.message }));

  let next = 0;
  let inFlight = 0;
  let acked = 0;
  let failed = 0;
  let firstError: string | undefined;
  const finished = new Promise<void>((resolve) => {
    const onAck = (error?: Error) => {
      inFlight--;
      if (error) {
        failed++;
        firstError ??= error.message;
      } else {
        acked++;
      }
      if (acked + failed === total) resolve();
      else pump();
    };
    const pump = () => {
      while (inFlight < maxInFlight && next < total) {
        const i = next++;
        inFlight++;
        client.publish(topics[i] as string, payloads[i] as string, { qos: 1 }, onAck);
      }
    };
    port.once('message', () => (total === 0 ? resolve() : pump()));
  });

  post({ type: 'ready' });
  await finished;
  post({ type: 'done', acked, failed, ...(firstError === undefined ? {} : { firstError }) });
  await client.endAsync();
}

if (parentPort) {
  const port = parentPort;
  run(workerData as PublisherData, port).catch((error: unknown) => {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies PublisherReport);
  });
}
