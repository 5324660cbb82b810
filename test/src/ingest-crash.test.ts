// Ingest killed with SIGKILL mid-stream and restarted: every message the broker acknowledged to a
// device must end up stored once. Ingest runs as a real child process; the worker runs in-process.
import { createLogger, createRegistry, loadConfig } from '@neurolift/platform';
import { WorkerConfigSchema, startStimulusWorker, type StimulusWorker } from '@neurolift/stimulus-worker';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../infra/local-services.mjs';
import { connectDevice, pipelineEnv, repPayload, spawnNode, type RunningProcess } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const STATIONS = 10;
const REPS = 3000;

let servers: LocalServices;
let worker: StimulusWorker;
let device: MqttClient;
let ingest: RunningProcess | undefined;
let ingestEnv: Record<string, string>;
let healthUrl: string;

async function startIngest(): Promise<RunningProcess> {
  const child = spawnNode('services/ingest/dist/main.js', ingestEnv);
  await waitFor(async () => ((await fetch(`${healthUrl}/readyz`)).ok ? true : undefined), { what: 'ingest to be ready', timeoutMs: 20_000 });
  return child;
}

beforeAll(async () => {
  servers = await startServers();
  const port = await freePort();
  healthUrl = `http://127.0.0.1:${port}`;
  ingestEnv = pipelineEnv(servers.env, { METRICS_PORT: String(port), MQTT_CLIENT_ID: 'ingest-crash-test', SET_IDLE_TIMEOUT_MS: '60000' });
  const config = loadConfig('worker', WorkerConfigSchema, pipelineEnv(servers.env));
  worker = await startStimulusWorker(config, createLogger({ name: 'test', level: 'warn' }), { registry: createRegistry({ defaultMetrics: false }) });
  device = await connectDevice(servers.env.MQTT_URL);
  ingest = await startIngest();
});

afterAll(async () => {
  ingest?.child.kill('SIGKILL');
  await device?.endAsync();
  await worker?.close();
  await servers?.stop();
});

it('loses no acknowledged message when ingest is killed mid-stream', async () => {
  const t0 = Date.now() - 10 * 60_000;
  const killAt = Math.floor(REPS / 3);
  let acked = 0;
  let killed = false;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < REPS; i++) {
    const station = `crash-${i % STATIONS}`;
    const rep = { ts: t0 + i * 10, setId: `s-${Math.floor(i / STATIONS / 100)}`, repIndex: (Math.floor(i / STATIONS) % 100) + 1, meanVelocity: 0.5 + (i % 7) / 100 };
    const publish = device.publishAsync(`gym/v1/gym-crash/${station}/rep`, repPayload(rep), { qos: 1 }).then(() => {
      acked++;
    });
    inFlight.add(publish);
    void publish.finally(() => inFlight.delete(publish));
    if (inFlight.size >= 50) await Promise.race(inFlight);
    if (i === killAt) {
      // Mid-stream: ingest holds unacknowledged messages of this stream while it dies.
      ingest?.child.kill('SIGKILL');
      await ingest?.exit;
      killed = true;
      ingest = await startIngest();
    }
  }
  await Promise.all(inFlight);
  expect(killed).toBe(true);
  expect(acked).toBe(REPS);

  const stored = await waitFor(
    async () => {
      const series = await exportSeries(servers.env.INFLUX_URL, 'rep_mean_velocity{gym="gym-crash"}');
      const count = series.reduce((sum, s) => sum + s.values.length, 0);
      return count >= REPS ? series : undefined;
    },
    { what: `all ${REPS} reps in the TSDB`, timeoutMs: 30_000, intervalMs: 500 },
  );
  const timestamps = stored.flatMap((s) => s.timestamps).sort((a, b) => a - b);
  expect(timestamps).toEqual(Array.from({ length: REPS }, (_, i) => t0 + i * 10));
});
