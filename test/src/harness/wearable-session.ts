// A scripted training session with wearables (device protocol v1.1) for the integration tests: warm-up
// cardio on a heart-rate strap, back-squat sets as rep + set messages on a rack, optionally one set
// measured by a bar IMU (synthetic trace), the strap running through all of it (rising in sets,
// recovering in rests). Everything is a pure function of the session's start, so the same session can
// be replayed at another time (a late upload) and the pure model can be asked what it should give.
import {
  aerobicMinute,
  aerobicOfSamples,
  activityTs,
  athleteSetKey,
  dayOf,
  foldSets,
  generateSyntheticImuTrace,
  heartRateProfile,
  hrReserveFraction,
  isCountedIntensity,
  mulberry32,
  resistanceInterval,
  DEFAULT_CONSTANTS,
  type Activity,
  type AerobicMinute,
  type AthleteProfileInput,
  type AthleteSet,
  type FoldResult,
  type HeartRateProfileInput,
  type TimedHr,
} from '@neurolift/stimulus';

export const MINUTE_MS = 60_000;
export const EXERCISE = 'back_squat';
export const LOAD_KG = 100;
/** Every test's athlete: 80 kg, coach-entered 1RM, resting and maximum heart rate (HR reserve 130 bpm). */
export const WEARABLE_PROFILE: WearableProfile = { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 }, restingHr: 60, maxHr: 190 };

/** An athlete profile as the model reads it, heart-rate fields included. */
export type WearableProfile = AthleteProfileInput & HeartRateProfileInput;

/** Warm-up cardio from the session's start, s; the first set's first rep comes 90 s after it ends. */
export const WARM_UP_S = 20 * 60;
const FIRST_SET_S = WARM_UP_S + 90;
/** First rep to first rep of consecutive sets (16 s of reps, 184 s of rest: about 3 min). */
const SET_EVERY_S = 200;
/** The strap keeps sending this long after the last set's last rep. */
const STRAP_TAIL_S = 200;
/** Seconds of heart rate a block. */
export const HR_BLOCK_S = 30;
/** IMU sample rate and samples a block (a block a second, as the simulator's bar IMU). */
export const IMU_HZ = 100;
const IMU_BLOCK_SAMPLES = 100;
const IMU_SEED = 3;

/** Mean velocities of the three rack sets (the third grinds to 0.33 m/s: near failure for a squat). */
const SET_VELOCITIES = [
  [0.62, 0.6, 0.57, 0.53, 0.48],
  [0.6, 0.58, 0.55, 0.5, 0.45],
  [0.6, 0.55, 0.48, 0.4, 0.33],
] as const;

export interface SessionIds {
  readonly gym: string;
  readonly athleteId: string;
  /** The rack's station (rep and set messages). */
  readonly rack: string;
  /** The strap's station (hr blocks). */
  readonly strap: string;
  /** The bar IMU's station (imu blocks, set end), when the session has an IMU set. */
  readonly imu?: string | undefined;
}

export interface SessionRep {
  readonly repIndex: number;
  readonly ts: number;
  readonly meanVelocity: number;
  readonly loadKg: number;
  readonly rom: number;
  readonly concentricMs: number;
  readonly eccentricMs: number;
}

export interface RackSet {
  readonly setId: string;
  readonly reps: readonly SessionRep[];
  /** The set end message's ts (1 s after the last rep). */
  readonly endTs: number;
}

export interface ImuSet {
  readonly setId: string;
  readonly t0: number;
  /** The truth of the synthetic trace: the reps the segmenter should find. */
  readonly truth: ReadonlyArray<{ readonly concentricStart: number; readonly concentricEnd: number; readonly meanVelocity: number }>;
  /** When the trace ends (the set end message's ts). */
  readonly endTs: number;
  readonly blocks: ReadonlyArray<{ t0: number; accel: { x: number[]; y: number[]; z: number[] }; gyro: { x: number[]; y: number[]; z: number[] } }>;
}

export interface HrBlock {
  readonly t0: number;
  readonly bpm: readonly number[];
  readonly rr?: readonly number[] | undefined;
}

/** One MQTT message of the session, with when a live device would send it. */
export interface SessionMessage {
  readonly topic: string;
  readonly payload: string;
  readonly sendAt: number;
  readonly kind: 'rep' | 'set' | 'hr' | 'imu';
  /** For set end messages: the station and set id (to wait for the set job). */
  readonly closes?: { readonly station: string; readonly setId: string } | undefined;
}

export interface WearableSession {
  readonly ids: SessionIds;
  readonly start: number;
  readonly rackSets: readonly RackSet[];
  readonly imuSet?: ImuSet | undefined;
  /** The strap's readings, one a second (what the hr blocks carry). */
  readonly readings: readonly TimedHr[];
  readonly hrBlocks: readonly HrBlock[];
  readonly messages: readonly SessionMessage[];
}

/** A synthetic bar IMU set (paused reps) starting at t0, rounded as a sensor sends it. */
function imuSetAt(setId: string, t0: number): ImuSet {
  const trace = generateSyntheticImuTrace(mulberry32(IMU_SEED), { kind: 'paused', hz: IMU_HZ, t0, reps: 5, romM: 0.6, loadKg: LOAD_KG, firstVelocity: 0.6 });
  const round = (values: readonly number[], digits: number) => values.map((value) => Math.round(value * 10 ** digits) / 10 ** digits);
  const gyro = trace.gyro ?? { x: trace.accel.x.map(() => 0), y: trace.accel.y.map(() => 0), z: trace.accel.z.map(() => 0) };
  const n = trace.accel.x.length;
  const blocks: Array<ImuSet['blocks'][number]> = [];
  for (let first = 0; first < n; first += IMU_BLOCK_SAMPLES) {
    const cut = (values: readonly number[], digits: number) => round(values.slice(first, first + IMU_BLOCK_SAMPLES), digits);
    blocks.push({
      t0: t0 + Math.round((first * 1000) / IMU_HZ),
      accel: { x: cut(trace.accel.x, 3), y: cut(trace.accel.y, 3), z: cut(trace.accel.z, 3) },
      gyro: { x: cut(gyro.x, 4), y: cut(gyro.y, 4), z: cut(gyro.z, 4) },
    });
  }
  const endTs = t0 + Math.ceil((n * 1000) / IMU_HZ);
  return { setId, t0, truth: trace.truth, endTs, blocks };
}

/**
 * The strap's heart rate, one reading a second from `start`: a first-order response (τ 20 s rising, 60 s
 * falling) to a target of 150 bpm during the warm-up, 175 from 5 s before a set's first rep to 10 s after
 * its last, 95 otherwise; integers, as most straps send.
 */
function heartRate(start: number, seconds: number, efforts: ReadonlyArray<readonly [number, number]>): TimedHr[] {
  const readings: TimedHr[] = [];
  let hr = 80;
  for (let i = 0; i < seconds; i++) {
    const ts = start + i * 1000;
    const inSet = efforts.some(([from, to]) => ts >= from - 5000 && ts <= to + 10_000);
    const target = i < WARM_UP_S ? 150 + 3 * Math.sin(i / 17) : inSet ? 175 : 95;
    hr += (target - hr) / (target > hr ? 20 : 60);
    readings.push({ ts, bpm: Math.round(hr) });
  }
  return readings;
}

/** Beat-to-beat intervals of a block: one beat after another at the current rate, ±6 ms alternating. */
function rrOf(bpm: readonly number[]): number[] {
  const rr: number[] = [];
  let elapsed = 0;
  for (let k = 0; elapsed < bpm.length * 1000; k++) {
    const rate = bpm[Math.min(bpm.length - 1, Math.floor(elapsed / 1000))] as number;
    const interval = Math.round(60_000 / rate) + (k % 2 === 0 ? 6 : -6);
    rr.push(interval);
    elapsed += interval;
  }
  return rr;
}

/** A whole minute about 2 h ago, moved back so that a session (about 32 min, and its minute points) stays within one UTC day. */
export function recentSessionStart(now = Date.now()): number {
  let start = Math.floor((now - 2 * 3600_000) / MINUTE_MS) * MINUTE_MS;
  if (dayOf(start) !== dayOf(start + 45 * MINUTE_MS)) start -= 3600_000;
  return start;
}

/**
 * The session from `start` (a whole second): 20 min of cardio, 3 rack sets 3 min apart, then (with an IMU
 * station) a fourth set measured by the bar IMU after another 3 min; the strap from the start until 200 s
 * after the last set, in 30-s blocks, every other block with rr intervals.
 */
export function planWearableSession(ids: SessionIds, start: number): WearableSession {
  const rackSets: RackSet[] = SET_VELOCITIES.map((velocities, s) => {
    const first = start + (FIRST_SET_S + s * SET_EVERY_S) * 1000;
    const reps = velocities.map((meanVelocity, i) => ({ repIndex: i + 1, ts: first + i * 4000, meanVelocity, loadKg: LOAD_KG, rom: 0.6, concentricMs: 900, eccentricMs: 1600 }));
    return { setId: `sq-${s + 1}`, reps, endTs: first + 17_000 };
  });
  const imuSet = ids.imu === undefined ? undefined : imuSetAt('imu-1', start + (FIRST_SET_S + 3 * SET_EVERY_S) * 1000 - 4000);
  const efforts: Array<readonly [number, number]> = rackSets.map((set) => [set.reps[0]?.ts ?? 0, set.reps.at(-1)?.ts ?? 0] as const);
  if (imuSet) efforts.push([imuSet.truth[0]?.concentricStart ?? imuSet.t0, imuSet.truth.at(-1)?.concentricEnd ?? imuSet.endTs]);
  const lastEffort = Math.max(...efforts.map(([, to]) => to));
  const seconds = Math.ceil((lastEffort - start) / 1000) + STRAP_TAIL_S;
  const readings = heartRate(start, seconds, efforts);

  const hrBlocks: HrBlock[] = [];
  for (let first = 0; first < readings.length; first += HR_BLOCK_S) {
    const bpm = readings.slice(first, first + HR_BLOCK_S).map((reading) => reading.bpm);
    hrBlocks.push({ t0: start + first * 1000, bpm, ...((first / HR_BLOCK_S) % 2 === 0 ? { rr: rrOf(bpm) } : {}) });
  }

  const { gym, athleteId } = ids;
  const messages: SessionMessage[] = [];
  for (const set of rackSets) {
    for (const rep of set.reps) {
      messages.push({ kind: 'rep', sendAt: rep.ts, topic: `gym/v1/${gym}/${ids.rack}/rep`, payload: JSON.stringify({ v: 1, athleteId, setId: set.setId, exercise: EXERCISE, ...rep }) });
    }
    const end = { v: 1, event: 'end', ts: set.endTs, setId: set.setId, athleteId, exercise: EXERCISE };
    messages.push({ kind: 'set', sendAt: set.endTs, topic: `gym/v1/${gym}/${ids.rack}/set`, payload: JSON.stringify(end), closes: { station: ids.rack, setId: set.setId } });
  }
  if (imuSet && ids.imu !== undefined) {
    for (const block of imuSet.blocks) {
      const payload = { v: 1, t0: block.t0, hz: IMU_HZ, athleteId, setId: imuSet.setId, exercise: EXERCISE, loadKg: LOAD_KG, mount: 'bar', accel: block.accel, gyro: block.gyro };
      messages.push({ kind: 'imu', sendAt: block.t0 + block.accel.x.length * (1000 / IMU_HZ), topic: `gym/v1/${gym}/${ids.imu}/imu`, payload: JSON.stringify(payload) });
    }
    const end = { v: 1, event: 'end', ts: imuSet.endTs, setId: imuSet.setId, athleteId, exercise: EXERCISE, loadKg: LOAD_KG };
    messages.push({ kind: 'set', sendAt: imuSet.endTs + 500, topic: `gym/v1/${gym}/${ids.imu}/set`, payload: JSON.stringify(end), closes: { station: ids.imu, setId: imuSet.setId } });
  }
  for (const block of hrBlocks) {
    messages.push({ kind: 'hr', sendAt: block.t0 + block.bpm.length * 1000, topic: `gym/v1/${gym}/${ids.strap}/hr`, payload: JSON.stringify({ v: 1, athleteId, ...block }) });
  }
  // Stable: a station's own messages keep their order (a rep before the set end of the same instant).
  messages.sort((a, b) => a.sendAt - b.sendAt);
  return { ids, start, rackSets, imuSet, readings, hrBlocks, messages };
}

/** A seeded Fisher–Yates shuffle (a gateway uploading in no particular order). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const prng = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(prng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A rack set as the worker stores it in the athlete's state. */
export function athleteSetOf(gym: string, station: string, set: RackSet): AthleteSet {
  return {
    key: athleteSetKey(station, set.setId),
    gymId: gym,
    stationId: station,
    setId: set.setId,
    exercise: EXERCISE,
    reps: set.reps.map(({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs }) => ({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs })),
  };
}

/**
 * The minutes of heart rate the worker keeps (a minute is an activity when one of its readings reaches 50 %
 * of HR reserve), with their aerobic sums outside the sets' resistance intervals: as the pure fold test builds them.
 */
export function aerobicMinutesOf(readings: readonly TimedHr[], sets: readonly AthleteSet[], profile: WearableProfile = WEARABLE_PROFILE): AerobicMinute[] {
  const intervals = sets.map((set) => {
    const ts = set.reps.map((rep) => rep.ts);
    return resistanceInterval(Math.min(...ts), Math.max(...ts));
  });
  const byMinute = new Map<number, TimedHr[]>();
  for (const reading of readings) {
    const minute = Math.floor(reading.ts / MINUTE_MS);
    byMinute.set(minute, [...(byMinute.get(minute) ?? []), reading]);
  }
  const minutes: AerobicMinute[] = [];
  for (const [minute, samples] of byMinute) {
    const hr = heartRateProfile(profile, minute * MINUTE_MS);
    if (!samples.some((sample) => isCountedIntensity(hrReserveFraction(sample.bpm, hr), DEFAULT_CONSTANTS))) continue;
    minutes.push(aerobicMinute(minute, aerobicOfSamples(samples, intervals, hr)));
  }
  return minutes;
}

/** What the pure model folds from the session's sets and minutes of heart rate, in the model's order. */
export function pureFold(sets: readonly AthleteSet[], readings: readonly TimedHr[], profile: WearableProfile = WEARABLE_PROFILE): FoldResult {
  const activities: Activity[] = [...sets, ...aerobicMinutesOf(readings, sets, profile)];
  activities.sort((a, b) => activityTs(a) - activityTs(b) || (a.key < b.key ? -1 : 1));
  return foldSets({ start: {}, sets: activities, history: new Map(), profile });
}

/**
 * The set's heart-rate fields by the design's definition (computed here, not by the model's code):
 * hr_peak = the highest bpm in [first rep − 5 s, last rep + 30 s]; hr_recovery_60s = hr_peak − the mean bpm
 * in [last rep + 55 s, last rep + 65 s], only with samples there and the next set starting after last rep + 65 s.
 */
export function expectedSetHeartRate(readings: readonly TimedHr[], firstTs: number, lastTs: number, nextFirstTs: number | undefined): { peak: number | undefined; recovery: number | undefined } {
  const inside = (from: number, to: number) => readings.filter((reading) => reading.ts >= from && reading.ts <= to).map((reading) => reading.bpm);
  const around = inside(firstTs - 5000, lastTs + 30_000);
  const peak = around.length === 0 ? undefined : Math.max(...around);
  const after = inside(lastTs + 55_000, lastTs + 65_000);
  const recovered = peak !== undefined && after.length > 0 && (nextFirstTs === undefined || nextFirstTs > lastTs + 65_000);
  return { peak, recovery: recovered ? peak - after.reduce((sum, bpm) => sum + bpm, 0) / after.length : undefined };
}
