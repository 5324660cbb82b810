import { generateSyntheticImuTrace, planImuSet, type SyntheticImuOptions } from '@neurolift/stimulus';
import type { ExerciseProfile } from './exercises.js';
import { hashString, mulberry32 } from './prng.js';
import type { PlannedRep, SetScheme } from './set-plan.js';

/** The bar IMU's sample rate, Hz, and the samples of one `imu` block (one second; about 5 KB of JSON). */
export const BAR_IMU_HZ = 100;
export const BAR_IMU_BLOCK_SAMPLES = 100;

/**
 * How the bar IMU sees one set: the model package's synthetic bar-worn IMU generator
 * (generateSyntheticImuTrace: the bar's jerk-limited path, a J-curve, roll and tilt, a randomly oriented
 * mount, accelerometer and gyro noise and bias), for paused reps with the planned set's rep count, ROM,
 * load and first-rep velocity. Its own timing (descent 0.7–2 s, pauses, 0.8–2 s still before the first
 * rep and 1–2 s after the last lockout) sets the set's duration.
 */
export interface BarImuSet {
  /** Seed of the trace's PRNG: the same seed gives the same samples. */
  readonly seed: number;
  readonly options: SyntheticImuOptions;
  /** Samples of the whole set at BAR_IMU_HZ. */
  readonly samples: number;
}

export function planBarImuSet(stationId: string, setId: string, seed: number, exercise: ExerciseProfile, scheme: SetScheme, reps: readonly PlannedRep[]): BarImuSet {
  const traceSeed = (hashString(`imu/${stationId}/${setId}`) ^ seed) >>> 0;
  const romM = reps.reduce((sum, rep) => sum + rep.rom, 0) / Math.max(1, reps.length) || exercise.nominalRomM;
  const options: SyntheticImuOptions = {
    kind: 'paused',
    hz: BAR_IMU_HZ,
    t0: 0,
    reps: reps.length,
    romM,
    loadKg: scheme.loadKg,
    firstVelocity: reps[0]?.meanVelocity ?? exercise.velocityAt(scheme.intensity),
  };
  // generateSyntheticImuTrace plans the set with the first draws of its PRNG: the same seed gives this plan.
  const { traj } = planImuSet(mulberry32(traceSeed), options);
  return { seed: traceSeed, options, samples: Math.floor(traj.end * BAR_IMU_HZ) + 1 };
}

/** The samples of a planned bar IMU set, rounded as a sensor would send them (mm/s², mrad/s / 10). */
export interface BarImuSamples {
  readonly accel: { readonly x: number[]; readonly y: number[]; readonly z: number[] };
  readonly gyro: { readonly x: number[]; readonly y: number[]; readonly z: number[] };
}

export function barImuSamples(set: BarImuSet): BarImuSamples {
  const trace = generateSyntheticImuTrace(mulberry32(set.seed), set.options);
  const round = (values: readonly number[], digits: number) => values.map((value) => Math.round(value * 10 ** digits) / 10 ** digits);
  const gyro = trace.gyro ?? { x: trace.accel.x.map(() => 0), y: trace.accel.y.map(() => 0), z: trace.accel.z.map(() => 0) };
  return {
    accel: { x: round(trace.accel.x, 3), y: round(trace.accel.y, 3), z: round(trace.accel.z, 3) },
    gyro: { x: round(gyro.x, 4), y: round(gyro.y, 4), z: round(gyro.z, 4) },
  };
}

export function sliceSamples(samples: BarImuSamples, first: number, count: number): BarImuSamples {
  const cut = (values: readonly number[]) => values.slice(first, first + count);
  return {
    accel: { x: cut(samples.accel.x), y: cut(samples.accel.y), z: cut(samples.accel.z) },
    gyro: { x: cut(samples.gyro.x), y: cut(samples.gyro.y), z: cut(samples.gyro.z) },
  };
}
