import type { HeartRateJob } from '@neurolift/contracts';
import type { PointSink } from '../ports.js';
import { heartRateLines } from './heart-rate-lines.js';
import { setHeartRateLineOf, type SetHeartRateDeps } from './set-heart-rate.js';

export interface HeartRateJobDeps extends SetHeartRateDeps {
  readonly sink: PointSink;
}

/** How long a heart-rate job waits for a set job of the same athlete, ms. */
const LOCK_WAIT_MS = 10_000;
/** Sets are looked for by last rep up to this long after the block (a set longer than this starts before it). */
const LONGEST_SET_MS = 60 * 60_000;

/**
 * A heart-rate block (v1.1 `hr`): its points; the athlete's heart rate by the second in Redis (the
 * model reads windows of it, never the whole history); and the heart-rate fields of every set of the
 * athlete it overlaps, from any station. Under the athlete's lock, so a set closing meanwhile either
 * sees this block or is seen by it.
 */
export async function processHeartRate(job: HeartRateJob, deps: HeartRateJobDeps): Promise<{ points: number; sets: number }> {
  const { block } = job;
  const athleteId = block.athleteId;
  const points = heartRateLines(job);
  await deps.sink.write(points);
  const endTs = block.t0 + (block.bpm.length - 1) * 1000;
  const { constants } = deps;
  const reach = Math.max(constants.hrPeakAfterMs, constants.hrRecoveryToMs);
  return deps.athletes.withLock(athleteId, LOCK_WAIT_MS, async () => {
    await deps.heartRate.merge(athleteId, block.t0, block.bpm);
    // The sets whose windows [first rep − 5 s, last rep + 65 s] meet the block.
    const entries = await deps.athletes.entries(athleteId, undefined, block.t0 - reach, endTs + constants.hrPeakBeforeMs + LONGEST_SET_MS);
    const touched = entries.filter((entry) => entry.firstTs - constants.hrPeakBeforeMs <= endTs);
    const lines: string[] = [];
    for (const entry of touched) {
      const setLine = await setHeartRateLineOf(athleteId, entry.key, deps);
      if (setLine !== undefined) lines.push(setLine);
    }
    if (lines.length > 0) await deps.sink.write(lines);
    return { points: points.length, sets: lines.length };
  });
}
