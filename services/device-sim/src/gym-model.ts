import type { HrMessage, ImuMessage, RepMessage, SetMessage, StatusMessage } from '@neurolift/contracts';
import { BAR_IMU_BLOCK_SAMPLES, BAR_IMU_HZ, planBarImuSet, type BarImuSet } from './bar-imu.js';
import { EXERCISES, type ExerciseProfile } from './exercises.js';
import { planHeartRate, setEffort, type EffortInterval } from './heart-rate-model.js';
import { hashString, hex, integer, mulberry32, uniform, type Random } from './prng.js';
import { planReps, planScheme, repsToFailure, type PlannedRep, type SetScheme } from './set-plan.js';

/** Protocol messages without `v` (the device client adds it) and `ts` (stamped when published). */
export type RepPlan = Omit<RepMessage, 'v' | 'ts'>;
export type SetPlan = Omit<SetMessage, 'v' | 'ts'>;
export type StatusPlan = Omit<StatusMessage, 'v' | 'ts'>;
/**
 * One `imu` block of a set, without its samples (generated from the set's `imu` plan when published)
 * and `t0` (the set's first sample time, stamped when published, plus `first` samples).
 */
export type ImuBlockPlan = Omit<ImuMessage, 'v' | 't0' | 'accel' | 'gyro'> & {
  /** Index of the block's first sample in the set, and its number of samples. */
  readonly first: number;
  readonly count: number;
};
/** One `hr` block without `t0` (the strap's first second, stamped when published, plus `startMs`). */
export type HrBlockPlan = Omit<HrMessage, 'v' | 't0'> & { readonly startMs: number };

/**
 * One thing a station or one of its wearables says, `atMs` after the simulation starts (simulated
 * time, before speed-up). `imu` blocks, and `set` events marked `device: 'imu'`, come from the rack's bar
 * IMU; `hr` blocks from the athlete's heart-rate strap; everything else from the station itself.
 */
export type TimelineEvent =
  | { readonly atMs: number; readonly kind: 'rep'; readonly message: RepPlan }
  | { readonly atMs: number; readonly kind: 'set'; readonly message: SetPlan; readonly device?: 'imu' }
  | { readonly atMs: number; readonly kind: 'status'; readonly message: StatusPlan }
  | { readonly atMs: number; readonly kind: 'imu'; readonly message: ImuBlockPlan }
  | { readonly atMs: number; readonly kind: 'hr'; readonly message: HrBlockPlan };

/** A wearable: a station of its own (its id is its broker username and client id). */
export interface SimDevice {
  readonly id: string;
  readonly model: string;
  readonly firmware: string;
}

export interface SimAthlete {
  readonly id: string;
  readonly bodyMassKg: number;
  /** 1RM per exercise id, kg. */
  readonly oneRmKg: Readonly<Record<string, number>>;
}

export interface SimStation {
  readonly id: string;
  readonly exercise: string;
  readonly model: string;
  readonly firmware: string;
  /** false: the station sends no `set` start/end, so the pipeline's idle timeout must close its sets. */
  readonly sendsSetEvents: boolean;
  /** true: the station reports a short power loss (`status` offline, then online) in the rest after its first set. */
  readonly blips: boolean;
}

export interface PlannedSet {
  readonly setId: string;
  readonly scheme: SetScheme;
  readonly reps: readonly PlannedRep[];
  /** At a rack whose bar IMU measures the sets: how it sees this one (then the rack sends no reps). */
  readonly imu?: BarImuSet;
}

export interface StationTimeline {
  readonly station: SimStation;
  readonly athlete: SimAthlete;
  readonly sets: readonly PlannedSet[];
  /** Sorted by atMs. */
  readonly events: readonly TimelineEvent[];
  /** atMs of the last event. */
  readonly durationMs: number;
  /** The wearables (with `wearables`): the athlete's heart-rate strap, and the rack's bar IMU at every second rack. */
  readonly devices?: { readonly hr?: SimDevice; readonly imu?: SimDevice };
}

export interface PlanGymOptions {
  /** Default `demo-gym`. Part of every station id, so gyms never share a station. */
  readonly gymId?: string;
  readonly stations: number;
  readonly setsPerStation: number;
  readonly seed: number;
  /**
   * Tells runs apart: part of every setId, so replaying a seed does not collide with the sets of an
   * earlier run (the pipeline stores a rep once per station, set and repIndex). Default `r0`; at most 40 characters of the id rule.
   */
  readonly runId?: string;
  /** Every station omits `set` events (default: every third station does). */
  readonly omitSetEvents?: boolean;
  /** Rest between sets, [min, max) ms of simulated time. Default 90–180 s. */
  readonly restMs?: readonly [number, number];
  /**
   * Device protocol v1.1 wearables (default false): every athlete wears a heart-rate strap (station
   * `hr-<athleteId>`, an `hr` block every 5 s from the start until 65 s after the last set), and every
   * second rack (odd index) has a bar IMU (station `imu-<rackId>`, mount `bar`, 100 Hz) that measures its
   * sets instead of the rack's own sensor: the IMU station sends the sets' `imu` blocks (and their `set`
   * events when the rack would), the rack itself then sends only its `status`.
   */
  readonly wearables?: boolean;
}

const DEFAULT_REST_MS: readonly [number, number] = [90_000, 180_000];
/** Heart rate keeps being sent this long after the athlete's last set (hr_recovery_60s needs 60 s of it). */
const HR_TAIL_MS = 65_000;
const HR_BLOCK_S = 5;
const RUN_ID = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Plans a whole simulated gym: per station one athlete doing `setsPerStation` sets of one exercise at
 * one load, as timelines of protocol messages. Pure and deterministic: the same options give the same
 * plan (athletes included, so repeated demo runs build up the same athletes' history).
 */
export function planGym(options: PlanGymOptions): StationTimeline[] {
  const gymId = options.gymId ?? 'demo-gym';
  const runId = options.runId ?? 'r0';
  if (!RUN_ID.test(runId)) throw new Error(`runId must be 1 to 40 characters of A-Z a-z 0-9 _ -, got "${runId}"`);
  const random = mulberry32(hashString(gymId) ^ options.seed);
  const athleteIds = new Set<string>();
  const timelines: StationTimeline[] = [];
  for (let index = 0; index < options.stations; index++) {
    const exercise = EXERCISES[index % EXERCISES.length] ?? EXERCISES[0]!;
    const station = createStation(gymId, index, exercise, {
      sendsSetEvents: !options.omitSetEvents && index % 3 !== 2,
      blips: index % 4 === 3 && options.setsPerStation > 1,
    });
    const athlete = createAthlete(random, athleteIds);
    const wearables = options.wearables === true;
    const devices = wearables ? wearableDevices(station, athlete, index) : undefined;
    const input = { station, athlete, exercise, runId, sets: options.setsPerStation, restMs: options.restMs ?? DEFAULT_REST_MS, seed: options.seed };
    timelines.push(planStation(random, devices === undefined ? input : { ...input, devices }));
  }
  return timelines;
}

function wearableDevices(station: SimStation, athlete: SimAthlete, index: number): NonNullable<StationTimeline['devices']> {
  const hr: SimDevice = { id: `hr-${athlete.id}`, model: 'hr-strap', firmware: '3.2.0' };
  return index % 2 === 1 ? { hr, imu: { id: `imu-${station.id}`, model: 'bar-imu', firmware: '1.1.0' } } : { hr };
}

function createStation(
  gymId: string,
  index: number,
  exercise: ExerciseProfile,
  behaviour: { readonly sendsSetEvents: boolean; readonly blips: boolean },
): SimStation {
  return {
    id: `${gymId.slice(0, 52)}-st${String(index + 1).padStart(3, '0')}`,
    exercise: exercise.id,
    model: behaviour.sendsSetEvents ? 'rack-pro' : 'bar-sense-lite',
    firmware: behaviour.sendsSetEvents ? '2.4.1' : '1.0.3',
    ...behaviour,
  };
}

/** An athlete of 55–110 kg with a 1RM for every exercise; ids are pseudonymous (`a-` + 8 hex digits). */
export function createAthlete(random: Random, taken: Set<string> = new Set()): SimAthlete {
  let id: string;
  do id = `a-${hex(random, 8)}`;
  while (taken.has(id));
  taken.add(id);
  const bodyMassKg = Math.round(uniform(random, 55, 110) * 2) / 2;
  const oneRmKg: Record<string, number> = {};
  for (const exercise of EXERCISES) {
    const [weak, strong] = exercise.strengthRatio;
    oneRmKg[exercise.id] = Math.round((bodyMassKg * uniform(random, weak, strong)) / 2.5) * 2.5;
  }
  return { id, bodyMassKg, oneRmKg };
}

interface StationPlanInput {
  readonly station: SimStation;
  readonly athlete: SimAthlete;
  readonly exercise: ExerciseProfile;
  readonly runId: string;
  readonly sets: number;
  readonly restMs: readonly [number, number];
  readonly seed: number;
  readonly devices?: NonNullable<StationTimeline['devices']>;
}

function planStation(random: Random, input: StationPlanInput): StationTimeline {
  const { station, athlete, exercise } = input;
  const scheme = planScheme(random, athlete.oneRmKg[exercise.id] ?? 100);
  // The device client announces `online: true` itself on every connect; the timeline only adds what
  // the equipment would say on its own.
  const events: TimelineEvent[] = [];
  const sets: PlannedSet[] = [];
  const efforts: EffortInterval[] = [];
  const imuDevice = input.devices?.imu;
  const hardware = { model: station.model, firmware: station.firmware };
  let clock = integer(random, 1000, 15_000); // stations do not all start at once
  for (let setIndex = 0; setIndex < input.sets; setIndex++) {
    if (setIndex > 0) {
      const restMs = Math.round(uniform(random, input.restMs[0], input.restMs[1]));
      if (station.blips && setIndex === 1) {
        const offAt = clock + Math.round(restMs * uniform(random, 0.2, 0.4));
        events.push({ atMs: offAt, kind: 'status', message: { online: false, ...hardware } });
        const downMs = Math.min(integer(random, 5000, 20_000), Math.round(restMs * 0.5)); // back before the next set
        events.push({ atMs: offAt + downMs, kind: 'status', message: { online: true, ...hardware } });
      }
      clock += restMs;
    }
    const setId = `s-${input.runId}-${String(setIndex + 1).padStart(2, '0')}`;
    const reps = planReps(random, exercise, scheme, setIndex);
    const common = { setId, athleteId: athlete.id, exercise: exercise.id, loadKg: scheme.loadKg };
    const setStart = clock;
    if (imuDevice === undefined) {
      sets.push({ setId, scheme, reps });
      if (station.sendsSetEvents) events.push({ atMs: clock, kind: 'set', message: { event: 'start', ...common } });
      for (const rep of reps) {
        clock += rep.pauseBeforeMs + rep.eccentricMs + rep.concentricMs; // a rep's ts is the end of its concentric phase
        const { repIndex, meanVelocity, peakVelocity, rom, concentricMs, eccentricMs } = rep;
        events.push({ atMs: clock, kind: 'rep', message: { ...common, repIndex, meanVelocity, peakVelocity, rom, concentricMs, eccentricMs } });
      }
    } else {
      // The bar IMU's samples of the set (the set's time from the generator's own timing), a block a second,
      // each sent once complete; `set` events from the IMU's gateway when the rack would send them.
      const imu = planBarImuSet(imuDevice.id, setId, input.seed, exercise, scheme, reps);
      sets.push({ setId, scheme, reps, imu });
      if (station.sendsSetEvents) events.push({ atMs: clock, kind: 'set', message: { event: 'start', ...common }, device: 'imu' });
      const periodMs = 1000 / BAR_IMU_HZ;
      for (let first = 0; first < imu.samples; first += BAR_IMU_BLOCK_SAMPLES) {
        const count = Math.min(BAR_IMU_BLOCK_SAMPLES, imu.samples - first);
        events.push({ atMs: setStart + Math.ceil((first + count) * periodMs), kind: 'imu', message: { ...common, mount: 'bar', hz: BAR_IMU_HZ, first, count } });
      }
      clock = setStart + Math.ceil(imu.samples * periodMs);
    }
    efforts.push({ fromMs: setStart, toMs: clock, effort: setEffort(scheme.reps, repsToFailure(scheme.intensity), setIndex) });
    clock += imuDevice === undefined ? integer(random, 1500, 4000) : integer(random, 300, 800); // re-racking (the IMU trace ends 1–2 s after lockout)
    if (station.sendsSetEvents) events.push({ atMs: clock, kind: 'set', message: { event: 'end', ...common }, ...(imuDevice === undefined ? {} : { device: 'imu' as const }) });
  }
  if (input.devices?.hr !== undefined) {
    const untilMs = (efforts[efforts.length - 1]?.toMs ?? clock) + HR_TAIL_MS;
    for (const block of planHeartRate(athlete, efforts, untilMs, HR_BLOCK_S)) {
      const { startMs, bpm, rr } = block;
      events.push({ atMs: startMs + bpm.length * 1000, kind: 'hr', message: { athleteId: athlete.id, startMs, bpm, rr } });
    }
    events.sort((a, b) => a.atMs - b.atMs); // stable: a station's own events keep their order
  }
  const last = events[events.length - 1];
  const timeline = { station, athlete, sets, events, durationMs: last?.atMs ?? 0 };
  return input.devices === undefined ? timeline : { ...timeline, devices: input.devices };
}
