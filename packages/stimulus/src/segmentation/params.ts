/** Tunables of the segmenter. The defaults follow the research note's §2.4 where it gives numbers. */
export interface SegmenterParams {
  /**
   * Low-pass cut-off of the zero-lag position filter, Hz (§2.4: 6–10 Hz on position). Default
   * (undefined): by sample rate, 6·(hz/50)^0.17 within [4, 12] — 6 Hz at 50 Hz, 6.8 at 100, 8.9 at
   * 500, 10 at 1000 — the best trade found between the velocity noise from ±2 mm of position noise
   * (it grows as cut-off^1.5/√hz) and the rounding of sharp starts and lockouts (it shrinks with the
   * cut-off). Never above 0.35 × the internal rate.
   */
  readonly cutoffHz: number | undefined;
  /** FIR half-length = ⌈factor · internal rate ÷ cut-off⌉ samples; the look-ahead is that many internal samples. */
  readonly filterLengthFactor: number;
  /**
   * Raw samples are averaged in groups of M = ⌈hz ÷ internalRateHz⌉ before filtering (a boxcar whose
   * half-group delay is compensated), so filtering and phase detection run at hz/M ≤ this rate.
   */
  readonly internalRateHz: number;
  /** Phase hysteresis: concentric when v > +threshold, eccentric when v < −threshold, m/s. */
  readonly phaseThresholdMps: number;
  /** A movement has ended (stationary) when the bar stays within resumeMarginM of where it slowed down for this long, ms. */
  readonly stationaryMs: number;
  /**
   * After the velocity has fallen back inside ±threshold, the same movement resumes only if the bar
   * then moves on by more than this (a stall in a grind); otherwise the phase ended there, m.
   */
  readonly resumeMarginM: number;
  /** A full rep has concentric ROM ≥ this, m. */
  readonly minFullRomM: number;
  /** … and ≥ this fraction of the median ROM of the set's reps. */
  readonly fullRomFraction: number;
  /** Concentric movements smaller than this are not reps at all (noise, re-gripping), m. */
  readonly minPartialRomM: number;
  /** Concentric phases shorter than this are not reps, ms. */
  readonly minConcentricMs: number;
  /** An eccentric phase counts as the rep's eccentric when it moves at least this far, m. */
  readonly minEccentricRomM: number;
  /**
   * A missing stretch of samples is waited for until this many later samples have arrived (then the
   * stream restarts after the gap); the stream also starts only once this many samples are at hand.
   * Default: 2 s of samples at the set's rate.
   */
  readonly maxWaitSamples: number | undefined;
  /** At most this many early blocks are kept; one more gives up the oldest gap. */
  readonly maxPendingBlocks: number;
  /** m/s². */
  readonly gravity: number;
}

export const DEFAULT_SEGMENTER_PARAMS: SegmenterParams = {
  cutoffHz: undefined,
  filterLengthFactor: 3,
  internalRateHz: 100,
  phaseThresholdMps: 0.03,
  stationaryMs: 250,
  resumeMarginM: 0.01,
  minFullRomM: 0.1,
  fullRomFraction: 0.85,
  minPartialRomM: 0.05,
  minConcentricMs: 150,
  minEccentricRomM: 0.05,
  maxWaitSamples: undefined,
  maxPendingBlocks: 64,
  gravity: 9.81,
};

export const DEFAULT_MAX_WAIT_SECONDS = 2;

const POSITIVE = new Set<keyof SegmenterParams>(['cutoffHz', 'filterLengthFactor', 'internalRateHz', 'phaseThresholdMps', 'maxPendingBlocks', 'maxWaitSamples', 'gravity']);

/** The cut-off used at `hz` (see SegmenterParams.cutoffHz). */
export function segmenterCutoffHz(params: SegmenterParams, hz: number): number {
  return params.cutoffHz ?? Math.min(12, Math.max(4, 6 * Math.pow(hz / 50, 0.17)));
}

export function resolveSegmenterParams(overrides: Partial<SegmenterParams> | undefined): SegmenterParams {
  if (overrides === undefined) return DEFAULT_SEGMENTER_PARAMS;
  const params = { ...DEFAULT_SEGMENTER_PARAMS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof SegmenterParams, number | undefined]>) {
    if (value === undefined || !(key in DEFAULT_SEGMENTER_PARAMS)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && POSITIVE.has(key))) {
      throw new RangeError(`segmenter parameter ${key} must be a finite number${POSITIVE.has(key) ? ' > 0' : ' ≥ 0'} (got ${String(value)})`);
    }
    (params as Record<keyof SegmenterParams, number | undefined>)[key] = value;
  }
  return params;
}

/** Samples to wait for a gap (and before starting) at `hz`. */
export function segmenterWaitSamples(params: SegmenterParams, hz: number): number {
  return params.maxWaitSamples ?? Math.ceil(DEFAULT_MAX_WAIT_SECONDS * hz);
}
