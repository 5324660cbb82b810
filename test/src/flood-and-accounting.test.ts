// A flooding station on real servers: ingest's per-station token bucket dead-letters its excess as
// `rate_limited` (kept, acknowledged) while a calm station beside it loses nothing; ingest's counters
// account for every message: received = stored + dead-lettered + in flight, per channel.
import type { Pipeline } from '@neurolift/pipeline';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDevice, getJson, pipelineEnv, publishRep, startTestPipeline, type DeadLetterList } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-flood';
const RATE = 5;
const BURST = 10;
const FLOOD = 200;

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;

beforeAll(async () => {
  servers = await startServers();
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { INGEST_STATION_RATE_PER_S: String(RATE), INGEST_STATION_BURST: String(BURST), MQTT_CLIENT_ID: 'flood-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
});

afterAll(async () => {
  await device?.endAsync();
  await pipeline?.close();
  await servers?.stop();
});

/** Sum of a counter's or gauge's samples whose labels include `labels`. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = await pipeline.registry.getSingleMetric(name)?.get();
  return (found?.values ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

it('dead-letters a flooding station’s excess as rate_limited and keeps a calm station whole', async () => {
  const t0 = Date.now() - 60_000;
  const started = Date.now();
  const flood = Array.from({ length: FLOOD }, (_, i) => publishRep(device, GYM, 'st-flood', { ts: t0 + i * 10, setId: 'f-1', repIndex: i + 1, meanVelocity: 0.5 }));
  const calm = Array.from({ length: 5 }, (_, i) => publishRep(device, GYM, 'st-calm', { ts: t0 + i * 3000, setId: 'c-1', repIndex: i + 1, meanVelocity: 0.6 }));
  await Promise.all([...flood, ...calm]);
  const elapsedS = (Date.now() - started) / 1000;

  const calmReps = await waitFor(async () => {
    const series = (await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{station="st-calm"}`))[0];
    return series && series.values.length === 5 ? series : undefined;
  }, { what: 'the calm station’s reps' });
  expect(calmReps.values).toHaveLength(5);

  // Quiet: everything received is stored or dead-lettered, per channel.
  await waitFor(async () => ((await metric('neurolift_ingest_in_flight_messages')) === 0 ? true : undefined), { what: 'ingest to be quiet' });
  const received = await metric('neurolift_ingest_messages_received_total', { channel: 'rep' });
  const stored = await metric('neurolift_ingest_messages_stored_total', { channel: 'rep' });
  const limited = await metric('neurolift_ingest_dead_letters_total', { channel: 'rep', reason: 'rate_limited' });
  const deadLettered = await metric('neurolift_ingest_dead_letters_total', { channel: 'rep' });
  expect(received).toBe(FLOOD + 5);
  expect(stored + deadLettered).toBe(received);
  expect(limited).toBe(deadLettered);
  // The flood got its burst and its rate, no more.
  expect(stored - 5).toBeGreaterThanOrEqual(BURST);
  expect(stored - 5).toBeLessThanOrEqual(BURST + Math.ceil(RATE * elapsedS) + 1);

  const letters = await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`);
  expect(letters.body.byReason['rate_limited']).toBe(limited);
  expect(letters.body.items.filter((item) => item.reason === 'rate_limited').every((item) => item.topic === `gym/v1/${GYM}/st-flood/rep`)).toBe(true);
  const floodPoints = (await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{station="st-flood"}`))[0]?.values.length ?? 0;
  expect(floodPoints).toBe(stored - 5);
});

it('the worker and alerts services account for every job: received = completed + dead-lettered + in flight, per queue', async () => {
  // Close the sets so set jobs and alert checks run too, then wait for every queue to settle.
  for (const station of ['st-flood', 'st-calm']) {
    const end = { v: 1, event: 'end', ts: Date.now() - 1000, setId: station === 'st-flood' ? 'f-1' : 'c-1', athleteId: 'ath-1', exercise: 'back_squat' };
    await device.publishAsync(`gym/v1/${GYM}/${station}/set`, JSON.stringify(end), { qos: 1 });
  }
  for (const service of ['neurolift_worker', 'neurolift_alerts']) {
    await waitFor(async () => ((await metric(`${service}_jobs_in_flight`)) === 0 && (await metric(`${service}_jobs_received_total`)) > 0 ? true : undefined), {
      what: `${service} to be quiet`,
      timeoutMs: 20_000,
    });
    const found = await pipeline.registry.getSingleMetric(`${service}_jobs_received_total`)?.get();
    const queues = (found?.values ?? []).map((sample) => String(sample.labels['queue']));
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) {
      const received = await metric(`${service}_jobs_received_total`, { queue });
      const completed = await metric(`${service}_jobs_total`, { queue, outcome: 'completed' });
      const deadLettered = await metric(`${service}_jobs_total`, { queue, outcome: 'dead_lettered' });
      expect({ queue, received }).toEqual({ queue, received: completed + deadLettered });
    }
  }
});
