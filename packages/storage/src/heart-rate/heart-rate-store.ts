/** One heart-rate reading as stored: its whole second (epoch ms) and bpm. */
export interface HeartRateSecond {
  readonly ts: number;
  readonly bpm: number;
}

/**
 * An athlete's heart rate by the second, from any of the athlete's `hr` stations (device protocol v1.1),
 * kept for the late-upload window: what per-set heart rate and the aerobic terms read, a few minutes at a
 * time, never the athlete's whole history.
 */
export interface HeartRateStore {
  /** Stores a block (bpm once a second from t0); a repeated block changes nothing. */
  merge(athleteId: string, t0: number, bpm: readonly number[]): Promise<void>;
  /** Whether any heart rate of the athlete is kept (most athletes wear no strap: their sets skip the rest). */
  has(athleteId: string): Promise<boolean>;
  /** The readings with ts in [fromTs, toTs], in time order. */
  seconds(athleteId: string, fromTs: number, toTs: number): Promise<HeartRateSecond[]>;
}
