/*
 * The JSON-safe state of one stream (see engine.ts) between blocks: plain numbers, booleans and null.
 * The engine works on NaN for "none" (cheaper in the per-sample loops); orNaN / orNull convert.
 */

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

export const orNaN = (x: number | null): number => (x === null ? NaN : x);
export const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
