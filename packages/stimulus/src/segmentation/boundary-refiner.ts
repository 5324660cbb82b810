/*
 * Refines a concentric's start and end — the crossings of +threshold found on the FIR's velocity — with
 * a local Rauch–Tung–Striebel smoother (rts-smoother.ts) of the averaged samples in the FIR's own
 * window around the crossing (L samples each side: the samples at hand whenever the FIR output is, so
 * the result does not depend on how the samples were split into blocks).
 *
 * Why: at a paused start or a lockout the velocity rises slowly from rest, and the FIR — a fixed
 * low-pass — spreads the rise over its whole length: its crossing comes early at the start and late at
 * the lockout (a 2–4 ms bias each, durations too long) and the noise scatters it (±20 ms at 50 Hz).
 * A smoother can use what the FIR cannot: that the bar was at rest before the start. The model is a
 * constant-jerk one driven by white snap with the FIR's bandwidth (ω = 2π·cut-off, q = ω⁸·r·dt), made
 * nearly rigid (q × 1e−3) up to REST_LEAD_MS before the crossing when the bar was at rest
 * there — still at rest: the samples more than REST_GAP_MS before it lie within REST_RADIUS_M — and
 * then released: the acceleration and jerk may take whatever value the samples after call for (see
 * RELEASE_JERK_SD). The crossing it is anchored at is the FIR's, then the refined one (a second pass),
 * so the result does not depend on the FIR's error. The
 * lockout is the same problem backwards in time (the bar at rest after it), so it is smoothed on the
 * window reversed in time and negated, which leaves the velocity unchanged.
 *
 * Measured (segmenter.accuracy.test.ts seeds, README): reps within 3 % / 0.02 m/s from 89 → 93 % at
 * 50 Hz, 93 → 97 % at 100 Hz, 97 → 99.6 % at 200 Hz. ω, REST_LEAD_MS and the rigidity were chosen on
 * other seeds (1000·hz + 500…539). REST_LEAD_MS is the constant that sets the bias: how long before the
 * threshold crossing the bar may already be moving (20 ms; the true values are 18–93 ms, so a slow start
 * is placed a few ms late, noise-free). The smoother without the rest model gained nothing: a stationary
 * Kalman smoother is just another low-pass. Without the release, the bias depended on the shape: a
 * sharp lockout (the bar stopping 14–20 ms after the crossing) came 2–8 ms late, a slow one 3–8 ms early,
 * noise-free; the release with the second pass takes the reps within target from 93.3 → 96.8 % at 50 Hz
 * and 99.7 → 100 % at 500 and 1000 Hz (README).
 */
import { crossingFraction } from './interpolation.js';
import { applySmoother, smootherGains } from './rts-smoother.js';

/** The model stays nearly rigid until this long before the crossing (see the header), ms. */
const REST_LEAD_MS = 20;
/** q is multiplied by this where the model is nearly rigid. */
const REST_Q_SCALE = 1e-3;
/**
 * Where the rigid stretch ends, the bar may already be moving (a slow start leaves rest up to 93 ms
 * before its crossing) or be about to move sharply (a quick start or a sharp lockout, 14–20 ms): its
 * acceleration and jerk there are not known from the rest before. Both are released: the jerk as the
 * moving model's prior (200 m/s³), the acceleration by the most it can average over the lead while v
 * stays under the threshold (threshold ÷ REST_LEAD_MS, 1.5 m/s²).
 */
const RELEASE_JERK_SD = 200;
/** The bar was at rest when its samples more than REST_GAP_MS from the crossing lie within REST_RADIUS_M. */
const REST_GAP_MS = 150;
const REST_RADIUS_M = 0.006;
/** A refined crossing further than this from the FIR's is not trusted (never seen on the test traces), ms. */
const MAX_SHIFT_MS = 50;
/** Position noise of one raw sample: uniform ±2 mm (the sensor spec), variance (2 mm)²/3. */
const RAW_NOISE_VAR = (0.002 * 0.002) / 3;

const refiners = new Map<string, BoundaryRefiner>();

/** The refiner for a stream's filter (memoised, with its gains, across blocks and sets). */
export function boundaryRefiner(half: number, periodMs: number, group: number, cutoffHz: number, threshold: number): BoundaryRefiner {
  const key = `${half}|${periodMs}|${group}|${cutoffHz}|${threshold}`;
  let refiner = refiners.get(key);
  if (refiner === undefined) {
    refiner = new BoundaryRefiner(half, periodMs, group, cutoffHz, threshold);
    if (refiners.size > 64) refiners.clear();
    refiners.set(key, refiner);
  }
  return refiner;
}

/**
 * The smoother as weights: its outputs are linear in the samples and its gains do not depend on them,
 * so the smoothed velocity (acceleration) at sample k is Σⱼ v[k·N + j]·y[j] (a[…]). Computing one
 * such sum where the crossing search needs it is far cheaper than running the smoother per boundary.
 */
interface SmootherWeights {
  readonly v: Float64Array;
  readonly a: Float64Array;
}

export class BoundaryRefiner {
  private readonly dtS: number;
  private readonly r: number;
  private readonly q: number;
  private readonly n: number;
  private readonly y: Float64Array;
  /** Weights per model: key −1 moving, else the sample where the rigid stretch ends. */
  private readonly weights = new Map<number, SmootherWeights>();

  /**
   * @param half the FIR's half-length L (internal samples): the window is 2L + 1 samples
   * @param periodMs the internal sample period (raw period × group), ms
   * @param group raw samples averaged into one internal sample
   * @param cutoffHz the FIR's cut-off
   */
  constructor(
    private readonly half: number,
    private readonly periodMs: number,
    group: number,
    cutoffHz: number,
    private readonly threshold: number,
  ) {
    this.dtS = periodMs / 1000;
    this.r = RAW_NOISE_VAR / group;
    this.q = Math.pow(2 * Math.PI * cutoffHz, 8) * this.r * this.dtS;
    this.n = 2 * half + 1;
    this.y = new Float64Array(this.n);
  }

  private weightsFor(key: number): SmootherWeights {
    let w = this.weights.get(key);
    if (w === undefined) {
      const N = this.n;
      const qScale = new Float64Array(N);
      for (let k = 0; k < N; k++) qScale[k] = k < key ? REST_Q_SCALE : 1;
      // At rest: velocity, acceleration and jerk start near 0; moving: unknown.
      const release = { at: key, sd: [0, this.threshold / (REST_LEAD_MS / 1000), RELEASE_JERK_SD] };
      const gains = smootherGains(N, this.dtS, {
        order: 4,
        q: this.q,
        r: this.r,
        priorSd: key >= 0 ? [0.002, 0.05, 1] : [1, 20, 200],
        qScale,
        ...(key >= 0 ? { release } : {}),
      });
      w = { v: new Float64Array(N * N), a: new Float64Array(N * N) };
      const unit = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        unit.fill(0);
        unit[j] = 1;
        const [, vj, aj] = applySmoother(unit, gains);
        for (let k = 0; k < N; k++) {
          w.v[k * N + j] = vj![k]!;
          w.a[k * N + j] = aj![k]!;
        }
      }
      this.weights.set(key, w);
    }
    return w;
  }

  /**
   * The refined time (ms) of a crossing of +threshold found at `crossT` between internal samples
   * c − 1 and c (c at time `t`), upwards (`start`) or downwards (`end`); win[c − L … c + L] are the
   * averaged positions. Returns crossT when the smoother finds no crossing near it.
   *
   * The rigid stretch ends REST_LEAD_MS before a crossing: first the FIR's, then — one more pass —
   * the smoother's own, so that where the model lets go of the rest (and the crossing it finds) does
   * not depend on the FIR's error (±20 ms with noise at 50 Hz).
   */
  refine(win: readonly number[], c: number, t: number, crossT: number, edge: 'start' | 'end'): number {
    const first = this.refineFrom(win, c, t, crossT, edge);
    if (first === crossT) return crossT;
    const second = this.refineFrom(win, c, t, first, edge);
    return Math.abs(second - crossT) <= MAX_SHIFT_MS ? second : first;
  }

  /** One pass of refine, the rigid stretch anchored at `crossT`. */
  private refineFrom(win: readonly number[], c: number, t: number, crossT: number, edge: 'start' | 'end'): number {
    const L = this.half;
    const N = this.n;
    if (c - L < 0 || c + L >= win.length) return crossT;
    const y = this.y;
    const forward = edge === 'start';
    // Smoothing direction: forward for the start, backward (negated) for the end; y[L] is sample c.
    for (let k = 0; k < N; k++) y[k] = forward ? win[c - L + k]! : -win[c + L - k]!;
    const centre = L + (forward ? 1 : -1) * ((crossT - t) / this.periodMs);

    const restEnd = Math.floor(centre - REST_GAP_MS / this.periodMs);
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k <= restEnd; k++) {
      lo = Math.min(lo, y[k]!);
      hi = Math.max(hi, y[k]!);
    }
    const atRest = restEnd >= 1 && hi - lo <= REST_RADIUS_M;
    const rigidUntil = Math.min(N, Math.max(0, Math.round(centre) - Math.round(REST_LEAD_MS / this.periodMs)));
    const w = this.weightsFor(atRest ? rigidUntil : -1);
    const at = (weights: Float64Array, k: number): number => {
      let s = 0;
      for (let j = 0, o = k * N; j < N; j++) s += weights[o + j]! * y[j]!;
      return s;
    };

    // The smoothed velocity's upward crossing next to the FIR's: back from the centre while above the
    // threshold, else forward to where it rises through it.
    const thr = this.threshold;
    let k = Math.min(N - 2, Math.max(0, Math.round(centre)));
    let vk = at(w.v, k);
    let vk1: number;
    if (vk > thr) {
      do {
        vk1 = vk;
        k--;
        vk = k >= 0 ? at(w.v, k) : NaN;
      } while (k >= 0 && vk > thr);
      if (k < 0) return crossT;
    } else {
      vk1 = at(w.v, k + 1);
      while (k < N - 2 && vk1 <= thr) {
        k++;
        vk = vk1;
        vk1 = at(w.v, k + 1);
      }
      if (vk1 <= thr) return crossT;
    }
    const theta = crossingFraction(vk, at(w.a, k), vk1, at(w.a, k + 1), this.dtS, thr);
    const refined = t + (forward ? k + theta - L : L - k - theta) * this.periodMs;
    return Math.abs(refined - crossT) <= MAX_SHIFT_MS ? refined : crossT;
  }
}
