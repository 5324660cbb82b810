/*
 * The phase state machine of one stream: filtered samples (t, p, v, a) in, closed movements out.
 *
 * Phases, with hysteresis ±threshold (0.03 m/s) and a stationary state: rest (0), concentric (+1),
 * eccentric (−1). A movement in direction s runs while s·v > threshold: it starts where s·v crosses
 * the threshold upwards and its candidate end is where s·v falls back through it (both interpolated
 * between samples on the cubic through v and a; a concentric's two are then refined by
 * boundary-refiner.ts). It closes when the opposite movement starts, or when the bar has stayed
 * within resumeMargin of the candidate end for stationaryMs (stationary). If the
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
import type { BoundaryRefiner } from './boundary-refiner.js';
import { crossingFraction, hermite } from './interpolation.js';
import type { SegmenterParams } from './params.js';
import { measureRep } from './rep-measure.js';
import { orNaN, orNull, type PhaseState, type SetTally } from './stream-state.js';
import type { SegmentedRep } from './types.js';

export class PhaseDetector {
  private readonly thr: number;
  private readonly statMs: number;
  private readonly margin: number;
  private readonly g: number;

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

  /** Reps completed in this stream, in order. */
  readonly reps: SegmentedRep[] = [];

  constructor(
    private readonly params: SegmenterParams,
    private readonly tally: SetTally,
    ph: PhaseState,
    private readonly refiner: BoundaryRefiner,
  ) {
    this.thr = params.phaseThresholdMps;
    this.statMs = params.stationaryMs;
    this.margin = params.resumeMarginM;
    this.g = params.gravity;

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
   * One filtered sample through the phase detector; win[c − L … c + L] are the averaged samples
   * around it (the FIR's window), for refining a concentric's start and end (boundary-refiner.ts).
   */
  step(t: number, p: number, v: number, a: number, f: number, load: number, win: readonly number[], c: number): void {
    const thr = this.thr;
    const hasPrev = !Number.isNaN(this.prevT);
    const prevV = this.prevV;
    const dtS = (t - this.prevT) / 1000;

    // 1. Threshold crossings (interpolated); the concentric sums restart at each upward one.
    if (hasPrev) {
      if (prevV <= thr && v > thr) {
        const theta = crossingFraction(prevV, this.prevA, v, a, dtS, thr);
        // The position stays the FIR's at its crossing: the refined time (≤ 50 ms off, at ~0.03 m/s) moves it by ≲ 1 mm.
        this.upT = this.refiner.refine(win, c, t, this.prevT + theta * (t - this.prevT), 'start');
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
          const crossT = this.prevT + theta * (t - this.prevT);
          this.candT = s === 1 ? this.refiner.refine(win, c, t, crossT, 'end') : crossT;
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
    const rep = measureRep({
      startT: this.startT, startP: this.startP, startLoad: this.startLoad, endT, endP, peakV: this.peakV,
      propT: this.propT, propP: this.propP, sumF, sumPw, n, estimated, eccMs: this.eccMs,
    }, this.params, this.tally);
    if (rep === null) return;
    this.eccMs = NaN;
    this.eccRom = 0;
    this.reps.push(rep);
  }

  toState(): PhaseState {
    return {
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
    };
  }
}
