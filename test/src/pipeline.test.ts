// The pipeline end to end on real servers: devices publish over MQTT, points are read back from the
// TSDB (VictoriaMetrics' export), dead letters through the api. Each test uses its own stations.
import { QUEUES, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { Queue } from 'bullmq';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_TOKEN,
  connectDevice,
  getJson,
  pipelineEnv,
  publishRep,
  startTestPipeline,
  type DeadLetterList,
} from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices, type Series } from './harness/servers.js';

const GYM = 'gym-e2e';
const IDLE_MS = 1500;

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let setsQueue: Queue;

beforeAll(async () => {
  servers = await startServers();
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { SET_IDLE_TIMEOUT_MS: String(IDLE_MS) }));
  device = await connectDevice(servers.env.MQTT_URL);
  setsQueue = new Queue(QUEUES.sets, { connection: { url: servers.env.REDIS_URL }, prefix: '{nl}' });
});

afterAll(async () => {
  await device?.endAsync();
  await setsQueue?.close();
  await pipeline?.close();
  await servers?.stop();
});

const at = (base: number, seconds: number) => base + seconds * 1000;

/** Samples of `<measurement>_<field>` for one station, or undefined while fewer than `count` exist. */
async function samples(measurement: string, field: string, station: string, count: number): Promise<Series | undefined> {
  const series = await exportSeries(servers.env.INFLUX_URL, `${measurement}_${field}{station="${station}"}`);
  const first = series[0];
  return first && first.values.length >= count ? first : undefined;
}

async function setJob(station: string, setId: string) {
  const job = await setsQueue.getJob(setJobId(GYM, station, setId, 0));
  return job?.finishedOn ? job : undefined;
}

describe('reps and sets', () => {
  it('stores every rep and, when the set ends, the set with its metrics', async () => {
    const station = 'st-basic';
    const t0 = Date.now() - 60_000;
    const velocities = [0.8, 0.82, 0.78, 0.7, 0.6];
    await device.publishAsync(
      `gym/v1/${GYM}/${station}/set`,
      JSON.stringify({ v: 1, event: 'start', ts: t0, setId: 's-1', athleteId: 'ath-1', exercise: 'back_squat', loadKg: 100 }),
      { qos: 1 },
    );
    for (const [i, meanVelocity] of velocities.entries()) {
      await publishRep(device, GYM, station, { ts: at(t0, 3 * (i + 1)), setId: 's-1', repIndex: i + 1, meanVelocity, concentricMs: 700, eccentricMs: 1300 });
    }
    await device.publishAsync(
      `gym/v1/${GYM}/${station}/set`,
      JSON.stringify({ v: 1, event: 'end', ts: at(t0, 20), setId: 's-1', athleteId: 'ath-1', exercise: 'back_squat' }),
      { qos: 1 },
    );

    const reps = await waitFor(() => samples('rep', 'mean_velocity', station, 5), { what: 'five rep points' });
    expect(reps.values).toEqual(velocities);
    expect(reps.timestamps).toEqual(velocities.map((_, i) => at(t0, 3 * (i + 1))));
    expect(reps.metric).toMatchObject({ gym: GYM, station, athlete: 'ath-1', exercise: 'back_squat' });

    const loss = await waitFor(() => samples('set', 'velocity_loss_pct', station, 1), { what: 'the set point' });
    expect(loss.values[0]).toBeCloseTo((1 - 0.6 / 0.82) * 100, 6);
    expect(loss.timestamps).toEqual([at(t0, 15)]);
    const expectSet = async (field: string, value: number) =>
      expect((await samples('set', field, station, 1))?.values).toEqual([value]);
    await expectSet('reps', 5);
    await expectSet('volume_kg', 500);
    await expectSet('load_kg', 100);
    await expectSet('best_velocity', 0.82);
    await expectSet('tut_ms', 5 * 2000);
    expect((await samples('set', 'mean_velocity', station, 1))?.values[0]).toBeCloseTo(0.74, 9);

    // The final rep points carry velocity loss against the fastest of the first three reps.
    // VL_i = 1 − v_i / max(v_1 … v_min(3, i)): references 0.8, 0.82, 0.82, 0.82, 0.82.
    const expected = [0, 0, 1 - 0.78 / 0.82, 1 - 0.7 / 0.82, 1 - 0.6 / 0.82].map((loss) => loss * 100);
    const repLoss = await samples('rep', 'velocity_loss_pct', station, 5);
    repLoss?.values.forEach((value, i) => expect(value).toBeCloseTo(expected[i] ?? NaN, 6));
    expect(repLoss?.values).toHaveLength(5);
    expect((await setJob(station, 's-1'))?.data).toMatchObject({ closedBy: 'end', revision: 0 });
  });

  it('stores a re-sent rep once', async () => {
    const station = 'st-resend';
    const t0 = Date.now() - 30_000;
    const rep = { ts: t0, setId: 's-r', repIndex: 1, meanVelocity: 0.5 };
    await publishRep(device, GYM, station, rep);
    await publishRep(device, GYM, station, rep);
    await publishRep(device, GYM, station, { ...rep, ts: at(t0, 3), repIndex: 2, meanVelocity: 0.45 });
    await publishRep(device, GYM, station, rep);
    const series = await waitFor(() => samples('rep', 'mean_velocity', station, 2), { what: 'two rep points' });
    await waitFor(() => setJob(station, 's-r'), { what: 'the set to close by idle timeout' });
    const again = await samples('rep', 'mean_velocity', station, 2);
    expect(again?.values).toEqual([0.5, 0.45]);
    expect(series.timestamps).toEqual([t0, at(t0, 3)]);
    expect((await samples('set', 'reps', station, 1))?.values).toEqual([2]);
  });

  it('closes a set after the idle timeout when the device sends no end', async () => {
    const station = 'st-idle';
    const t0 = Date.now() - 20_000;
    const started = Date.now();
    await publishRep(device, GYM, station, { ts: t0, setId: 's-i', repIndex: 1, meanVelocity: 0.7 });
    await publishRep(device, GYM, station, { ts: at(t0, 2), setId: 's-i', repIndex: 2, meanVelocity: 0.65 });
    const job = await waitFor(() => setJob(station, 's-i'), { what: 'the idle close', timeoutMs: 15_000 });
    expect(job.data).toMatchObject({ closedBy: 'idle', revision: 0, stationId: station, setId: 's-i' });
    expect(job.timestamp - started).toBeGreaterThanOrEqual(IDLE_MS);
    await waitFor(() => samples('set', 'reps', station, 1), { what: 'the set point' });
  });

  it('closes the open set when a rep of another set arrives on the station', async () => {
    const station = 'st-next';
    const t0 = Date.now() - 120_000;
    await publishRep(device, GYM, station, { ts: t0, setId: 's-a', repIndex: 1, meanVelocity: 0.7 });
    await publishRep(device, GYM, station, { ts: at(t0, 60), setId: 's-b', repIndex: 1, meanVelocity: 0.6 });
    const job = await waitFor(() => setJob(station, 's-a'), { what: 'set a to close' });
    expect(job.data).toMatchObject({ closedBy: 'next_set' });
    // Set b closes later by idle timeout; both sets yield a set point.
    await waitFor(() => setJob(station, 's-b'), { what: 'set b to close' });
    expect((await waitFor(() => samples('set', 'reps', station, 2), { what: 'two set points' })).values).toEqual([1, 1]);
  });
});

describe('bad input', () => {
  const now = Date.now();
  const rep = (fields: Record<string, unknown>) =>
    JSON.stringify({ v: 1, ts: now, athleteId: 'a', setId: 's', exercise: 'back_squat', repIndex: 1, loadKg: 50, meanVelocity: 0.5, ...fields });
  const cases: Array<{ name: string; topic: string; payload: string | Buffer; reason: string }> = [
    { name: 'malformed JSON', topic: `gym/v1/${GYM}/bad-1/rep`, payload: '{"v":1,"ts":', reason: 'malformed_json' },
    { name: 'schema violation', topic: `gym/v1/${GYM}/bad-2/rep`, payload: rep({ repIndex: 0 }), reason: 'schema' },
    { name: 'Infinity (1e400)', topic: `gym/v1/${GYM}/bad-3/rep`, payload: rep({}).replace('"meanVelocity":0.5', '"meanVelocity":1e400'), reason: 'schema' },
    { name: 'time out of window', topic: `gym/v1/${GYM}/bad-4/rep`, payload: rep({ ts: now - 8 * 24 * 3600 * 1000 }), reason: 'out_of_window' },
    { name: 'timestamp in seconds', topic: `gym/v1/${GYM}/bad-5/rep`, payload: rep({ ts: Math.floor(now / 1000) }), reason: 'out_of_window' },
    { name: 'bad id in the topic', topic: `gym/v1/${GYM}/bad id!/rep`, payload: rep({}), reason: 'bad_topic' },
    { name: 'bad id in the payload', topic: `gym/v1/${GYM}/bad-7/rep`, payload: rep({ athleteId: 'a,b=c' }), reason: 'schema' },
    { name: 'unknown channel', topic: `gym/v1/${GYM}/bad-8/telemetry`, payload: rep({}), reason: 'unknown_channel' },
    { name: 'oversize', topic: `gym/v1/${GYM}/bad-9/rep`, payload: Buffer.alloc(64 * 1024 + 1, 0x20), reason: 'oversize' },
    { name: 'wrong version', topic: `gym/v1/${GYM}/bad-10/rep`, payload: rep({ v: 2 }), reason: 'unsupported_version' },
  ];

  it('dead-letters each kind with its reason, keeps the payload, and writes nothing else', async () => {
    const before = (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`)).body.total;
    for (const c of cases) await device.publishAsync(c.topic, c.payload, { qos: 1 });
    // A valid rep after them: ingest handles one connection's messages in order, so once it is
    // stored, every bad message before it has been handled too.
    await publishRep(device, GYM, 'bad-sentinel', { ts: now, setId: 's', repIndex: 1, meanVelocity: 0.5 });
    await waitFor(() => samples('rep', 'mean_velocity', 'bad-sentinel', 1), { what: 'the sentinel rep' });

    const { status, body } = await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`);
    expect(status).toBe(200);
    expect(body.total - before).toBe(cases.length);
    for (const c of cases) {
      const letter = body.items.find((item) => item.topic === c.topic);
      expect(letter, c.name).toBeDefined();
      expect(letter?.reason, c.name).toBe(c.reason);
      expect(letter?.detail.length, c.name).toBeGreaterThan(10);
      expect(Date.parse(letter?.receivedAt ?? '')).toBeGreaterThan(now - 60_000);
    }
    const oversize = body.items.find((item) => item.reason === 'oversize');
    expect(oversize?.payload.length).toBeLessThanOrEqual(4096);
    const written = await exportSeries(servers.env.INFLUX_URL, '{station=~"bad-[0-9]+"}');
    expect(written).toEqual([]);
  });

  it('requires the api token', async () => {
    const res = await fetch(`${pipeline.apiUrl}/v1/dead-letters`);
    expect(res.status).toBe(401);
    const wrong = await getJson(`${pipeline.apiUrl}/v1/dead-letters`, 'wrong-token');
    expect(wrong.status).toBe(401);
  });
});

describe('athlete profiles', () => {
  const put = (athlete: string, body: unknown) =>
    fetch(`${pipeline.apiUrl}/v1/athletes/${athlete}/profile`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('stores and returns a profile', async () => {
    const profile = { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 } };
    expect((await put('ath-p', profile)).status).toBe(200);
    const got = await getJson(`${pipeline.apiUrl}/v1/athletes/ath-p/profile`);
    expect(got).toEqual({ status: 200, body: profile });
  });

  it('refuses an invalid profile or id, and answers 404 for an unknown athlete', async () => {
    expect((await put('ath-p', { bodyMassKg: -1 })).status).toBe(400);
    expect((await put('ath-p', { bodyMassKg: 80, extra: 1 })).status).toBe(400);
    expect((await put('ath-p', { oneRepMaxKg: { 'bad key': 100 } })).status).toBe(400);
    expect((await put('ath%20x', { bodyMassKg: 80 })).status).toBe(400);
    expect((await getJson(`${pipeline.apiUrl}/v1/athletes/nobody/profile`)).status).toBe(404);
    expect((await fetch(`${pipeline.apiUrl}/v1/athletes/ath-p/profile`)).status).toBe(401);
  });
});

describe('health', () => {
  it('reports live, ready and metrics', async () => {
    expect((await fetch(`${pipeline.apiUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${pipeline.apiUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${pipeline.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/neurolift_ingest_messages_received_total\{channel="rep"\} \d+/);
    expect(metrics).toMatch(/neurolift_worker_points_written_total\{measurement="set"\} \d+/);
    // Sets were written above, and no rep backlog lasted WORKER_SET_YIELD_MS: no set job waited that long.
    expect(metrics).toMatch(/^neurolift_worker_set_jobs_held_back_total 0$/m);
  });
});
