// Wearables (device protocol v1.1) through the whole pipeline on real servers:
//  a. a strap worn through 20 min of cardio and 3 back-squat sets: one heart_rate point a second (rmssd_ms
//     on blocks with rr), each set point with hr_peak / hr_recovery_60s as the design defines them, the
//     session NSI the pure model folds from the same sets and minutes (aerobic dose > 0), one session, one
//     exposure point for the day;
//  b. the same session with the strap's blocks uploaded after the sets were processed: the same points;
//  c. a synthetic bar IMU set as imu blocks: rep points with source "imu", the right count, a set point;
//  d. a set within 65 s of the previous one: that one has hr_peak but no applicable hr_recovery_60s (hr_recovery_ok=false), whether heart rate
//     came live (30-s or 5-s blocks), first or last;
//  e. a repeated hr block is one heart-rate job (id hr.{gym}.{station}.{t0});
//  f. a profile with a birth year instead of maxHr: cardio alone is a session with the pure model's NSI;
//  g. two heart-rate devices at once (strap and watch): the same points whichever uploads first, hr_peak the higher.
import { heartRateJobId, MEASUREMENTS, QUEUES } from '@neurolift/contracts';
import { dayOf, endOfDay, rmssd } from '@neurolift/stimulus';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putProfile as putAthleteProfile } from './harness/athlete-profile.js';
import { startRecordedPipeline, type RecordedPipeline } from './harness/recorded-pipeline.js';
import type { RecordingProxy } from './harness/recording-proxy.js';
import { waitFor } from './harness/servers.js';
import { finalPoints, normalise, PipelineQueues, type FinalPoint } from './harness/wearable-points.js';
import {
  athleteSetOf,
  expectedSetHeartRate,
  planWearableSession,
  recentSessionStart,
  pureFold,
  WEARABLE_PROFILE,
  type SessionIds,
  type WearableProfile,
  type SessionMessage,
  type WearableSession,
} from './harness/wearable-session.js';

const GYM = 'gym-wear';
const MINUTE = 60_000;
const DAY_MS = 86_400_000;

let rig: RecordedPipeline;
let device: MqttClient;
let tsdb: RecordingProxy;
let queues: PipelineQueues;

beforeAll(async () => {
  rig = await startRecordedPipeline({ SET_IDLE_TIMEOUT_MS: '3000', TIME_MAX_AGE_MS: String(7 * DAY_MS), MQTT_CLIENT_ID: 'wearables-test' });
  ({ device, tsdb, queues } = rig);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

const START = recentSessionStart();

const putProfile = (athleteId: string, profile: WearableProfile = WEARABLE_PROFILE): Promise<void> => putAthleteProfile(rig.pipeline.apiUrl, athleteId, profile);
const setDone = (gym: string, station: string, setId: string): Promise<true | undefined> => rig.setDone(gym, station, setId);

/**
 * The hr block starting at t0 is processed: its points are written and the heart-rate queue has nothing waiting
 * or running (whatever the job's id: test e checks that separately).
 */
async function hrDone(station: string, t0: number): Promise<true | undefined> {
  if (!tsdb.points().some((p) => p.measurement === MEASUREMENTS.heartRate && p.tags.station === station && p.ts === t0)) return undefined;
  const counts = await queues.get(QUEUES.heartRate).getJobCounts('waiting', 'active', 'prioritized');
  return Object.values(counts).every((n) => n === 0) ? true : undefined;
}

/**
 * Publishes in the given order; after a set's end, waits for its set job (a live session); with `waitHr`,
 * after every hr block too (live, a block is processed in well under the seconds until the next message).
 */
async function publishLive(messages: readonly SessionMessage[], { waitHr = false } = {}): Promise<void> {
  for (const message of messages) {
    await device.publishAsync(message.topic, message.payload, { qos: 1 });
    if (waitHr && message.kind === 'hr') {
      const station = message.topic.split('/')[3] ?? '';
      const { t0 } = JSON.parse(message.payload) as { t0: number };
      await waitFor(() => hrDone(station, t0), { what: `hr block ${station}@${t0}`, timeoutMs: 30_000 });
    }
    const closes = message.closes;
    if (closes) await waitFor(() => setDone(GYM, closes.station, closes.setId), { what: `set job ${closes.station}.${closes.setId}`, timeoutMs: 30_000 });
  }
}

const idsOf = (athleteId: string, n: number, imu = false): SessionIds => ({ gym: GYM, athleteId, rack: `rack-${n}`, strap: `hr-${athleteId}`, ...(imu ? { imu: `imu-${n}` } : {}) });

/** Everything of the athlete written and nothing left to do. */
async function settled(session: WearableSession, setPoints: number): Promise<FinalPoint[]> {
  const { athleteId } = session.ids;
  await queues.settled(tsdb, () => {
    const points = finalPoints(tsdb.points(), athleteId);
    return points.filter((p) => p.measurement === MEASUREMENTS.heartRate).length >= session.readings.length && points.filter((p) => p.measurement === MEASUREMENTS.set).length >= setPoints;
  });
  return finalPoints(tsdb.points(), athleteId);
}

const distinctTags = (points: readonly FinalPoint[]): unknown[] => [...new Set(points.map((p) => JSON.stringify(p.tags)))].map((text) => JSON.parse(text) as unknown);

/** The checks of part a, for the final points of a session with heart rate and three rack sets. */
function checkSessionWithHeartRate(session: WearableSession, points: readonly FinalPoint[]): void {
  const { athleteId, strap, rack } = session.ids;
  const of = (measurement: string) => points.filter((p) => p.measurement === measurement);

  // One heart_rate point a second sent, on the strap's station.
  const hr = of(MEASUREMENTS.heartRate);
  expect(hr.map((p) => p.ts)).toEqual(session.readings.map((r) => r.ts));
  expect(hr.map((p) => Number(p.fields.bpm))).toEqual(session.readings.map((r) => r.bpm));
  expect(distinctTags(hr)).toEqual([{ gym: GYM, station: strap, athlete: athleteId }]);
  // rmssd_ms on the first point of every block with rr intervals, and nowhere else.
  const withRr = session.hrBlocks.filter((block) => block.rr !== undefined);
  expect(withRr.length).toBeGreaterThan(10);
  expect(hr.filter((p) => p.fields.rmssd_ms !== undefined).map((p) => p.ts)).toEqual(withRr.map((block) => block.t0));
  for (const block of withRr) {
    const point = hr.find((p) => p.ts === block.t0);
    expect(Number(point?.fields.rmssd_ms)).toBeCloseTo(rmssd(block.rr ?? []) ?? NaN, 9);
  }

  // Every set point: hr_peak and hr_recovery_60s as defined.
  const sets = of(MEASUREMENTS.set).filter((p) => p.tags.station === rack);
  expect(sets.map((p) => p.ts)).toEqual(session.rackSets.map((set) => set.reps.at(-1)?.ts));
  session.rackSets.forEach((set, i) => {
    const firstTs = set.reps[0]?.ts ?? NaN;
    const lastTs = set.reps.at(-1)?.ts ?? NaN;
    const expected = expectedSetHeartRate(session.readings, firstTs, lastTs, session.rackSets[i + 1]?.reps[0]?.ts);
    const point = sets[i];
    expect(expected.peak).toBeGreaterThan(150);
    expect(expected.recovery).toBeGreaterThan(10);
    expect(Number(point?.fields.hr_peak), `hr_peak of ${set.setId}`).toBe(expected.peak);
    expect(Number(point?.fields.hr_recovery_60s), `hr_recovery_60s of ${set.setId}`).toBeCloseTo(expected.recovery ?? NaN, 9);
  });

  // The session NSI: what the pure model folds from the same sets and minutes of heart rate.
  const fold = pureFold(
    session.rackSets.map((set) => athleteSetOf(GYM, rack, set)),
    session.readings,
  );
  const modelPoints = [...fold.update.stimulus.map((entry) => entry.point), ...(fold.update.aerobic ?? []).map((entry) => entry.point)].sort((a, b) => a.ts - b.ts);
  const lastModel = modelPoints.at(-1);
  const stimulus = of(MEASUREMENTS.stimulus);
  const last = stimulus.at(-1);
  expect(last?.ts).toBe(lastModel?.ts);
  expect(Number(last?.fields.nsi)).toBeCloseTo(lastModel?.nsi ?? NaN, 9);
  expect(Number(last?.fields.dose)).toBeCloseTo(lastModel?.dose ?? NaN, 9);
  expect(Number(last?.fields.aerobic_dose)).toBeGreaterThan(0);
  expect(Number(last?.fields.aerobic_dose)).toBeCloseTo(lastModel?.aerobicDose ?? NaN, 9);
  // Every session point the model gives, at its time with its NSI.
  expect(stimulus.map((p) => p.ts)).toEqual(modelPoints.map((p) => p.ts));
  stimulus.forEach((p, i) => expect(Number(p.fields.nsi), `nsi at ${p.ts}`).toBeCloseTo(modelPoints[i]?.nsi ?? NaN, 9));
  // One session, tagged by the athlete alone; one exposure point for the day, holding the session's NSI.
  expect(new Set(stimulus.map((p) => p.fields.session_id)).size).toBe(1);
  expect(distinctTags(stimulus)).toEqual([{ athlete: athleteId }]);
  const exposure = of(MEASUREMENTS.exposure);
  expect(exposure.map((p) => p.ts)).toEqual([endOfDay(dayOf(session.start))]);
  expect(Number(exposure[0]?.fields.daily_load)).toBeCloseTo(Math.min(150, lastModel?.nsi ?? NaN), 9);
}

let livePoints: FinalPoint[] = [];

describe('heart rate with a session', () => {
  it('a. the strap through cardio and three sets: heart_rate points, the sets\' hr fields, the session NSI of the pure model', async () => {
    const session = planWearableSession(idsOf('ath-wear-a', 1), START);
    await putProfile(session.ids.athleteId);
    await publishLive(session.messages);
    livePoints = await settled(session, 3);
    checkSessionWithHeartRate(session, livePoints);
  }, 180_000);

  it('b. the strap uploaded after the sets were processed gives the same final points', async () => {
    const session = planWearableSession(idsOf('ath-wear-b', 2), START);
    await putProfile(session.ids.athleteId);
    await publishLive(session.messages.filter((m) => m.kind !== 'hr'));
    await publishLive(session.messages.filter((m) => m.kind === 'hr'));
    const points = await settled(session, 3);
    checkSessionWithHeartRate(session, points);
    expect(livePoints.length).toBeGreaterThan(0);
    const rename = (athleteId: string, n: number) => ({ rename: { [athleteId]: 'ATHLETE', [`rack-${n}`]: 'RACK' }, athleteId, shiftMs: 0, sessionStart: START });
    expect(normalise(points, rename('ath-wear-b', 2))).toEqual(normalise(livePoints, rename('ath-wear-a', 1)));
  }, 180_000);
});

describe('a set after a short rest', () => {
  /** Two sets of 5 reps, the second's first rep 50 s after the first's last (before last rep + 65 s); a strap from 60 s before to 120 s after. */
  function shortRest(athleteId: string, station: string, strap: string, start: number, blockS: number) {
    const sets = [0, 1].map((s) => {
      const first = start + 60_000 + s * 66_000;
      const reps = [0.6, 0.58, 0.56, 0.54, 0.52].map((meanVelocity, i) => ({ repIndex: i + 1, ts: first + i * 4000, meanVelocity, loadKg: 100, rom: 0.6 }));
      return { setId: `short-${s + 1}`, reps, endTs: first + 17_000 };
    });
    const readings = Array.from({ length: 60 + 16 + 50 + 16 + 120 }, (_, i) => {
      const ts = start + i * 1000;
      const inSet = sets.some((set) => ts >= (set.reps[0]?.ts ?? 0) && ts <= (set.reps.at(-1)?.ts ?? 0) + 10_000);
      return { ts, bpm: inSet ? 150 + (i % 7) : 110 + (i % 5) };
    });
    const hr: SessionMessage[] = [];
    for (let first = 0; first < readings.length; first += blockS) {
      const bpm = readings.slice(first, first + blockS).map((r) => r.bpm);
      hr.push({ kind: 'hr', sendAt: start + (first + bpm.length) * 1000, topic: `gym/v1/${GYM}/${strap}/hr`, payload: JSON.stringify({ v: 1, t0: start + first * 1000, athleteId, bpm }) });
    }
    const rack: SessionMessage[] = sets.flatMap((set) => [
      ...set.reps.map((rep) => ({ kind: 'rep' as const, sendAt: rep.ts, topic: `gym/v1/${GYM}/${station}/rep`, payload: JSON.stringify({ v: 1, athleteId, setId: set.setId, exercise: 'back_squat', ...rep }) })),
      {
        kind: 'set' as const,
        sendAt: set.endTs,
        topic: `gym/v1/${GYM}/${station}/set`,
        payload: JSON.stringify({ v: 1, event: 'end', ts: set.endTs, setId: set.setId, athleteId, exercise: 'back_squat' }),
        closes: { station, setId: set.setId },
      },
    ]);
    return { sets, readings, hr, rack };
  }

  const cases = [
    { name: 'in time order (30-s blocks)', athleteId: 'ath-short-live', blockS: 30, order: (m: { hr: SessionMessage[]; rack: SessionMessage[] }) => [...m.hr, ...m.rack].sort((a, b) => a.sendAt - b.sendAt) },
    // 5-s blocks (the simulator's strap): the block holding the first set's recovery window comes before the second set closes.
    { name: 'in time order (5-s blocks)', athleteId: 'ath-short-live-5s', blockS: 5, order: (m: { hr: SessionMessage[]; rack: SessionMessage[] }) => [...m.hr, ...m.rack].sort((a, b) => a.sendAt - b.sendAt) },
    { name: 'heart rate uploaded first', athleteId: 'ath-short-hr-first', blockS: 30, order: (m: { hr: SessionMessage[]; rack: SessionMessage[] }) => [...m.hr, ...m.rack] },
    { name: 'heart rate uploaded after the sets', athleteId: 'ath-short-hr-last', blockS: 30, order: (m: { hr: SessionMessage[]; rack: SessionMessage[] }) => [...m.rack, ...m.hr] },
  ];
  for (const { name, athleteId, blockS, order } of cases) {
    it(`d. ${name}: the first set has hr_peak but no applicable hr_recovery_60s (its recovery window holds the next set), the second both`, async () => {
      await putProfile(athleteId);
      const station = `rack-${athleteId}`;
      const plan = shortRest(athleteId, station, `hr-${athleteId}`, START + 60 * MINUTE, blockS);
      await publishLive(order(plan), { waitHr: true });
      await queues.settled(tsdb, () => finalPoints(tsdb.points(), athleteId).filter((p) => p.measurement === MEASUREMENTS.heartRate).length >= plan.readings.length);
      const sets = finalPoints(tsdb.points(), athleteId).filter((p) => p.measurement === MEASUREMENTS.set);
      expect(sets.map((p) => p.ts)).toEqual(plan.sets.map((set) => set.reps.at(-1)?.ts));
      plan.sets.forEach((set, i) => {
        const expected = expectedSetHeartRate(plan.readings, set.reps[0]?.ts ?? NaN, set.reps.at(-1)?.ts ?? NaN, plan.sets[i + 1]?.reps[0]?.ts);
        expect(Number(sets[i]?.fields.hr_peak), `hr_peak of ${set.setId}`).toBe(expected.peak);
        // A TSDB cannot drop a field: a recovery written before the next set was stored stays, marked hr_recovery_ok=false.
        const applies = sets[i]?.fields.hr_recovery_ok === 'true';
        expect(applies ? Number(sets[i]?.fields.hr_recovery_60s) : undefined, `hr_recovery_60s of ${set.setId}`).toBe(expected.recovery);
      });
      expect(sets[0]?.fields.hr_recovery_ok).toBe('false');
      expect(sets[1]?.fields.hr_recovery_ok).toBe('true');
    }, 120_000);
  }
});

describe('a repeated hr block', () => {
  it('e. is one heart-rate job, its id the block\'s identity hr.{gym}.{station}.{t0}, and its points once', async () => {
    const athleteId = 'ath-wear-repeat';
    const station = `hr-${athleteId}`;
    const t0 = START + 90 * MINUTE;
    const block = JSON.stringify({ v: 1, t0, athleteId, bpm: [120, 121, 122, 123, 124], rr: [500, 496, 492, 488, 484, 480] });
    await device.publishAsync(`gym/v1/${GYM}/${station}/hr`, block, { qos: 1 });
    await waitFor(() => hrDone(station, t0), { what: 'the first block' });
    await device.publishAsync(`gym/v1/${GYM}/${station}/hr`, block, { qos: 1 });
    await queues.settled(tsdb, () => true, { quietMs: 1000 });
    const written = tsdb.points().filter((p) => p.measurement === MEASUREMENTS.heartRate && p.tags.station === station);
    expect(new Set(written.map((p) => p.ts)).size).toBe(5);
    const jobs = (await queues.get(QUEUES.heartRate).getJobs(['completed', 'failed', 'waiting', 'active'])).filter((job) => (job.data as { stationId?: string }).stationId === station);
    // Failed before 14ae0d1 (ingest gave heart-rate jobs Redis's counter ids, so a repeated block was a second job).
    expect(jobs.map((job) => job.id)).toEqual([heartRateJobId(GYM, station, t0)]);
  });
});

describe('a profile with a birth year', () => {
  it('f. HRmax from the birth year (208 − 0.7·age): 15 min of cardio alone is a session, its NSI the pure model\'s', async () => {
    const athleteId = 'ath-wear-born';
    const profile: WearableProfile = { bodyMassKg: 70, restingHr: 55, birthYear: 1980 };
    await putProfile(athleteId, profile);
    const start = START + 65 * MINUTE;
    const readings = Array.from({ length: 15 * 60 }, (_, i) => ({ ts: start + i * 1000, bpm: 140 + (i % 11) }));
    for (let first = 0; first < readings.length; first += 60) {
      const bpm = readings.slice(first, first + 60).map((r) => r.bpm);
      await device.publishAsync(`gym/v1/${GYM}/hr-${athleteId}/hr`, JSON.stringify({ v: 1, t0: start + first * 1000, athleteId, bpm }), { qos: 1 });
    }
    await queues.settled(tsdb, () => finalPoints(tsdb.points(), athleteId).filter((p) => p.measurement === MEASUREMENTS.heartRate).length >= readings.length);
    const stimulus = finalPoints(tsdb.points(), athleteId).filter((p) => p.measurement === MEASUREMENTS.stimulus);
    const model = (pureFold([], readings, profile).update.aerobic ?? []).map((entry) => entry.point);
    // With HRmax 190 (the default) instead of 208 − 0.7·46 = 175.8 every minute would count less: the birth year is used.
    const withDefault = (pureFold([], readings, { ...profile, birthYear: undefined }).update.aerobic ?? []).map((entry) => entry.point);
    expect(model.at(-1)?.nsi).toBeGreaterThan((withDefault.at(-1)?.nsi ?? Infinity) + 1);
    expect(stimulus.map((p) => p.ts)).toEqual(model.map((p) => p.ts));
    stimulus.forEach((p, i) => expect(Number(p.fields.nsi), `nsi at ${p.ts}`).toBeCloseTo(model[i]?.nsi ?? NaN, 9));
    expect(Number(stimulus.at(-1)?.fields.aerobic_dose)).toBeCloseTo(model.at(-1)?.aerobicDose ?? NaN, 9);
    expect(new Set(stimulus.map((p) => p.fields.session_id)).size).toBe(1);
    expect(stimulus.at(-1)?.fields.sets).toBe('0i');
  }, 120_000);
});

describe('two heart-rate devices at once (a chest strap and a watch)', () => {
  /** 20 min: a set at minute 12; the watch reads 8 bpm under the strap in cardio and 6 over it in the set's window. */
  function twoDevices(athleteId: string, start: number) {
    const first = start + 12 * MINUTE;
    const reps = [0.6, 0.58, 0.55, 0.5, 0.46].map((meanVelocity, i) => ({ repIndex: i + 1, ts: first + i * 4000, meanVelocity, loadKg: 100, rom: 0.6 }));
    const last = first + 16_000;
    const strap = Array.from({ length: 20 * 60 }, (_, i) => ({ ts: start + i * 1000, bpm: 145 + (i % 13) }));
    const watch = strap.map((r) => ({ ts: r.ts, bpm: r.ts >= first - 5000 && r.ts <= last + 30_000 ? r.bpm + 6 : r.bpm - 8 }));
    const blocks = (station: string, readings: ReadonlyArray<{ bpm: number }>) =>
      Array.from({ length: readings.length / 60 }, (_, b) => ({
        topic: `gym/v1/${GYM}/${station}/hr`,
        payload: JSON.stringify({ v: 1, t0: start + b * 60_000, athleteId, bpm: readings.slice(b * 60, b * 60 + 60).map((r) => r.bpm) }),
      }));
    const set = [
      ...reps.map((rep) => ({ topic: `gym/v1/${GYM}/rack-${athleteId}/rep`, payload: JSON.stringify({ v: 1, athleteId, setId: 'two-1', exercise: 'back_squat', ...rep }) })),
      { topic: `gym/v1/${GYM}/rack-${athleteId}/set`, payload: JSON.stringify({ v: 1, event: 'end', ts: last + 1000, setId: 'two-1', athleteId, exercise: 'back_squat' }) },
    ];
    return { first, last, strap, watch, strapBlocks: blocks(`strap-${athleteId}`, strap), watchBlocks: blocks(`watch-${athleteId}`, watch), set };
  }

  it('g. the same points whichever device uploads first; hr_peak the highest bpm of either', async () => {
    const start = START + 70 * MINUTE;
    const results: FinalPoint[][] = [];
    for (const [athleteId, watchFirst] of [
      ['ath-two-strap-first', false],
      ['ath-two-watch-first', true],
    ] as const) {
      await putProfile(athleteId);
      const plan = twoDevices(athleteId, start);
      for (const message of plan.set) await device.publishAsync(message.topic, message.payload, { qos: 1 });
      await waitFor(() => setDone(GYM, `rack-${athleteId}`, 'two-1'), { what: 'the set job', timeoutMs: 30_000 });
      // One device's blocks, all processed, then the other's (a phone uploading the watch after the strap, or the other way round).
      let uploaded = 0;
      for (const blocks of watchFirst ? [plan.watchBlocks, plan.strapBlocks] : [plan.strapBlocks, plan.watchBlocks]) {
        for (const block of blocks) await device.publishAsync(block.topic, block.payload, { qos: 1 });
        uploaded += blocks.length * 60;
        await queues.settled(tsdb, () => finalPoints(tsdb.points(), athleteId).filter((p) => p.measurement === MEASUREMENTS.heartRate).length >= uploaded, { quietMs: 1000 });
      }
      const points = finalPoints(tsdb.points(), athleteId);
      const peak = Math.max(...[...plan.strap, ...plan.watch].filter((r) => r.ts >= plan.first - 5000 && r.ts <= plan.last + 30_000).map((r) => r.bpm));
      expect.soft(Number(points.find((p) => p.measurement === MEASUREMENTS.set)?.fields.hr_peak), `hr_peak of ${athleteId}`).toBe(peak);
      results.push(normalise(points, { athleteId, rename: { [athleteId]: 'ATHLETE' }, shiftMs: 0, sessionStart: start }));
    }
    const [strapFirst = [], watchFirst = []] = results;
    for (const measurement of [...new Set(strapFirst.map((p) => p.measurement))].sort()) {
      const of = (points: readonly FinalPoint[]) => points.filter((p) => p.measurement === measurement);
      // Each second keeps the higher of the two devices' readings, so the upload order does not matter.
      expect.soft(of(watchFirst), `${measurement}: watch first vs strap first`).toEqual(of(strapFirst));
    }
  }, 180_000);
});

describe('imu', () => {
  it('c. a synthetic bar IMU set as imu blocks gives rep points with source "imu", the right count, and a set point', async () => {
    const session = planWearableSession(idsOf('ath-wear-imu', 3, true), START);
    const imuSet = session.imuSet;
    expect(imuSet?.truth).toHaveLength(5);
    await putProfile(session.ids.athleteId);
    const station = session.ids.imu ?? '';
    await publishLive(session.messages.filter((m) => m.topic.includes(`/${station}/`)));
    await waitFor(() => setDone(GYM, station, imuSet?.setId ?? ''), { what: 'the imu set job', timeoutMs: 30_000 });
    const reps = (field: string) => tsdb.latest(MEASUREMENTS.rep, { station }, field);
    expect(reps('source').map((p) => p.value)).toEqual(Array(5).fill('"imu"'));
    // Each rep found at its true lockout (within 150 ms), its velocity near the truth.
    const velocity = reps('mean_velocity');
    imuSet?.truth.forEach((truth, i) => {
      expect(Math.abs((velocity[i]?.ts ?? 0) - truth.concentricEnd)).toBeLessThan(150);
      expect(Math.abs(Number(velocity[i]?.value) - truth.meanVelocity)).toBeLessThan(0.05);
    });
    const setPoint = tsdb.latest(MEASUREMENTS.set, { station }, 'reps');
    expect(setPoint).toEqual([{ ts: velocity.at(-1)?.ts, value: '5i' }]);
    expect(tsdb.latest(MEASUREMENTS.stimulus, { athlete: session.ids.athleteId }, 'nsi')).toHaveLength(1);
  }, 120_000);
});
