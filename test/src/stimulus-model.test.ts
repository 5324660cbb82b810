// The NSI model wired into the pipeline, on real servers: a scripted session published over MQTT yields
// the session NSI series the pure model predicts; a set job run twice changes nothing; two workers
// in parallel give the same results as one.
import { QUEUES, setJobId } from '@neurolift/contracts';
import { createLogger, createRegistry, loadConfig } from '@neurolift/platform';
import type { Pipeline } from '@neurolift/pipeline';
import { computeSessions, computeSetModel, dayOf, endOfDay, type SetModel } from '@neurolift/stimulus';
import { WorkerConfigSchema, startStimulusWorker, type StimulusWorker } from '@neurolift/stimulus-worker';
import { Queue } from 'bullmq';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, connectDevice, pipelineEnv, repPayload, startTestPipeline } from './harness/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './harness/recording-proxy.js';
import { exportSeries, startServers, waitFor, type LocalServices, type Series } from './harness/servers.js';

const GYM = 'gym-nsi';
const FAR_FUTURE = Date.now() + 2 * 86_400_000;

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let setsQueue: Queue;
let secondWorker: StimulusWorker | undefined;
let tsdb: RecordingProxy;

beforeAll(async () => {
  servers = await startServers();
  // Workers write through a recording proxy: it knows which write came last (see recording-proxy.ts).
  tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, WORKER_CONCURRENCY: '1', MQTT_CLIENT_ID: 'nsi-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
  setsQueue = new Queue(QUEUES.sets, { connection: { url: servers.env.REDIS_URL }, prefix: '{nl}' });
});

afterAll(async () => {
  await device?.endAsync();
  await setsQueue?.close();
  await secondWorker?.close();
  await pipeline?.close();
  await tsdb?.close();
  await servers?.stop();
});

/** The session (about 7 min) must stay within one UTC day: a start in a day's last hour moves back an hour. */
function sessionStart(t: number): number {
  const DAY_MS = 86_400_000;
  return t % DAY_MS > DAY_MS - 3600_000 ? t - 3600_000 : t;
}

/** Back squat 3×5 at 100 kg for an 80-kg athlete with a coach-entered 1RM of 140 kg, 3 min rests. */
const T0 = sessionStart(Math.floor((Date.now() - 3 * 3600_000) / 1000) * 1000);
const SETS = [0, 1, 2].map((s) => ({
  setId: `sq-${s + 1}`,
  reps: [0.62, 0.6, 0.57, 0.53, 0.48].map((v, i) => ({ repIndex: i + 1, ts: T0 + s * 200_000 + i * 4000, meanVelocity: v - s * 0.02, loadKg: 100, rom: 0.6, concentricMs: 900, eccentricMs: 1600 })),
}));

async function putProfile(athlete: string): Promise<void> {
  const res = await fetch(`${pipeline.apiUrl}/v1/athletes/${athlete}/profile`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 } }),
  });
  expect(res.status).toBe(200);
}

/** Publishes the whole session at once (set jobs then run concurrently). */
async function publishSession(athlete: string, station: string): Promise<void> {
  const publishes: Array<Promise<unknown>> = [];
  for (const set of SETS) {
    const last = set.reps[set.reps.length - 1];
    for (const rep of set.reps) {
      publishes.push(device.publishAsync(`gym/v1/${GYM}/${station}/rep`, repPayload({ ...rep, athleteId: athlete, setId: set.setId }), { qos: 1 }));
    }
    const end = { v: 1, event: 'end', ts: last?.ts, setId: set.setId, athleteId: athlete, exercise: 'back_squat' };
    publishes.push(device.publishAsync(`gym/v1/${GYM}/${station}/set`, JSON.stringify(end), { qos: 1 }));
  }
  await Promise.all(publishes);
}

/** Final values of a field as InfluxDB would hold them (last write per point), or undefined while fewer than `count`. */
function latest(measurement: string, field: string, athlete: string, count: number) {
  const found = tsdb.latest(measurement, { athlete }, field);
  return found.length >= count ? { timestamps: found.map((p) => p.ts), values: found.map((p) => parseFloat(p.value)) } : undefined;
}

async function series(measurement: string, field: string, athlete: string, count: number): Promise<Series | undefined> {
  const found = await exportSeries(servers.env.INFLUX_URL, `${measurement}_${field}{athlete="${athlete}"}`, { endMs: FAR_FUTURE });
  const first = found[0];
  return found.length === 1 && first && first.values.length >= count ? first : undefined;
}

const waitSeries = (measurement: string, field: string, athlete: string, count: number) =>
  waitFor(() => series(measurement, field, athlete, count), { what: `${count} ${measurement}_${field} points of ${athlete}`, timeoutMs: 20_000 });

/** What the pure model says, computed here independently of the worker's wiring. */
function expectedSession() {
  const models = SETS.map((set) => computeSetModel({ reps: set.reps, exercise: 'back_squat', bodyMassKg: 80, e1rm: { e1rmKg: 140, source: 'profile' } }) as SetModel);
  const [session] = computeSessions(SETS.map((set, i) => ({ setId: set.setId, ...pick(models[i] as SetModel) })));
  return { models, points: session?.points ?? [] };
}
const pick = (m: SetModel) => ({ firstTs: m.firstTs, lastTs: m.lastTs, impulse: m.impulse, lactateIncrement: m.lactateIncrement });

describe('session NSI', () => {
  it('a scripted session yields the NSI series the model predicts, after every set', async () => {
    await putProfile('ath-one');
    await publishSession('ath-one', 'st-one');
    const expected = expectedSession();

    const nsi = await waitSeries('neurotrophic_stimulus', 'nsi', 'ath-one', 3);
    expect(nsi.timestamps).toEqual(SETS.map((set) => set.reps[4]?.ts));
    nsi.values.forEach((value, i) => expect(value).toBeCloseTo(expected.points[i]?.nsi ?? NaN, 9));
    expect(nsi.values[2]).toBeGreaterThan(nsi.values[0] ?? Infinity);
    expect(nsi.metric).toEqual({ __name__: 'neurotrophic_stimulus_nsi', athlete: 'ath-one' });
    expect((await series('neurotrophic_stimulus', 'sets', 'ath-one', 3))?.values).toEqual([1, 2, 3]);
    const dose = await series('neurotrophic_stimulus', 'dose', 'ath-one', 3);
    dose?.values.forEach((value, i) => expect(value).toBeCloseTo(expected.points[i]?.dose ?? NaN, 9));
    expect((await series('neurotrophic_stimulus', 'default_body_mass', 'ath-one', 3))?.values).toEqual([0, 0, 0]);

    // The set points carry the model's terms (e1RM from the coach-entered 1RM).
    expect((await series('set', 'e1rm_kg', 'ath-one', 3))?.values).toEqual([140, 140, 140]);
    const impulse = await series('set', 'impulse', 'ath-one', 3);
    impulse?.values.forEach((value, i) => expect(value).toBeCloseTo(expected.models[i]?.impulse ?? NaN, 9));
    const rir = await series('set', 'rir_last', 'ath-one', 3);
    rir?.values.forEach((value, i) => expect(value).toBeCloseTo(expected.models[i]?.rirLast ?? NaN, 9));

    // One exposure point for the day, at its end, rewritten after every set as the day goes on: its
    // last write holds the session's NSI (the TSDB has the point; which of the equal-time writes
    // VictoriaMetrics keeps is arbitrary, so the final value comes from the write log).
    const day = dayOf(T0 + 400_000 + 16_000);
    const daily = await waitSeries('neurotrophic_exposure', 'daily_load', 'ath-one', 1);
    expect(daily.timestamps).toEqual([endOfDay(day)]);
    expect(latest('neurotrophic_exposure', 'daily_load', 'ath-one', 1)?.values[0]).toBeCloseTo(Math.min(150, expected.points[2]?.nsi ?? NaN), 9);
    expect(await exportSeries(servers.env.INFLUX_URL, 'neurotrophic_exposure_ratio{athlete="ath-one"}', { endMs: FAR_FUTURE })).toEqual([]);

    // The acute window (decision 0015): a point at each set's end with its NSI, then the set's curve on the
    // whole-30-minute grid for 3 h after it, up to the next set's end.
    const ends = SETS.map((set) => set.reps[4]?.ts ?? NaN);
    const step = 30 * 60_000;
    const expectedAcute = ends.flatMap((end, i) => {
      const until = Math.min(end + 3 * 3600_000, (ends[i + 1] ?? Infinity) - 1);
      const nsi = expected.points[i]?.nsi ?? NaN;
      const grid: Array<[number, number]> = [];
      for (let ts = (Math.floor(end / step) + 1) * step; ts <= until; ts += step) grid.push([ts, nsi * Math.exp(-(ts - end) / 60_000 / 40)]);
      return [[end, nsi] as [number, number], ...grid];
    });
    const acute = await waitSeries('neurotrophic_acute', 'level', 'ath-one', expectedAcute.length);
    expect(acute.timestamps).toEqual(expectedAcute.map(([ts]) => ts));
    // The last write of each point (VictoriaMetrics keeps an arbitrary one of equal-time writes): a set's
    // grid points after the next set's end are overwritten by the next set's.
    const levels = latest('neurotrophic_acute', 'level', 'ath-one', expectedAcute.length);
    expect(levels?.timestamps).toEqual(acute.timestamps);
    expectedAcute.forEach(([, level], i) => expect(levels?.values[i]).toBeCloseTo(level, 9));
  });

  it('a set job run twice changes nothing', async () => {
    const fields = ['nsi', 'dose', 'work_dose', 'lactate_peak', 'sets'] as const;
    const before = await Promise.all(fields.map((field) => series('neurotrophic_stimulus', field, 'ath-one', 3)));
    const daily = latest('neurotrophic_exposure', 'daily_load', 'ath-one', 1);
    const acute = latest('neurotrophic_acute', 'level', 'ath-one', 1);
    const original = await setsQueue.getJob(setJobId(GYM, 'st-one', 'sq-2', 0));
    expect(original?.data).toBeDefined();
    const rerun = await setsQueue.add('set', original?.data, { jobId: 'rerun-sq-2' });
    await waitFor(async () => ((await rerun.getState()) === 'completed' ? true : undefined), { what: 'the re-run to complete' });

    const after = await Promise.all(fields.map((field) => series('neurotrophic_stimulus', field, 'ath-one', 3)));
    expect(after).toEqual(before);
    expect(latest('neurotrophic_exposure', 'daily_load', 'ath-one', 1)).toEqual(daily);
    expect(latest('neurotrophic_acute', 'level', 'ath-one', 1)).toEqual(acute);
  });

  it('a late rep of a closed set updates its set point in place: the set keeps one point (and one NSI point)', async () => {
    const station = 'st-late';
    const reps = [0.7, 0.66, 0.6].map((meanVelocity, i) => ({ repIndex: i + 1, ts: T0 + i * 4000, meanVelocity, loadKg: 100 }));
    const firstEnd = T0 + 8000;
    for (const rep of reps) await device.publishAsync(`gym/v1/${GYM}/${station}/rep`, repPayload({ ...rep, athleteId: 'ath-late', setId: 'late-1' }), { qos: 1 });
    const end = { v: 1, event: 'end', ts: firstEnd, setId: 'late-1', athleteId: 'ath-late', exercise: 'back_squat' };
    await device.publishAsync(`gym/v1/${GYM}/${station}/set`, JSON.stringify(end), { qos: 1 });
    await waitFor(async () => latest('set', 'reps', 'ath-late', 1), { what: 'the set point' });

    // Rep 4 arrives after the set closed (a late upload): the set re-closes and is recomputed.
    const late = { repIndex: 4, ts: T0 + 12_000, meanVelocity: 0.52, loadKg: 100 };
    await device.publishAsync(`gym/v1/${GYM}/${station}/rep`, repPayload({ ...late, athleteId: 'ath-late', setId: 'late-1' }), { qos: 1 });
    const updated = await waitFor(async () => (latest('set', 'reps', 'ath-late', 1)?.values[0] === 4 ? latest('set', 'reps', 'ath-late', 1) : undefined), {
      what: 'the set point with the late rep',
    });
    expect(updated).toEqual({ timestamps: [firstEnd], values: [4] });
    expect(latest('set', 'velocity_loss_pct', 'ath-late', 1)?.values[0]).toBeCloseTo((1 - 0.52 / 0.7) * 100, 9);
    const stored = await series('set', 'reps', 'ath-late', 1);
    expect(new Set(stored?.timestamps)).toEqual(new Set([firstEnd]));
    // The session NSI after this set stays one point too, with the set's final value.
    expect(latest('neurotrophic_stimulus', 'sets', 'ath-late', 1)).toEqual({ timestamps: [firstEnd], values: [1] });
  });

  it('reps in order keep the velocity loss written as they came; reps out of order get the final one at the close', async () => {
    // Out of order: rep 2 (the fastest) comes last, after rep 3 was written against rep 1 alone.
    const station = 'st-order';
    const velocities = [0.6, 0.7, 0.5];
    const at = (i: number) => T0 + 3_600_000 + i * 4000;
    const publish = (i: number) =>
      device.publishAsync(
        `gym/v1/${GYM}/${station}/rep`,
        repPayload({ repIndex: i + 1, ts: at(i), meanVelocity: velocities[i] as number, loadKg: 100, athleteId: 'ath-order', setId: 'o-1' }),
        { qos: 1 },
      );
    await publish(0);
    await publish(2);
    const early = await waitFor(async () => latest('rep', 'velocity_loss_pct', 'ath-order', 2), { what: 'reps 1 and 3 written' });
    expect(early.values[1]).toBeCloseTo((1 - 0.5 / 0.6) * 100, 9);
    await publish(1);
    await device.publishAsync(`gym/v1/${GYM}/${station}/set`, JSON.stringify({ v: 1, event: 'end', ts: at(3), setId: 'o-1', athleteId: 'ath-order', exercise: 'back_squat' }), {
      qos: 1,
    });
    await waitFor(async () => latest('set', 'reps', 'ath-order', 1), { what: 'the set point' });
    const losses = latest('rep', 'velocity_loss_pct', 'ath-order', 3);
    expect(losses?.timestamps).toEqual([at(0), at(1), at(2)]);
    [0, 0, 1 - 0.5 / 0.7].forEach((loss, i) => expect(losses?.values[i]).toBeCloseTo(loss * 100, 9));
  });

  it('two workers in parallel give the same results as one', async () => {
    const config = loadConfig('worker', WorkerConfigSchema, pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, WORKER_CONCURRENCY: '8' }));
    secondWorker = await startStimulusWorker(config, createLogger({ name: 'second', level: 'warn' }), { registry: createRegistry({ defaultMetrics: false }) });
    await putProfile('ath-two');
    await publishSession('ath-two', 'st-two');
    await waitSeries('neurotrophic_stimulus', 'nsi', 'ath-two', 3);
    await waitFor(async () => (await setsQueue.getActiveCount()) + (await setsQueue.getWaitingCount()) === 0 || undefined, { what: 'all set jobs done' });
    for (const [measurement, field, count] of [
      ['neurotrophic_stimulus', 'nsi', 3],
      ['neurotrophic_stimulus', 'lactate_peak', 3],
      ['neurotrophic_stimulus', 'sets', 3],
      ['set', 'impulse', 3],
      ['set', 'e1rm_kg', 3],
      ['neurotrophic_exposure', 'daily_load', 1],
      ['neurotrophic_acute', 'level', 100],
    ] as const) {
      const one = latest(measurement, field, 'ath-one', count);
      const two = latest(measurement, field, 'ath-two', count);
      expect(two, `${measurement}.${field}`).toEqual(one);
    }
  });
});
