// Backpressure: while Redis is frozen, ingest holds at most INGEST_MAX_IN_FLIGHT unacknowledged
// messages (the broker queues the rest); when Redis comes back, everything is stored.
import type { Pipeline } from '@neurolift/pipeline';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDevice, pipelineEnv, repPayload, startTestPipeline } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const MAX_IN_FLIGHT = 40;
const REPS = 400;

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;

beforeAll(async () => {
  servers = await startServers();
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { INGEST_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT), MQTT_CLIENT_ID: 'backpressure-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
});

afterAll(async () => {
  servers?.redis.resume();
  await device?.endAsync();
  await pipeline?.close();
  await servers?.stop();
});

async function inFlight(): Promise<number> {
  const metric = await pipeline.registry.getSingleMetric('neurolift_ingest_in_flight_messages')?.get();
  return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
}

it('bounds unacknowledged messages while Redis is frozen, then stores everything', async () => {
  const t0 = Date.now() - 60_000;
  servers.redis.pause();
  let peak = 0;
  const published = Array.from({ length: REPS }, (_, i) =>
    device.publishAsync(`gym/v1/gym-bp/bp-${i % 4}/rep`, repPayload({ ts: t0 + i, setId: 's1', repIndex: Math.floor(i / 4) + 1, meanVelocity: 0.6 }), { qos: 1 }),
  );
  // The broker acknowledges every publish (it queues for ingest's session) while ingest is stuck.
  await Promise.all(published);
  await waitFor(async () => ((peak = Math.max(peak, await inFlight())) >= MAX_IN_FLIGHT - 1 ? true : undefined), { what: 'ingest to fill its in-flight window' });
  // Watch for a second: the window must hold (the broker still has ~360 messages for ingest).
  const watchUntil = Date.now() + 1000;
  while (Date.now() < watchUntil) {
    peak = Math.max(peak, await inFlight());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Full window, never past the bound (ingest asks the broker for one less than the bound).
  expect(peak).toBeGreaterThanOrEqual(MAX_IN_FLIGHT - 1);
  expect(peak).toBeLessThanOrEqual(MAX_IN_FLIGHT);

  servers.redis.resume();
  const stored = await waitFor(
    async () => {
      const series = await exportSeries(servers.env.INFLUX_URL, 'rep_mean_velocity{gym="gym-bp"}');
      const count = series.reduce((sum, s) => sum + s.values.length, 0);
      return count >= REPS ? count : undefined;
    },
    { what: `all ${REPS} reps stored`, timeoutMs: 30_000, intervalMs: 250 },
  );
  expect(stored).toBe(REPS);
  expect(await inFlight()).toBe(0);
});
