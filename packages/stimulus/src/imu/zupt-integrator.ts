/*
 * Vertical acceleration → velocity → position, with zero-velocity updates (ZUPT).
 *
 * A still moment is a run of quiet samples (vertical acceleration near zero, gyro quiet) at least
 * stillMs long, their mean acceleration nearer zero still, with the integrated velocity near zero (the
 * allowance grows with the time since the last still moment, for drift) — the bar is paused at the
 * bottom, locked out or racked — or a quiet run of stillRecoveryMs whatever the velocity (a slow grind
 * can be quiet for a moment, never for that long; after a wrong still moment, the velocity is off and
 * this is what finds the next one). There the velocity is zero and the position holds. Between two still moments the samples are
 * kept (a "stretch"); when the next still moment is found, the stretch is integrated (trapezoids) and
 * the velocity it ends with — which should be zero — is removed as a linear ramp from the stretch's
 * start, i.e. as a constant acceleration bias over the stretch (the accelerometer's bias along "up",
 * the residue of the gravity reference). Then its positions are emitted, and the still samples' at the
 * position reached. So positions come out stillMs after the bar stops, at the latest. The last stillMs
 * of a still moment are held back and start the next stretch: a slow start can stay under the quiet
 * limit for tens of ms while the bar already moves (v = a²/2j at the limit: ~3 mm/s for a grind's start).
 *
 * A touch-and-go set has no still moment between reps: the whole run of reps is one stretch, corrected
 * when the bar stops at its end — with its turnarounds at the lockout (or floor) it started from
 * brought level, not only its end velocity to zero (level-turnarounds.ts). A stretch longer than maxStretchS is not kept whole: its older half is
 * integrated forward (velocity carried on) and emitted, so the state stays bounded; only that part then
 * keeps its drift (see README: measured).
 */

import type { ImuOwnParams } from './imu-params.js';
import { levelTurnarounds } from './level-turnarounds.js';

/** The integrator's state between blocks (plain numbers; `stretch` in integer units of 0.1 mm/s², short in JSON). */
export interface ZuptState {
  readonly still: boolean;
  /** Quiet samples in a row at the end of the stretch. */
  readonly quietRun: number;
  /** Vertical accelerations of the samples since the last still moment (or forward flush); while still, the held-back last samples. */
  readonly stretch: readonly number[];
  /** Velocity and acceleration just before stretch[0]. */
  readonly v0: number;
  readonly a0: number;
  /** Position just before stretch[0] (or of the still moment), m. */
  readonly p0: number;
  /** Velocity integrated forward to the end of the stretch (uncorrected), m/s. */
  readonly vEnd: number;
  /** The stretch starts at a still moment (not after a forward flush): its start height is known. */
  readonly anchored: boolean;
  /** Height of the last lockout (a still moment reached going up; at first the set's first still moment), m; null before. */
  readonly lockout: number | null;
  /** Σ T³ of the moving stretches since that lockout, s³ (their position errors' variance, in units of q/12). */
  readonly sinceLockout: number;
  /** Σ a² and count of still samples: the accelerometer's noise, for q = var(a)·dt. */
  readonly noise: readonly [number, number];
}

export const freshZupt = (): ZuptState => ({ still: false, quietRun: 0, stretch: [], v0: 0, a0: 0, p0: 0, vEnd: 0, anchored: false, lockout: null, sinceLockout: 0, noise: [0, 0] });

/** A still moment this far above the last one is a lockout, m. */
const MIN_RISE_M = 0.05;
/** A rising stretch ending further than this from the last lockout's height stopped somewhere else, m. */
const MAX_LOCKOUT_MISMATCH_M = 0.04;
/** How consistently a lifter locks out at the same height, m. */
const LOCKOUT_SIGMA_M = 0.01;

/** A quiet run inside a stretch is a still moment after all when the corrected velocity stays under this, m/s. */
const MISSED_STILL_MPS = 0.05;

/** Accelerations are kept to 0.1 mm/s² (far below any accelerometer's noise), as integers in the state. */
const STEP = 1e4;
const quantizeA = (x: number): number => Math.round(x * STEP) / STEP;

export class ZuptIntegrator {
  private still: boolean;
  private quietRun: number;
  private stretch: number[];
  private v0: number;
  private a0: number;
  private p0: number;
  private vEnd: number;
  private anchored: boolean;
  private lockout: number | null;
  private sinceLockout: number;
  private noiseSum: number;
  private noiseCount: number;
  private readonly dt: number;
  private readonly halfDt: number;
  private readonly stillSamples: number;
  private readonly meanLimit: number;
  private readonly stillVelocity: number;
  private readonly driftPerSample: number;
  private readonly recoverySamples: number;
  private readonly maxStretch: number;
  private readonly quietLimit: number;

  constructor(state: ZuptState, dt: number, params: ImuOwnParams) {
    this.still = state.still;
    this.quietRun = state.quietRun;
    this.stretch = state.stretch.map((k) => k / STEP);
    this.v0 = state.v0;
    this.a0 = state.a0;
    this.p0 = state.p0;
    this.vEnd = state.vEnd;
    this.anchored = state.anchored;
    this.lockout = state.lockout;
    this.sinceLockout = state.sinceLockout;
    [this.noiseSum, this.noiseCount] = state.noise;
    this.dt = dt;
    this.halfDt = dt / 2;
    this.stillSamples = Math.max(2, Math.round(params.stillMs / 1000 / dt));
    this.meanLimit = params.stillMeanAccelMps2 * this.stillSamples;
    this.stillVelocity = params.stillVelocityMps;
    this.driftPerSample = params.stillDriftMpsPerS * dt;
    this.recoverySamples = Math.max(this.stillSamples, Math.round(params.stillRecoveryMs / 1000 / dt));
    this.maxStretch = Math.round(params.maxStretchS / dt);
    this.quietLimit = params.stillAccelMps2;
  }

  /**
   * Has the stretch come to a still moment at its end? `fitted`: the gravity reference has been
   * fitted to a still moment; before that (the set's first samples) only the per-sample quiet limit
   * applies, the acceleration carrying whatever offset the first sample's reading had.
   */
  private stopped(fitted: boolean): boolean {
    const s = this.stretch;
    const W = this.stillSamples;
    if (this.quietRun < W) return false;
    if (!fitted) return true;
    let sum = 0;
    for (let i = s.length - W; i < s.length; i++) sum += s[i]!;
    if (Math.abs(sum) >= this.meanLimit) return false;
    return this.quietRun >= this.recoverySamples || Math.abs(this.vEnd) < this.stillVelocity + this.driftPerSample * s.length;
  }

  get isStill(): boolean {
    return this.still;
  }

  /** One internal sample: vertical acceleration `a` (m/s²), `quiet` as defined above, `fitted` see stopped(); positions emitted into `out`. */
  push(a: number, quiet: boolean, fitted: boolean, out: number[]): void {
    const aq = quantizeA(a);
    if (this.still) {
      if (quiet) {
        // The last stillSamples of a still moment are held back: the bar may already be starting to
        // move within them (a slow start stays under the quiet limit for tens of ms).
        this.stretch.push(aq);
        this.noiseSum += aq * aq;
        this.noiseCount++;
        if (this.stretch.length > this.stillSamples) {
          this.stretch.shift();
          out.push(this.p0);
        }
        return;
      }
      // The bar moves: the stretch starts at rest where the held-back samples begin.
      this.still = false;
      this.anchored = true;
      this.v0 = 0;
      this.a0 = 0;
      let v = 0;
      let prev = 0;
      for (const x of this.stretch) {
        v += (prev + x) * this.halfDt;
        prev = x;
      }
      this.vEnd = v;
    }
    const last = this.stretch.length > 0 ? this.stretch[this.stretch.length - 1]! : this.a0;
    this.vEnd += (last + aq) * this.halfDt;
    this.stretch.push(aq);
    this.quietRun = quiet ? this.quietRun + 1 : 0;
    // Zero velocity at the run's last sample: at its first the bar may still be creeping (a slow
    // lockout is under the quiet limit while v = a²/2j is still a few mm/s).
    if (this.stopped(fitted)) this.stop(this.stretch.length - 1, out);
    else if (this.stretch.length > this.maxStretch) this.forward(this.stretch.length >> 1, out);
  }

  /**
   * The stretch's samples from `at` on are still: integrate those before with the velocity brought to
   * zero at `at` (a linear ramp), emit them and the still ones at the position reached (but the last
   * stillSamples, held back).
   */
  private stop(at: number, out: number[]): void {
    let s = this.stretch;
    const level = this.anchored ? levelTurnarounds(s, at + 1, this.dt) : null;
    if (level !== null) {
      s = s.slice();
      for (let i = 0; i < level.length; i++) s[i]! -= level[i]!;
    }
    // Still moments the live test missed (the velocity was off by more than its allowance): quiet runs
    // inside the stretch where the corrected velocity is near zero. Each splits the stretch.
    const W = this.stillSamples;
    const segments: Array<[number, number, number]> = []; // [from, zero-velocity sample, next from]
    let from = 0;
    for (const [r0, r1] of this.findStills(s, 0, at, this.v0, this.a0)) {
      segments.push([from, r0 + W - 1, r1 - W]);
      from = r1 - W;
    }
    segments.push([from, at, Math.max(at, s.length - W)]);
    if (level === null && segments.length === 1 && this.anchored) s = this.towardsLockout(s, at);
    let p = this.p0;
    let v0 = this.v0;
    let a0 = this.a0;
    for (const [start, zero, next] of segments) {
      p = this.integrate(s, start, zero, v0, a0, p, out);
      for (let i = zero; i < next; i++) out.push(p);
      v0 = 0;
      a0 = 0;
    }
    // Lockouts: the first still moment (a set starts racked or at the top; a deadlift's floor start is
    // caught by the mismatch limit), then every still moment reached going up.
    const rise = p - this.p0;
    if (this.lockout === null || rise > MIN_RISE_M) {
      this.lockout = p;
      this.sinceLockout = 0;
    } else this.sinceLockout += (at * this.dt) ** 3;
    this.p0 = p;
    this.stretch = this.stretch.slice(segments[segments.length - 1]![2]);
    this.still = true;
    this.quietRun = 0;
    this.v0 = 0;
    this.a0 = 0;
    this.vEnd = 0;
  }

  /**
   * A stretch that rises from rest to rest ends at a lockout: at the last lockout's height, to within
   * σ_H (1 cm). Its own end position is off by its integrated noise (a Brownian bridge: variance
   * q·T³/12, q = the accelerometer's noise density², T its duration), the last lockout's height is off
   * from where this stretch started by that of the stretches since (the descent): the mismatch is
   * shared by those variances, and this stretch's share removed with the shape a bridge's expected
   * error has given its integral (velocity ∝ t·(T − t), no change at either end). A slow concentric
   * after a quick descent then takes its ROM mostly from the descent's; a mismatch over 4 cm is a
   * different height (a step, the rack), left alone.
   */
  private towardsLockout(s: number[], at: number): number[] {
    if (this.lockout === null || this.noiseCount === 0 || at < 2) return s;
    const h = this.halfDt;
    let v = this.v0;
    let p = this.p0;
    let prevA = this.a0;
    for (let i = 0; i <= at; i++) {
      const nv = v + (prevA + s[i]!) * h;
      p += (v + nv) * h;
      v = nv;
      prevA = s[i]!;
    }
    const T = (at + 1) * this.dt;
    // The end position with the end velocity ramped to zero (as integrate() will): p − v·T/2.
    const end = p - (v * T) / 2;
    const rise = end - this.p0;
    const mismatch = this.lockout - end;
    if (rise < MIN_RISE_M || Math.abs(mismatch) > MAX_LOCKOUT_MISMATCH_M) return s;
    const q = (this.noiseSum / this.noiseCount) * this.dt;
    const own = (q * T ** 3) / 12;
    const before = (q * this.sinceLockout) / 12 + LOCKOUT_SIGMA_M ** 2;
    const delta = (mismatch * own) / (own + before);
    // v(t) += 6δ·t(T − t)/T³: acceleration += 6δ·(T − 2t)/T³.
    const k = (6 * delta) / T ** 3;
    const out = s.slice();
    for (let i = 0; i <= at; i++) out[i]! += k * (T - 2 * (i + 0.5) * this.dt);
    return out;
  }

  /**
   * Integrates s[from … zero) from velocity v0 and acceleration a0 just before `from`, with the
   * velocity brought to zero at `zero` by a linear ramp; emits the positions and returns that at `zero`.
   */
  private integrate(s: readonly number[], from: number, zero: number, v0: number, a0: number, p0: number, out: number[]): number {
    const h = this.halfDt;
    let v = v0;
    let prevA = a0;
    for (let i = from; i <= zero; i++) {
      v += (prevA + s[i]!) * h;
      prevA = s[i]!;
    }
    const ramp = v / (zero - from + 1);
    let p = p0;
    let prevV = v0;
    v = v0;
    prevA = a0;
    for (let i = from; i < zero; i++) {
      v += (prevA + s[i]!) * h - ramp;
      prevA = s[i]!;
      p += (prevV + v) * h;
      prevV = v;
      out.push(p);
    }
    return p + prevV * h; // to the zero-velocity sample
  }

  /**
   * Still moments missed inside s[from … zero) (velocity v0, acceleration a0 just before `from`; zero
   * velocity at `zero`), in order. Each one found splits the range, and the pieces — each with its own
   * drift ramp, closer to the truth than the whole one — are searched again: a run of paused reps whose
   * pauses were all missed is taken apart from the best-fitting pause outwards.
   */
  private findStills(s: readonly number[], from: number, zero: number, v0: number, a0: number): Array<[number, number]> {
    const runs = this.missedStills(s, from, zero, v0, a0);
    if (runs.length === 0) return runs;
    const W = this.stillSamples;
    const found: Array<[number, number]> = [];
    let start = from;
    let v = v0;
    let a = a0;
    for (const [r0, r1] of runs) {
      found.push(...this.findStills(s, start, r0 + W - 1, v, a), [r0, r1]);
      start = r1 - W;
      v = 0;
      a = 0;
    }
    found.push(...this.findStills(s, start, zero, 0, 0));
    return found;
  }

  /**
   * Quiet runs [r0, r1) of at least 2·stillSamples inside s[from … zero) (mean acceleration small, every
   * sample quiet) over which the velocity, its drift over the range removed as a ramp, stays near zero.
   */
  private missedStills(s: readonly number[], from: number, zero: number, v0: number, a0: number): Array<[number, number]> {
    const W = this.stillSamples;
    const runs: Array<[number, number]> = [];
    let start = -1;
    for (let i = from; i <= zero; i++) {
      const quiet = i < zero && Math.abs(s[i]!) < this.quietLimit;
      if (quiet && start < 0) start = i;
      if (!quiet && start >= 0) {
        if (i - start >= 2 * W) runs.push([start, i]);
        start = -1;
      }
    }
    if (runs.length === 0) return runs;
    const h = this.halfDt;
    const v = new Float64Array(zero - from + 1);
    let vi = v0;
    let prevA = a0;
    for (let i = from; i <= zero; i++) {
      vi += (prevA + s[i]!) * h;
      prevA = s[i]!;
      v[i - from] = vi;
    }
    const ramp = v[zero - from]! / (zero - from + 1);
    return runs.filter(([r0, r1]) => {
      let sum = 0;
      let worst = 0;
      for (let i = r0; i < r1; i++) {
        sum += s[i]!;
        worst = Math.max(worst, Math.abs(v[i - from]! - ramp * (i - from + 1)));
      }
      return Math.abs(sum / (r1 - r0)) * W < this.meanLimit && worst < MISSED_STILL_MPS;
    });
  }

  /** Integrates and emits the first `count` samples forward (no end to correct them against). */
  private forward(count: number, out: number[]): void {
    const s = this.stretch;
    const h = this.halfDt;
    let v = this.v0;
    let prevA = this.a0;
    let p = this.p0;
    for (let i = 0; i < count; i++) {
      const nv = v + (prevA + s[i]!) * h;
      p += (v + nv) * h;
      v = nv;
      prevA = s[i]!;
      out.push(p);
    }
    this.v0 = v;
    this.a0 = prevA;
    this.p0 = p;
    this.stretch = s.slice(count);
    this.anchored = false;
  }

  /**
   * The samples stop (a gap, or the set's end): a stretch ending in a quiet run of stillMs (the bar
   * racked: whatever the velocity drifted to), or in a shorter one at near-zero velocity, stops there;
   * otherwise it is integrated forward, a touch-and-go run's turnarounds levelled first.
   */
  end(out: number[]): void {
    if (this.still) {
      for (let i = 0; i < this.stretch.length; i++) out.push(this.p0);
      this.stretch = [];
      return;
    }
    if (this.stretch.length === 0) return;
    if (this.quietRun >= this.stillSamples || (this.quietRun > 0 && Math.abs(this.vEnd) < this.stillVelocity + this.driftPerSample * this.stretch.length)) {
      this.stop(this.stretch.length - 1, out);
      return;
    }
    // Still moving: no end to correct against, but a touch-and-go run's turnarounds can be levelled.
    const level = this.anchored ? levelTurnarounds(this.stretch, this.stretch.length, this.dt, false) : null;
    if (level !== null) for (let i = 0; i < level.length; i++) this.stretch[i]! -= level[i]!;
    this.forward(this.stretch.length, out);
  }

  toState(): ZuptState {
    return { still: this.still, quietRun: this.quietRun, stretch: this.stretch.map((x) => Math.round(x * STEP)), v0: this.v0, a0: this.a0, p0: this.p0, vEnd: this.vEnd, anchored: this.anchored, lockout: this.lockout, sinceLockout: this.sinceLockout, noise: [this.noiseSum, this.noiseCount] };
  }
}
