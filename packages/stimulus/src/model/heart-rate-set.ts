/**
 * Per-set heart-rate values (model spec "v1.1: heart rate", "Per set"), from the athlete's heart rate of any
 * `hr` station, and RMSSD of beat-to-beat intervals. Windows are closed: a sample on a bound lies inside.
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from './constants.js';
import { onePerSecond, type TimedHr } from './heart-rate-aerobic.js';

/** The samples with a finite bpm in [fromTs, toTs]. */
function inWindow(samples: readonly TimedHr[], fromTs: number, toTs: number): TimedHr[] {
  return samples.filter((sample) => sample.ts >= fromTs && sample.ts <= toTs && Number.isFinite(sample.bpm));
}

/** hr_peak: the highest bpm in [first rep − 5 s, last rep + 30 s]; undefined when no sample lies there. */
export function hrPeak(
  samples: readonly TimedHr[],
  firstRepTs: number,
  lastRepTs: number,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): number | undefined {
  const window = inWindow(samples, firstRepTs - constants.hrPeakBeforeMs, lastRepTs + constants.hrPeakAfterMs);
  if (window.length === 0) return undefined;
  return Math.max(...window.map((sample) => sample.bpm));
}

/**
 * hr_recovery_60s = hr_peak − the mean bpm in [last rep + 55 s, last rep + 65 s]. Undefined when hr_peak is
 * undefined, when no sample lies in that window, or when the athlete's next set starts at or before
 * last rep + 65 s (its effort would be in the window). `nextSetStartTs` undefined: no next set.
 * The mean takes one sample per second, as the aerobic sum does (`onePerSecond`: the higher bpm of two straps).
 */
export function hrRecovery60s(
  samples: readonly TimedHr[],
  lastRepTs: number,
  peak: number | undefined,
  nextSetStartTs?: number,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): number | undefined {
  if (peak === undefined || !Number.isFinite(peak)) return undefined;
  const toTs = lastRepTs + constants.hrRecoveryToMs;
  if (nextSetStartTs !== undefined && !(nextSetStartTs > toTs)) return undefined;
  const window = onePerSecond(inWindow(samples, lastRepTs + constants.hrRecoveryFromMs, toTs));
  if (window.length === 0) return undefined;
  let sum = 0;
  for (const sample of window) sum += sample.bpm;
  return peak - sum / window.length;
}

/**
 * RMSSD of beat-to-beat (RR) intervals, ms: √(mean of the squared differences of successive intervals).
 * Undefined for fewer than 2 intervals (no difference) or when an interval is not finite.
 */
export function rmssd(rr: readonly number[]): number | undefined {
  if (rr.length < 2 || !rr.every((value) => Number.isFinite(value))) return undefined;
  let sum = 0;
  for (let k = 1; k < rr.length; k++) {
    const diff = (rr[k] as number) - (rr[k - 1] as number);
    sum += diff * diff;
  }
  return Math.sqrt(sum / (rr.length - 1));
}
