/* Options and results of synthetic trace generation (see synthetic-trace.ts). */

export interface SyntheticTraceOptions {
  /** Sample rate, Hz. */
  readonly hz: number;
  /** Epoch ms of the first sample (an integer, as on the wire). */
  readonly t0?: number;
  /** Number of reps (partial ones included); default 3–12 at random. */
  readonly reps?: number;
  /** Nominal ROM of a full rep, m; default 0.30–0.70 at random. */
  readonly romM?: number;
  readonly loadKg?: number;
  /** Mean concentric velocity of the first rep, m/s; default 0.35–1.20 at random. */
  readonly firstVelocity?: number;
  /** Uniform position noise amplitude, m (±noiseM); default 0.002. */
  readonly noiseM?: number;
  /** Slow drift of the position reading (≤ ~1 mm/s); default true. */
  readonly drift?: boolean;
  /** How many partial reps (never the first two); default 0–⌊(reps − 1)/3⌋ at random. */
  readonly partialReps?: number;
  /** The last rep grinds (mean velocity 0.15–0.25 m/s, a sticking point mid-way); default true. */
  readonly grindLastRep?: boolean;
  /** 'top': squat/bench style, each rep is eccentric then concentric; 'bottom': deadlift style. Default 'top'. */
  readonly startAt?: 'top' | 'bottom';
  /** Include a load-cell channel: load·(a + g) plus ±0.5 % noise. Default false. */
  readonly withForce?: boolean;
  /**
   * The truth's phase threshold, m/s (default 0.03, the segmenter's): a concentric phase is a
   * maximal interval with v > +threshold, an eccentric one with v < −threshold.
   */
  readonly phaseThresholdMps?: number;
  /** Range of the concentric braking limit, in g (default [0.6, 1.3]; above 1 the rep has a braking phase for MPV). */
  readonly concentricBrakingG?: readonly [number, number];
}

/** The truth of one rep of a synthetic trace. */
export interface TruthRep {
  readonly repIndex: number;
  /** Epoch ms (fractional) of the start and end of the concentric phase (v = +threshold at both). */
  readonly concentricStart: number;
  readonly concentricEnd: number;
  readonly rom: number;
  readonly meanVelocity: number;
  readonly peakVelocity: number;
  /** Mean velocity from the concentric start until a first falls below −g after peak velocity (the whole concentric if never). */
  readonly meanPropulsiveVelocity: number;
  /** Duration of the eccentric phase before this concentric; absent when there is none (deadlift-style first rep). */
  readonly eccentricMs?: number;
  /** Planned partial (ROM 40–70 % of nominal). */
  readonly partial: boolean;
  readonly grind: boolean;
}

export interface SyntheticTrace {
  readonly t0: number;
  readonly hz: number;
  readonly loadKg: number;
  readonly position: number[];
  readonly force?: number[];
  readonly truth: readonly TruthRep[];
  /** Descriptive: the features the trace contains. */
  readonly features: {
    readonly touchAndGoBottom: number;
    readonly pausedBottom: number;
    readonly pausedTop: number;
    readonly touchAndGoTop: number;
    readonly partial: number;
    readonly grind: boolean;
  };
}
