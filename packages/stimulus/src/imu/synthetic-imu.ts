/*
 * Synthetic bar-worn IMU traces with known truth, for the imu segmenter's tests and benchmark.
 * Deterministic given the injected PRNG.
 *
 * The bar's vertical path is the samples generator's jerk-limited trajectory (synthetic-imu-plan.ts
 * plans paused, touch-and-go or grinding sets with it); the truth is read from it exactly as for
 * `samples` (readTruth). On top of it:
 * - the bar does not move straight up: a J-curve in the sagittal plane, x = κ1·Δp + κ2·(p − p_mid)²,
 *   and a small lateral drift κ3·Δp (Δp from the starting height), whose accelerations the sensor feels;
 * - the bar rolls about its long axis as it moves, φ = ρ·Δp (ρ 0.1–0.6 rad/m: up to ~25° over a
 *   deep squat), and tilts, ψ = β·Δp (β up to 0.2 rad/m);
 * - the sensor is mounted in an arbitrary orientation (uniformly random rotation);
 * - accelerometer: white Gaussian noise σ 0.02–0.03 m/s² per sample and a constant bias up to ±0.05 m/s² per axis;
 *   gyro: white noise σ 0.003–0.005 rad/s and a bias up to ±0.01 rad/s per axis.
 * Readings are rounded to 1 mm/s² and 0.1 mrad/s, as a device would send them.
 * Not modelled: the centripetal and tangential accelerations of a sensor off the roll axis (r·ω² with
 * ω ≈ 0.5 rad/s and r ≈ 2 cm is ~0.005 m/s²), scale-factor and cross-axis errors, sensor filters.
 */
import { mulberry32, uniform, type Prng } from '../segmentation/prng.js';
import { shuffleBlocks } from '../segmentation/synthetic-blocks.js';
import { STANDARD_GRAVITY } from '../segmentation/synthetic-movement.js';
import { readTruth } from '../segmentation/synthetic-sampling.js';
import type { TruthRep } from '../segmentation/synthetic-types.js';
import { planImuSet, type ImuRepKind, type ImuSetOptions } from './synthetic-imu-plan.js';
import type { ImuBlock } from './types.js';

export { mulberry32, type Prng };
export { planImuSet, type ImuRepKind, type ImuSetOptions };

export interface SyntheticImuOptions extends ImuSetOptions {
  readonly hz: number;
  /** Epoch ms of the first sample (an integer). */
  readonly t0?: number;
  /** Include the gyro (default true). */
  readonly withGyro?: boolean;
  /** Accelerometer white noise σ per sample, m/s²; default 0.02–0.03. */
  readonly accelNoise?: number;
  /** Largest accelerometer bias per axis, m/s²; default 0.05. */
  readonly accelBias?: number;
  /** Gyro white noise σ per sample, rad/s; default 0.003–0.005. */
  readonly gyroNoise?: number;
  /** Largest gyro bias per axis, rad/s; default 0.01. */
  readonly gyroBias?: number;
}

type Vec = [number, number, number];
type Mat = [Vec, Vec, Vec];

export interface SyntheticImuTrace {
  readonly t0: number;
  readonly hz: number;
  readonly loadKg: number;
  readonly kind: ImuRepKind;
  readonly accel: { x: number[]; y: number[]; z: number[] };
  readonly gyro?: { x: number[]; y: number[]; z: number[] };
  /** The true vertical position at each sample, m (for diagnosis). */
  readonly position: number[];
  readonly truth: readonly TruthRep[];
}

const mul = (a: Mat, b: Mat): Mat =>
  [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i]![0] * b[0][j]! + a[i]![1] * b[1][j]! + a[i]![2] * b[2][j]!)) as Mat;
/** Rᵀ·v. */
const mulT = (r: Mat, v: Vec): Vec => [
  r[0][0] * v[0] + r[1][0] * v[1] + r[2][0] * v[2],
  r[0][1] * v[0] + r[1][1] * v[1] + r[2][1] * v[2],
  r[0][2] * v[0] + r[1][2] * v[1] + r[2][2] * v[2],
];
const rotX = (a: number): Mat => [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
const rotY = (a: number): Mat => [[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]];

/** A uniformly random rotation (Shoemake's random unit quaternion). */
function randomRotation(prng: Prng): Mat {
  const u1 = prng();
  const u2 = 2 * Math.PI * prng();
  const u3 = 2 * Math.PI * prng();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const [w, x, y, z] = [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** A standard normal deviate (Box–Muller). */
function gauss(prng: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - prng())) * Math.cos(2 * Math.PI * prng());
}

/** As on the wire: 1 mm/s² (a 16-bit ±4 g accelerometer's step is 1.2) and 0.1 mrad/s. */
const roundA = (x: number): number => Math.round(x * 1000) / 1000;
const roundG = (x: number): number => Math.round(x * 10000) / 10000;

const sign = (prng: Prng) => (prng() < 0.5 ? -1 : 1);

/** One set of `kind` reps as a bar-worn IMU at `hz` would report it. */
export function generateSyntheticImuTrace(prng: Prng, options: SyntheticImuOptions): SyntheticImuTrace {
  const { hz } = options;
  const t0 = options.t0 ?? 1_793_032_880_000;
  const plan = planImuSet(prng, options);
  const truth = readTruth(plan, t0, 0.03);
  const { traj } = plan;
  const withGyro = options.withGyro !== false;
  const g = STANDARD_GRAVITY;

  const mount = randomRotation(prng);
  const k1 = uniform(prng, -0.1, 0.1);
  const k2 = uniform(prng, -0.3, 0.3);
  const k3 = uniform(prng, -0.03, 0.03);
  const rho = sign(prng) * uniform(prng, 0.1, 0.6);
  const beta = uniform(prng, -0.2, 0.2);
  const sa = options.accelNoise ?? uniform(prng, 0.02, 0.03);
  const sg = options.gyroNoise ?? uniform(prng, 0.003, 0.005);
  const ba = options.accelBias ?? 0.05;
  const bg = options.gyroBias ?? 0.01;
  const accelBias: Vec = [uniform(prng, -ba, ba), uniform(prng, -ba, ba), uniform(prng, -ba, ba)];
  const gyroBias: Vec = [uniform(prng, -bg, bg), uniform(prng, -bg, bg), uniform(prng, -bg, bg)];

  const p0 = traj.startPosition;
  let lo = p0;
  let hi = p0;
  for (let t = 0; t <= traj.end; t += 0.01) {
    const p = traj.at(t)[0];
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
  }
  const pMid = (lo + hi) / 2;

  const count = Math.floor(traj.end * hz) + 1;
  const accel = { x: new Array<number>(count), y: new Array<number>(count), z: new Array<number>(count) };
  const gyro = { x: new Array<number>(count), y: new Array<number>(count), z: new Array<number>(count) };
  const position = new Array<number>(count);
  let hint = 0;
  for (let i = 0; i < count; i++) {
    const time = i / hz;
    hint = traj.pieceAt(time, hint);
    const [p, v, a] = traj.at(time, hint);
    position[i] = p;
    const dp = p - p0;
    // World frame: x forward, y along the bar, z up. Specific force = acceleration + g·up.
    const ax = k1 * a + 2 * k2 * (v * v + (p - pMid) * a);
    const ay = k3 * a;
    const rx = rotX(beta * dp);
    const r = mul(mul(rx, rotY(rho * dp)), mount);
    const f = mulT(r, [ax, ay, a + g]);
    // ω_world = ψ̇·x + Rx(ψ)·(φ̇·y); the sensor sees Rᵀ·ω_world.
    const phiDot = rho * v;
    const w = mulT(r, [beta * v + rx[0][1] * phiDot, rx[1][1] * phiDot, rx[2][1] * phiDot]);
    accel.x[i] = roundA(f[0] + accelBias[0] + sa * gauss(prng));
    accel.y[i] = roundA(f[1] + accelBias[1] + sa * gauss(prng));
    accel.z[i] = roundA(f[2] + accelBias[2] + sa * gauss(prng));
    gyro.x[i] = roundG(w[0] + gyroBias[0] + sg * gauss(prng));
    gyro.y[i] = roundG(w[1] + gyroBias[1] + sg * gauss(prng));
    gyro.z[i] = roundG(w[2] + gyroBias[2] + sg * gauss(prng));
  }
  return { t0, hz, loadKg: plan.loadKg, kind: options.kind, accel, ...(withGyro ? { gyro } : {}), position, truth };
}

/** The trace without its gyro (what an accelerometer-only sensor sends). */
export const withoutGyro = (trace: SyntheticImuTrace): SyntheticImuTrace => {
  const { gyro: _gyro, ...rest } = trace;
  return rest;
};

const sliceAxes = (axes: { x: number[]; y: number[]; z: number[] }, from: number, to: number) => ({
  x: axes.x.slice(from, to),
  y: axes.y.slice(from, to),
  z: axes.z.slice(from, to),
});

/** Cuts a trace into contiguous `imu` blocks of [minSize, maxSize] samples, t0 rounded to the ms. */
export function splitImuIntoBlocks(trace: SyntheticImuTrace, prng: Prng, minSize = 1, maxSize = 2000): ImuBlock[] {
  const blocks: ImuBlock[] = [];
  const period = 1000 / trace.hz;
  const n = trace.accel.x.length;
  for (let start = 0; start < n; ) {
    const size = Math.min(n - start, minSize + Math.floor(prng() * (maxSize - minSize + 1)));
    blocks.push({
      t0: Math.round(trace.t0 + start * period),
      hz: trace.hz,
      loadKg: trace.loadKg,
      mount: 'bar',
      accel: sliceAxes(trace.accel, start, start + size),
      ...(trace.gyro ? { gyro: sliceAxes(trace.gyro, start, start + size) } : {}),
    });
    start += size;
  }
  return blocks;
}

/** A delivery order in which no block arrives after more than `maxLateSamples` samples of later blocks (see shuffleBlocks). */
export function shuffleImuBlocks(blocks: readonly ImuBlock[], prng: Prng, maxLateSamples: number): ImuBlock[] {
  return shuffleBlocks(blocks.map((block) => ({ block, position: block.accel.x })), prng, maxLateSamples).map((entry) => entry.block);
}
