/*
 * A stream's sample clock: raw sample j was taken at origin + j·period + an offset known to lie in
 * [lo, hi] ms. Each consumed block's t0 (rounded to the ms on the wire) narrows the offset, so the t0
 * of the next block is known to the ms even when the period is not a whole number of ms. Shared by the
 * `samples` engine and the `imu` stream.
 */
import type { SampleRange } from './block-sequencer.js';

/** The raw sample indices whose (rounded) time can be t0, and the most likely one. */
export function locateSample(origin: number, period: number, lo: number, hi: number, t0: number): SampleRange {
  const x = t0 - origin;
  return {
    min: Math.ceil((x - hi - 0.5) / period - 1e-9),
    max: Math.floor((x - lo + 0.5) / period + 1e-9),
    best: Math.round((x - (lo + hi) / 2) / period),
  };
}

/** The offset range once a block starting at raw sample `index` had this t0 (re-anchored if inconsistent). */
export function narrowClock(origin: number, period: number, lo: number, hi: number, t0: number, index: number): readonly [number, number] {
  const offset = t0 - origin - index * period;
  const nlo = Math.max(lo, offset - 0.5);
  const nhi = Math.min(hi, offset + 0.5);
  return nlo <= nhi ? [nlo, nhi] : [offset - 0.5, offset + 0.5];
}
