/*
 * The streaming signal path of one contiguous stretch of samples ("stream"):
 *
 *   raw samples ─► boxcar average of M samples (M = ⌈hz / internal rate⌉, centred: no lag)
 *               ─► zero-phase FIR (kernels.ts): filtered position, velocity, acceleration at sample i
 *                  once sample i + L has arrived (L samples of look-ahead carried in the state)
 *               ─► phase state machine (step) ─► reps
 *
 * Everything a later block needs is in StreamState (plain numbers, JSON-safe), and every sample goes
 * through the same arithmetic in the same order however the samples were split into blocks, so the
 * reps do not depend on the block boundaries or on a JSON round trip of the state between blocks.
 *
 * Phases, with hysteresis ±threshold (0.03 m/s) and a stationary state: rest (0), concentric (+1),
 * eccentric (−1). A movement in direction s runs while s·v > threshold: it starts where s·v crosses
 * the threshold upwards and its candidate end is where s·v falls back through it (both interpolated
 * between samples on the cubic through v and a). It closes when the opposite movement starts, or when
 * the bar has stayed within resumeMargin of the candidate end for stationaryMs (stationary). If the
 * bar moves on by more than resumeMargin first, the movement resumes (a stall in a grind) — or, if it
 * had not moved resumeMargin before the stall (noise, or a hesitation before the real start), restarts
 * at the latest threshold crossing.
 *
 * Why the threshold crossings and not the instants where v = 0: at a paused start or a lockout the bar
 * creeps at under 3 cm/s for some 20–40 ms while moving well under a millimetre; with ±2 mm position
 * noise those instants cannot be located better than several tens of ms, i.e. several % of the mean
 * velocity. The threshold crossings can (OpenBarbell likewise leaves out the time the bar moves under
 * 2 cm/s). The synthetic truth uses the same definition.
 */
import type { FilterKernels } from './kernels.js';
import type { SegmenterParams } from './params.js';
import type { SegmentedRep } from './types.js';

/** Phase-detector state (times epoch ms; null = not known / none). */
export interface PhaseState {
  /** 0 rest (stationary), +1 concentric, −1 eccentric. */
  readonly mode: -1 | 0 | 1;
  /** The previous output sample (null before the first). */
  readonly prevT: number | null;
  readonly prevP: number;
  readonly prevV: number;
  readonly prevA: number;
  /** Last crossing of v up through +threshold / down through −threshold (null: none in this stream). */
  readonly upT: number | null;
  readonly upP: number;
  readonly downT: number | null;
  readonly downP: number;
  /** Σ force, Σ force·v, samples, any estimated force: since the last upward crossing of +threshold. */
  readonly accF: number;
  readonly accPw: number;
  readonly accN: number;
  readonly accEst: boolean;
  /** The same sums over the open concentric. */
  readonly movF: number;
  readonly movPw: number;
  readonly movN: number;
  readonly movEst: boolean;
  /** The open movement: start (null: started before the stream), load at its start, peak velocity. */
  readonly startT: number | null;
  readonly startP: number;
  readonly startLoad: number;
  readonly peakV: number;
  /** Candidate end (the first crossing back inside ±threshold) and the concentric sums up to it. */
  readonly candT: number | null;
  readonly candP: number;
  readonly candF: number;
  readonly candPw: number;
  readonly candN: number;
  readonly candEst: boolean;
  /** End of the propulsive phase: first a < −g after the (current) peak velocity. */
  readonly propT: number | null;
  readonly propP: number;
  /** The largest eccentric since the last rep (for the next rep's eccentricMs). */
  readonly eccMs: number | null;
  readonly eccRom: number;
}

export interface StreamState {
  /** t0 of the stream's first block, epoch ms; raw sample j is at origin + j·1000/hz. */
  readonly origin: number;
  /** Raw samples consumed. */
  readonly consumed: number;
  /**
   * Where the stream's true clock lies: the first sample was taken at origin + [clockLo, clockHi] ms.
   * Each consumed block's t0 (rounded to the ms on the wire) narrows it, so the expected t0 of the
   * next block is known to the ms even when the sample period is not a whole number of ms.
   */
  readonly clockLo: number;
  readonly clockHi: number;
  /** The averaging group being filled: raw samples in it, Σ position, Σ force, all had force. */
  readonly groupCount: number;
  readonly groupP: number;
  readonly groupF: number;
  readonly groupForce: boolean;
  /** Averaged (internal) samples received; the next internal sample to output. */
  readonly nIn: number;
  readonly nOut: number;
  /** Internal positions nIn − ringP.length … nIn − 1 (at most 2L: the filter's history and look-ahead). */
  readonly ringP: readonly number[];
  /** Internal forces nOut … nIn − 1 (null: no load-cell value). */
  readonly ringF: ReadonlyArray<number | null>;
  /** Load steps [first internal sample, kg], from the one in force at nOut on. */
  readonly loads: ReadonlyArray<readonly [number, number]>;
  readonly phase: PhaseState;
}

/** Set-level tallies a stream updates (they outlive a stream broken by a gap). */
export interface SetTally {
  count: number;
  roms: number[];
  dropped: number;
}

export const freshPhase = (): PhaseState => ({
  mode: 0,
  prevT: null, prevP: 0, prevV: 0, prevA: 0,
  upT: null, upP: 0, downT: null, downP: 0,
  accF: 0, accPw: 0, accN: 0, accEst: false,
  movF: 0, movPw: 0, movN: 0, movEst: false,
  startT: null, startP: 0, startLoad: 0, peakV: 0,
  candT: null, candP: 0, candF: 0, candPw: 0, candN: 0, candEst: false,
  propT: null, propP: 0,
  eccMs: null, eccRom: 0,
});

export const freshStream = (origin: number, half: number): StreamState => ({
  origin, consumed: 0, clockLo: -0.5, clockHi: 0.5,
  groupCount: 0, groupP: 0, groupF: 0, groupForce: true,
  nIn: 0, nOut: half,
  ringP: [], ringF: [], loads: [],
  phase: freshPhase(),
});

const orNaN = (x: number | null): number => (x === null ? NaN : x);

/**
 * Internal samples are kept to 0.1 µm and 1 mN — far below any sensor's resolution — so the state
 * carries short numbers in JSON. Applied to every sample whether or not the state is serialised.
 */
const quantizeP = (x: number): number => Math.round(x * 1e7) / 1e7;
const quantizeF = (x: number): number => Math.round(x * 1e3) / 1e3;
const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Cubic Hermite position at fraction θ between two samples dtS seconds apart. */
function hermite(p0: number, v0: number, p1: number, v1: number, dtS: number, theta: number): number {
  const t2 = theta * theta;
  const t3 = t2 * theta;
  return (2 * t3 - 3 * t2 + 1) * p0 + (t3 - 2 * t2 + theta) * dtS * v0 + (-2 * t3 + 3 * t2) * p1 + (t3 - t2) * dtS * v1;
}

/**
 * Where the velocity crosses `level` between two samples: the root in [0, 1] of the cubic Hermite
 * through (v0, a0) and (v1, a1) (a in m/s², dtS in s). The cubic follows a smooth start from rest
 * (v ∝ t²) far better than a straight line. Requires v0 − level and v1 − level of opposite signs (or zero).
 */
function crossingFraction(v0: number, a0: number, v1: number, a1: number, dtS: number, level: number): number {
  const y0 = v0 - level;
  const y1 = v1 - level;
  const m0 = a0 * dtS;
  const m1 = a1 * dtS;
  let lo = 0;
  let hi = 1;
  const rising = y1 > y0;
  for (let i = 0; i < 24; i++) {
    const t = (lo + hi) / 2;
    const t2 = t * t;
    const t3 = t2 * t;
    const y = (2 * t3 - 3 * t2 + 1) * y0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * y1 + (t3 - t2) * m1;
    if (y > 0 === rising) hi = t;
    else lo = t;
  }
  return (lo + hi) / 2;
}

export class StreamEngine {
  // Configuration.
  private readonly period: number;
  private readonly group: number;
  private readonly half: number;
  private readonly kp: Float64Array;
  private readonly kv: Float64Array;
  private readonly ka: Float64Array;
  private readonly thr: number;
  private readonly statMs: number;
  private readonly margin: number;
  private readonly g: number;

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

  // Phase (see PhaseState; NaN = null).
  private mode: -1 | 0 | 1;
  private prevT: number;
  private prevP: number;
  private prevV: number;
  private prevA: number;
  private upT: number;
  private upP: number;
  private downT: number;
  private downP: number;
  private accF: number;
  private accPw: number;
  private accN: number;
  private accEst: boolean;
  private movF: number;
  private movPw: number;
  private movN: number;
  private movEst: boolean;
  private startT: number;
  private startP: number;
  private startLoad: number;
  private peakV: number;
  private candT: number;
  private candP: number;
  private candF: number;
  private candPw: number;
  private candN: number;
  private candEst: boolean;
  private propT: number;
  private propP: number;
  private eccMs: number;
  private eccRom: number;

  /** Reps completed by this engine, in order. */
  readonly reps: SegmentedRep[] = [];

  constructor(
    private readonly params: SegmenterParams,
    hz: number,
    kernels: FilterKernels,
    group: number,
    state: StreamState,
    private readonly tally: SetTally,
  ) {
    this.period = 1000 / hz;
    this.group = group;
    this.half = kernels.half;
    this.kp = kernels.position;
    this.kv = kernels.velocity;
    this.ka = kernels.acceleration;
    this.thr = params.phaseThresholdMps;
    this.statMs = params.stationaryMs;
    this.margin = params.resumeMarginM;
    this.g = params.gravity;

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

    const ph = state.phase;
    this.mode = ph.mode;
    this.prevT = orNaN(ph.prevT);
    this.prevP = ph.prevP;
    this.prevV = ph.prevV;
    this.prevA = ph.prevA;
    this.upT = orNaN(ph.upT);
    this.upP = ph.upP;
    this.downT = orNaN(ph.downT);
    this.downP = ph.downP;
    this.accF = ph.accF;
    this.accPw = ph.accPw;
    this.accN = ph.accN;
    this.accEst = ph.accEst;
    this.movF = ph.movF;
    this.movPw = ph.movPw;
    this.movN = ph.movN;
    this.movEst = ph.movEst;
    this.startT = orNaN(ph.startT);
    this.startP = ph.startP;
    this.startLoad = ph.startLoad;
    this.peakV = ph.peakV;
    this.candT = orNaN(ph.candT);
    this.candP = ph.candP;
    this.candF = ph.candF;
    this.candPw = ph.candPw;
    this.candN = ph.candN;
    this.candEst = ph.candEst;
    this.propT = orNaN(ph.propT);
    this.propP = ph.propP;
    this.eccMs = orNaN(ph.eccMs);
    this.eccRom = ph.eccRom;
  }

  /**
   * Where a block starting at `t0` falls: the range of raw sample indices whose (rounded) time can
   * be t0, and the most likely one.
   */
  locate(t0: number): { readonly min: number; readonly max: number; readonly best: number } {
    const x = t0 - this.origin;
    const p = this.period;
    return {
      min: Math.ceil((x - this.clockHi - 0.5) / p - 1e-9),
      max: Math.floor((x - this.clockLo + 0.5) / p + 1e-9),
      best: Math.round((x - (this.clockLo + this.clockHi) / 2) / p),
    };
  }

  /** A block starting at raw sample `index` had this t0: narrow the clock (re-anchor if inconsistent). */
  noteClock(t0: number, index: number): void {
    const offset = t0 - this.origin - index * this.period;
    const lo = Math.max(this.clockLo, offset - 0.5);
    const hi = Math.min(this.clockHi, offset + 0.5);
    if (lo <= hi) {
      this.clockLo = lo;
      this.clockHi = hi;
    } else {
      this.clockLo = offset - 0.5;
      this.clockHi = offset + 0.5;
    }
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
      this.step(t, sp, sv, sa, wf[k - fBase]!, loads[li]![1]);
    }
    if (last >= this.nOut) this.nOut = last + 1;
    while (loads.length > 1 && loads[1]![0] <= this.nOut) loads.shift();
  }

  /** One filtered sample through the phase detector. */
  private step(t: number, p: number, v: number, a: number, f: number, load: number): void {
    const thr = this.thr;
    const hasPrev = !Number.isNaN(this.prevT);
    const prevV = this.prevV;
    const dtS = (t - this.prevT) / 1000;

    // 1. Threshold crossings (interpolated); the concentric sums restart at each upward one.
    if (hasPrev) {
      if (prevV <= thr && v > thr) {
        const theta = crossingFraction(prevV, this.prevA, v, a, dtS, thr);
        this.upT = this.prevT + theta * (t - this.prevT);
        this.upP = hermite(this.prevP, prevV, p, v, dtS, theta);
        this.accF = 0;
        this.accPw = 0;
        this.accN = 0;
        this.accEst = false;
      } else if (prevV >= -thr && v < -thr) {
        const theta = crossingFraction(prevV, this.prevA, v, a, dtS, -thr);
        this.downT = this.prevT + theta * (t - this.prevT);
        this.downP = hermite(this.prevP, prevV, p, v, dtS, theta);
      }
    }

    // 2. The open movement: its candidate end, a resumption after a stall, peak and propulsive end.
    const s = this.mode;
    if (s !== 0) {
      if (Number.isNaN(this.candT)) {
        if (hasPrev && s * prevV > thr && s * v <= thr) {
          const theta = crossingFraction(s * prevV, s * this.prevA, s * v, s * a, dtS, thr);
          this.candT = this.prevT + theta * (t - this.prevT);
          this.candP = hermite(this.prevP, prevV, p, v, dtS, theta);
          this.candF = this.movF;
          this.candPw = this.movPw;
          this.candN = this.movN;
          this.candEst = this.movEst;
        }
      } else if (s * (p - this.candP) > this.margin) {
        // The bar moved on after slowing down: a stall inside the movement, which resumes. If the
        // movement had not got anywhere before the stall (a noise blip before the real start), it
        // restarts at the latest threshold crossing.
        if (s * (this.candP - this.startP) < this.margin) {
          this.startT = s === 1 ? this.upT : this.downT;
          this.startP = s === 1 ? this.upP : this.downP;
          this.peakV = 0;
          this.propT = NaN;
          this.movF = this.accF;
          this.movPw = this.accPw;
          this.movN = this.accN;
          this.movEst = this.accEst;
        }
        this.candT = NaN;
      }
      if (s === 1 && Number.isNaN(this.candT)) {
        if (v > this.peakV) {
          this.peakV = v;
          this.propT = NaN;
        } else if (Number.isNaN(this.propT) && hasPrev && a < -this.g && this.prevA >= -this.g) {
          const theta = (this.prevA + this.g) / (this.prevA - a);
          this.propT = this.prevT + theta * (t - this.prevT);
          this.propP = hermite(this.prevP, prevV, p, v, dtS, theta);
        }
      }
    }

    // 3. Sums for mean force and power (load cell, else load·(a + g)).
    const estimated = Number.isNaN(f);
    const force = estimated ? load * (a + this.g) : f;
    const power = force * v;
    this.accF += force;
    this.accPw += power;
    this.accN++;
    if (estimated) this.accEst = true;
    if (s === 1) {
      this.movF += force;
      this.movPw += power;
      this.movN++;
      if (estimated) this.movEst = true;
    }

    // 4. Transitions.
    if (s === 0) {
      if (v > thr) this.enter(1, v, load);
      else if (v < -thr) this.enter(-1, v, load);
    } else if (-s * v > thr) {
      this.closeAtCandidate();
      this.enter(-s as -1 | 1, v, load);
    } else if (!Number.isNaN(this.candT) && t - this.candT >= this.statMs) {
      // Stationary: the bar stayed put for stationaryMs after the movement slowed down.
      this.closeAtCandidate();
      this.mode = 0;
    }

    this.prevT = t;
    this.prevP = p;
    this.prevV = v;
    this.prevA = a;
  }

  private enter(direction: 1 | -1, v: number, load: number): void {
    this.mode = direction;
    this.startT = direction === 1 ? this.upT : this.downT;
    this.startP = direction === 1 ? this.upP : this.downP;
    this.startLoad = load;
    this.peakV = direction === 1 ? v : 0;
    this.candT = NaN;
    this.propT = NaN;
    if (direction === 1) {
      this.movF = this.accF;
      this.movPw = this.accPw;
      this.movN = this.accN;
      this.movEst = this.accEst;
    }
  }

  private closeAtCandidate(): void {
    if (Number.isNaN(this.candT)) return;
    if (this.mode === 1) this.finishConcentric(this.candT, this.candP, this.candF, this.candPw, this.candN, this.candEst);
    else if (this.mode === -1) this.finishEccentric(this.candT, this.candP);
  }

  /** The stream ends (set closed, or a gap given up): a movement that has ended is closed; one still moving is dropped. */
  close(): void {
    if (this.mode !== 0) this.closeAtCandidate();
    this.mode = 0;
  }

  private finishEccentric(endT: number, endP: number): void {
    if (Number.isNaN(this.startT)) return;
    const rom = this.startP - endP;
    if (rom >= this.params.minEccentricRomM && rom > this.eccRom) {
      this.eccRom = rom;
      this.eccMs = endT - this.startT;
    }
  }

  private finishConcentric(endT: number, endP: number, sumF: number, sumPw: number, n: number, estimated: boolean): void {
    const startT = this.startT;
    if (Number.isNaN(startT)) return; // started before the stream: its start is unknown
    const params = this.params;
    const durationMs = endT - startT;
    const rom = endP - this.startP;
    if (durationMs < params.minConcentricMs || rom < params.minPartialRomM) return;
    const meanVelocity = rom / (durationMs / 1000);
    const tally = this.tally;
    if (tally.count >= 1000 || meanVelocity > 5 || rom > 3 || durationMs > 60_000) {
      tally.dropped++;
      return;
    }
    const propT = this.propT;
    const meanPropulsiveVelocity = !Number.isNaN(propT) && propT > startT && propT < endT
      ? (this.propP - this.startP) / ((propT - startT) / 1000)
      : meanVelocity;
    tally.roms.push(rom);
    const partial = rom < params.minFullRomM || rom < params.fullRomFraction * median(tally.roms);
    const eccentricMs = Number.isNaN(this.eccMs) || this.eccMs > 60_000 ? undefined : Math.round(this.eccMs);
    this.eccMs = NaN;
    this.eccRom = 0;
    const meanForce = n > 0 ? sumF / n : this.startLoad * this.g;
    const meanPower = n > 0 ? sumPw / n : meanForce * meanVelocity;
    tally.count++;
    this.reps.push({
      repIndex: tally.count,
      ts: Math.round(endT),
      concentricStartTs: Math.round(startT),
      loadKg: this.startLoad,
      meanVelocity,
      meanPropulsiveVelocity,
      peakVelocity: Math.max(this.peakV, meanVelocity),
      rom,
      concentricMs: Math.max(1, Math.round(durationMs)),
      ...(eccentricMs === undefined ? {} : { eccentricMs }),
      meanForce,
      meanPower,
      forceSource: estimated || n === 0 ? 'estimated' : 'load_cell',
      partial,
    });
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
      phase: {
        mode: this.mode,
        prevT: orNull(this.prevT),
        prevP: this.prevP,
        prevV: this.prevV,
        prevA: this.prevA,
        upT: orNull(this.upT),
        upP: this.upP,
        downT: orNull(this.downT),
        downP: this.downP,
        accF: this.accF,
        accPw: this.accPw,
        accN: this.accN,
        accEst: this.accEst,
        movF: this.movF,
        movPw: this.movPw,
        movN: this.movN,
        movEst: this.movEst,
        startT: orNull(this.startT),
        startP: this.startP,
        startLoad: this.startLoad,
        peakV: this.peakV,
        candT: orNull(this.candT),
        candP: this.candP,
        candF: this.candF,
        candPw: this.candPw,
        candN: this.candN,
        candEst: this.candEst,
        propT: orNull(this.propT),
        propP: this.propP,
        eccMs: orNull(this.eccMs),
        eccRom: this.eccRom,
      },
    };
  }
}
