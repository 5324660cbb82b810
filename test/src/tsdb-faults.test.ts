// How the worker treats TSDB answers, through a fault-injecting proxy in front of the real TSDB:
// a refused write (4xx) is dead-lettered and not retried; 429 with Retry-After and 503 are retried
// until the write goes through, waiting as long as the TSDB asked.
import type { Pipeline } from '@neurolift/pipeline';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDevice, getJson, pipelineEnv, publishRep, startTestPipeline, type DeadLetterList } from './harness/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './harness/recording-proxy.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-faults';
let servers: LocalServices;
let tsdb: RecordingProxy;
let pipeline: Pipeline;
let device: MqttClient;

beforeAll(async () => {
  servers = await startServers();
  tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  // Ingest waits 200 ms to fill a micro-batch: reps published together go out as one rep job, one write.
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, MQTT_CLIENT_ID: 'faults-test', INGEST_BATCH_WAIT_MS: '200' }));
  device = await connectDevice(servers.env.MQTT_URL);
});

afterAll(async () => {
  tsdb?.inject(undefined);
  await device?.endAsync();
  await pipeline?.close();
  await tsdb?.close();
  await servers?.stop();
});

const stored = (station: string) =>
  waitFor(async () => ((await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{station="${station}"}`))[0] ? true : undefined), {
    what: `the rep of ${station} in the TSDB`,
    timeoutMs: 20_000,
  });

it('dead-letters a write the TSDB refuses (422) without retrying it', async () => {
  let refused = 0;
  tsdb.inject((body) => (body.includes('station=tsdb-refused') ? (refused++, { status: 422, body: '{"code":"unprocessable","message":"field type conflict"}' }) : undefined));
  await publishRep(device, GYM, 'tsdb-refused', { ts: Date.now() - 60_000, setId: 's1', repIndex: 1, meanVelocity: 0.5 });
  const letter = await waitFor(
    async () => (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=50`)).body.items.find((item) => item.reason === 'tsdb_rejected'),
    { what: 'a tsdb_rejected dead letter' },
  );
  expect(letter.topic).toMatch(/^queue\/reps\//);
  expect(letter.detail).toContain('422');
  expect(letter.payload).toContain('tsdb-refused');
  expect(refused).toBe(1);
  expect(await exportSeries(servers.env.INFLUX_URL, 'rep_mean_velocity{station="tsdb-refused"}')).toEqual([]);
  tsdb.inject(undefined);
});

it('a rep batch refused (422) for one station is written again set by set: the other station stored, only the refused set dead-lettered', async () => {
  const refusedBodies: string[] = [];
  tsdb.inject((body) => (body.includes('station=mixed-bad') ? (refusedBodies.push(body), { status: 422, body: '{"code":"unprocessable","message":"field type conflict"}' }) : undefined));
  const ts = Date.now() - 60_000;
  await Promise.all([
    publishRep(device, GYM, 'mixed-ok', { ts, setId: 's1', repIndex: 1, meanVelocity: 0.5 }),
    publishRep(device, GYM, 'mixed-bad', { ts, setId: 's1', repIndex: 1, meanVelocity: 0.5 }),
  ]);
  await stored('mixed-ok');
  const letter = await waitFor(
    async () => (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=50`)).body.items.find((item) => item.payload.includes('mixed-bad')),
    { what: 'the dead letter of the refused set' },
  );
  // The two reps went out in one write first (else this test shows nothing), then the refused set alone.
  expect(refusedBodies.filter((body) => body.includes('station=mixed-ok'))).toHaveLength(1);
  expect(refusedBodies.filter((body) => !body.includes('station=mixed-ok'))).toHaveLength(1);
  expect(letter.reason).toBe('tsdb_rejected');
  expect(letter.topic).toMatch(/^queue\/reps\//);
  expect(letter.payload).not.toContain('mixed-ok');
  expect(await exportSeries(servers.env.INFLUX_URL, 'rep_mean_velocity{station="mixed-bad"}')).toEqual([]);
  tsdb.inject(undefined);
});

it('retries after a 429 no sooner than its Retry-After, then stores the rep', async () => {
  const attempts: number[] = [];
  tsdb.inject((body) => {
    if (!body.includes('station=tsdb-busy')) return undefined;
    attempts.push(Date.now());
    return attempts.length <= 1 ? { status: 429, headers: { 'retry-after': '2' } } : undefined;
  });
  await publishRep(device, GYM, 'tsdb-busy', { ts: Date.now() - 60_000, setId: 's1', repIndex: 1, meanVelocity: 0.5 });
  await stored('tsdb-busy');
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(2000);
  tsdb.inject(undefined);
});

it('retries a 503 with backoff, then stores the rep', async () => {
  let failures = 0;
  tsdb.inject((body) => (body.includes('station=tsdb-down') && failures < 2 ? (failures++, { status: 503 }) : undefined));
  await publishRep(device, GYM, 'tsdb-down', { ts: Date.now() - 60_000, setId: 's1', repIndex: 1, meanVelocity: 0.5 });
  await stored('tsdb-down');
  expect(failures).toBe(2);
  const letters = (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=50`)).body.items;
  expect(letters.filter((item) => item.payload.includes('tsdb-down'))).toEqual([]);
  tsdb.inject(undefined);
});
