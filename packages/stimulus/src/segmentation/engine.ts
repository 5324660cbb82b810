/*
 * The streaming signal path of one contiguous stretch of samples ("stream"):
 *
 *   raw samples ─► boxcar average of M samples (M = ⌈hz / internal rate⌉, centred: no lag)
 *               ─► zero-phase FIR (kernels.ts): filtered position, velocity, acceleration at sample i
 *                  once sample i + L has arrived (L samples of look-ahead carried in the state)
 *               ─► phase state machine (phase-detector.ts) ─► reps (rep-measure.ts)
 *
 * Everything a later block needs is in StreamState (plain numbers, JSON-safe), and every sample goes
 * through the same arithmetic in the same order however the samples were split into blocks, so the
 * reps do not depend on the block boundaries or on a JSON round trip of the state between blocks.
 */
import type { SampleRange } from './block-sequencer.js';
import { boundaryRefiner } from './boundary-refiner.js';
import type { FilterKernels } from './kernels.js';
import type { SegmenterParams } from './params.js';
import { PhaseDetector } from './phase-detector.js';
import { locateSample, narrowClock } from './stream-clock.js';
import { orNaN, orNull, type SetTally, type StreamState } from './stream-state.js';
import type { SegmentedRep } from './types.js';

/**
 * Internal samples are kept to 0.1 µm and 1 mN — far below any sensor's resolution — so the state
 * carries short numbers in JSON. Applied to every sample whether or not the state is serialised.
 */
const quantizeP = (x: number): number => Math.round(x * 1e7) / 1e7;
const quantizeF = (x: number): number => Math.round(x * 1e3) / 1e3;

export class StreamEngine {
  // Configuration.
  private readonly period: number;
  private readonly group: number;
  private readonly half: number;
  private readonly kp: Float64Array;
  private readonly kv: Float64Array;
  private readonly ka: Float64Array;

  // Stream.
  readonly origin: number;
  consumed: number;
  clockLo: number;
  clockHi: number;
  private groupCount: number;
  private groupP: number;
  private groupF: number;
  private groupForce: boolean;
  private nIn: number;
  private nOut: number;
  /** As in StreamState; never modified in place (the state passed in may be shared or frozen). */
  private ringP: readonly number[];
  private ringF: ReadonlyArray<number | null>;
  private loads: Array<[number, number]>;

  private readonly phase: PhaseDetector;
  /** Reps completed by this engine, in order (the phase detector's list). */
  readonly reps: SegmentedRep[];

  constructor(
    params: SegmenterParams,
    hz: number,
    kernels: FilterKernels,
    group: number,
    state: StreamState,
    tally: SetTally,
  ) {
    this.period = 1000 / hz;
    this.group = group;
    this.half = kernels.half;
    this.kp = kernels.position;
    this.kv = kernels.velocity;
    this.ka = kernels.acceleration;

    this.origin = state.origin;
    this.consumed = state.consumed;
    this.clockLo = state.clockLo;
    this.clockHi = state.clockHi;
    this.groupCount = state.groupCount;
    this.groupP = state.groupP;
    this.groupF = state.groupF;
    this.groupForce = state.groupForce;
    this.nIn = state.nIn;
    this.nOut = state.nOut;
    this.ringP = state.ringP;
    this.ringF = state.ringF;
    this.loads = state.loads.map(([index, kg]) => [index, kg]);
    const refiner = boundaryRefiner(kernels.half, this.period * group, group, kernels.cutoffHz, params.phaseThresholdMps);
    this.phase = new PhaseDetector(params, tally, state.phase, refiner);
    this.reps = this.phase.reps;
  }

  /**
   * Where a block starting at `t0` falls: the range of raw sample indices whose (rounded) time can
   * be t0, and the most likely one.
   */
  locate(t0: number): SampleRange {
    return locateSample(this.origin, this.period, this.clockLo, this.clockHi, t0);
  }

  /** A block starting at raw sample `index` had this t0: narrow the clock (re-anchor if inconsistent). */
  noteClock(t0: number, index: number): void {
    [this.clockLo, this.clockHi] = narrowClock(this.origin, this.period, this.clockLo, this.clockHi, t0, index);
  }

  /** Segments raw samples position[from…] (contiguous with what was consumed). */
  consume(position: readonly number[], force: readonly number[] | undefined, from: number, loadKg: number): void {
    const M = this.group;
    const count = position.length - from;
    if (count <= 0) return;

    const lastLoad = this.loads[this.loads.length - 1];
    if (lastLoad === undefined || lastLoad[1] !== loadKg) {
      if (lastLoad !== undefined && lastLoad[0] === this.nIn) lastLoad[1] = loadKg;
      else this.loads.push([this.nIn, loadKg]);
    }

    // Average into internal samples, appended after the carried history (plain arrays of doubles:
    // cheaper to allocate and copy per block than typed arrays, as fast in the loops).
    const ringLen = this.ringP.length;
    const base = this.nIn - ringLen; // absolute internal index of wp[0]
    const fBase = this.nIn - this.ringF.length; // absolute internal index of wf[0] (= nOut once outputs run)
    const wp = this.ringP.slice();
    const wf: number[] = new Array<number>(this.ringF.length);
    for (let i = 0; i < this.ringF.length; i++) wf[i] = orNaN(this.ringF[i]!);
    let sumP = this.groupP;
    let sumF = this.groupF;
    let n = this.groupCount;
    let forceOk = this.groupForce;
    const end = position.length;
    if (M === 1) {
      for (let j = from; j < end; j++) {
        wp.push(quantizeP(position[j]!));
        wf.push(force === undefined ? NaN : quantizeF(force[j]!));
      }
    } else {
      for (let j = from; j < end; j++) {
        sumP += position[j]!;
        if (force === undefined) forceOk = false;
        else sumF += force[j]!;
        if (++n === M) {
          wp.push(quantizeP(sumP / M));
          wf.push(forceOk ? quantizeF(sumF / M) : NaN);
          sumP = 0;
          sumF = 0;
          n = 0;
          forceOk = true;
        }
      }
    }
    this.groupP = sumP;
    this.groupF = sumF;
    this.groupCount = n;
    this.groupForce = forceOk;
    this.consumed += count;
    this.nIn = base + wp.length;

    this.filterAndStep(wp, wf, base, fBase);

    // Carry the history and look-ahead the next outputs need: positions from nOut − L, forces from nOut.
    this.ringP = wp.slice(Math.max(0, this.nOut - this.half - base));
    const fKeep = wf.slice(Math.max(0, this.nOut - fBase));
    const ringF: Array<number | null> = new Array<number | null>(fKeep.length);
    for (let i = 0; i < fKeep.length; i++) ringF[i] = orNull(fKeep[i]!);
    this.ringF = ringF;
  }

  private filterAndStep(wp: readonly number[], wf: readonly number[], base: number, fBase: number): void {
    const L = this.half;
    const kp = this.kp;
    const kv = this.kv;
    const ka = this.ka;
    const kp0 = kp[0]!;
    const ka0 = ka[0]!;
    const last = this.nIn - 1 - L; // the last internal sample with its full look-ahead
    const loads = this.loads;
    const phase = this.phase;
    let li = 0;
    for (let k = this.nOut; k <= last; k++) {
      const c = k - base;
      const x0 = wp[c]!;
      let sp = kp0 * x0;
      let sv = 0;
      let sa = ka0 * x0;
      for (let j = 1; j <= L; j++) {
        const xp = wp[c + j]!;
        const xm = wp[c - j]!;
        const s = xp + xm;
        sp += kp[j]! * s;
        sv += kv[j]! * (xp - xm);
        sa += ka[j]! * s;
      }
      while (li + 1 < loads.length && loads[li + 1]![0] <= k) li++;
      const t = this.origin + (k * this.group + (this.group - 1) / 2) * this.period;
      phase.step(t, sp, sv, sa, wf[k - fBase]!, loads[li]![1], wp, c);
    }
    if (last >= this.nOut) this.nOut = last + 1;
    while (loads.length > 1 && loads[1]![0] <= this.nOut) loads.shift();
  }

  /** The stream ends (set closed, or a gap given up): see PhaseDetector.close. */
  close(): void {
    this.phase.close();
  }

  /**
   * The set closed: if the bar has come to rest (its last `restMs` of averaged samples within
   * `radiusM`), the look-ahead the filter still waits for is the bar staying where it is, so that
   * stretch is segmented as such. A last rep whose lockout lies within the look-ahead of the end is
   * then found, not dropped; a bar still moving when the samples end is not extended (no rep is
   * invented from a hold it never made).
   */
  settleAtRest(restMs: number, radiusM: number): void {
    const L = this.half;
    const restSamples = Math.ceil(restMs / (this.period * this.group));
    if (this.nIn - this.nOut <= 0 || this.ringP.length < restSamples) return;
    const recent = this.ringP.slice(this.ringP.length - restSamples);
    const lo = Math.min(...recent);
    const hi = Math.max(...recent);
    if (hi - lo > radiusM) return;
    const hold = quantizeP(recent.reduce((sum, x) => sum + x, 0) / recent.length);
    const base = this.nIn - this.ringP.length;
    const fBase = this.nIn - this.ringF.length;
    const wp = [...this.ringP, ...new Array<number>(L).fill(hold)];
    const wf = [...this.ringF.map(orNaN), ...new Array<number>(L).fill(NaN)];
    this.nIn += L;
    this.filterAndStep(wp, wf, base, fBase);
    this.ringP = wp.slice(Math.max(0, this.nOut - L - base));
    this.ringF = [];
  }

  toState(): StreamState {
    return {
      origin: this.origin,
      consumed: this.consumed,
      clockLo: this.clockLo,
      clockHi: this.clockHi,
      groupCount: this.groupCount,
      groupP: this.groupP,
      groupF: this.groupF,
      groupForce: this.groupForce,
      nIn: this.nIn,
      nOut: this.nOut,
      ringP: this.ringP,
      ringF: this.ringF,
      loads: this.loads.map(([index, kg]) => [index, kg] as const),
      phase: this.phase.toState(),
    };
  }
}
