/** One `samples` block as the segmenter needs it (device protocol v1; a SamplesMessage fits). */
export interface SamplesBlock {
  /** Epoch ms of the first sample. */
  readonly t0: number;
  /** Sample rate, Hz (protocol: 10–1000). */
  readonly hz: number;
  /** External load, kg. */
  readonly loadKg: number;
  /** Vertical displacement of the bar or carriage, m. */
  readonly position: readonly number[];
  /** Load-cell force, N, one per position sample. */
  readonly force?: readonly number[] | undefined;
}

/** A rep found in the samples; the protocol's `rep` fields plus what the raw signal adds. */
export interface SegmentedRep {
  /** 1-based within the set, in time order. */
  readonly repIndex: number;
  /** End of the concentric phase, epoch ms (integer). */
  readonly ts: number;
  /** Start of the concentric phase, epoch ms (integer). */
  readonly concentricStartTs: number;
  readonly loadKg: number;
  /** Mean concentric velocity = ROM ÷ concentric duration, m/s. */
  readonly meanVelocity: number;
  /** Mean velocity until the acceleration first falls below −g after peak velocity (the whole concentric if it never does), m/s. */
  readonly meanPropulsiveVelocity: number;
  /** Peak of the filtered concentric velocity, m/s (≥ meanVelocity). */
  readonly peakVelocity: number;
  /** Concentric range of motion, m. */
  readonly rom: number;
  /** Integer ms, ≥ 1. */
  readonly concentricMs: number;
  /** Duration of the eccentric phase before this concentric (integer ms); absent when none was observed in full. */
  readonly eccentricMs?: number;
  /** Mean concentric force, N: the load cell's when every concentric sample has one, else load·(a + g). */
  readonly meanForce: number;
  /** Mean concentric power = mean of F·v over the concentric phase, W. */
  readonly meanPower: number;
  readonly forceSource: 'load_cell' | 'estimated';
  /** ROM below 0.10 m or below 85 % of the median ROM of the set's reps so far (this one included). */
  readonly partial: boolean;
}

/** What happened to a block handed to `segmentBlock`. */
export type BlockDisposition =
  /** Contiguous with the stream (possibly after an overlap was trimmed): segmented now. */
  | 'consumed'
  /** Early (a gap before it) or the set's stream not started yet: kept in the state until the gap fills or the wait runs out. */
  | 'buffered'
  /** Already consumed, or the same t0 already buffered: ignored. */
  | 'duplicate'
  /** Older than the current stream (its gap was given up, or the stream started without it): ignored. */
  | 'late'
  /** Not the set's sample rate: ignored. */
  | 'rate_mismatch'
  /** Empty, non-finite values, or force of another length: ignored. */
  | 'invalid'
  /** The set was finished: ignored. */
  | 'after_finish';
