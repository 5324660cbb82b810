/** Largest payload the protocol allows (64 KiB). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Timestamps further in the future than this are rejected (default, configurable). */
export const DEFAULT_MAX_FUTURE_MS = 5 * 60 * 1000;

/** Timestamps older than this are rejected (default, configurable). */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export interface TimeWindow {
  /** How far ahead of the receiver's clock a device timestamp may be, ms. */
  readonly maxFutureMs: number;
  /** How far behind the receiver's clock a device timestamp may be, ms. */
  readonly maxAgeMs: number;
}

export const DEFAULT_TIME_WINDOW: TimeWindow = { maxFutureMs: DEFAULT_MAX_FUTURE_MS, maxAgeMs: DEFAULT_MAX_AGE_MS };
