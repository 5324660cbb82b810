import type { HeartRateJob } from '@neurolift/contracts';
import type { AthleteSet } from '@neurolift/stimulus';
import type { HeartRateStore } from '@neurolift/storage';
import { startAt } from '../athlete/fold-plan.js';
import { refold, type RefoldDeps } from '../athlete/refold.js';
import type { AlertChecks } from '../ports.js';
import { minutesOfBlock, recountRange } from './aerobic-minutes.js';
import { heartRateLines } from './heart-rate-lines.js';
import { setHeartRateLineOf } from './set-heart-rate.js';

export interface HeartRateJobDeps extends RefoldDeps {
  readonly heartRate: HeartRateStore;
  /** The set-close rules are judged again for sets the heart rate reached (incomplete recovery). */
  readonly checks?: AlertChecks | undefined;
}

/** How long a heart-rate job waits for a set job of the same athlete, ms. */
const LOCK_WAIT_MS = 10_000;
/** Sets are looked for by last rep up to this long after the block (a set longer than this starts before it). */
const LONGEST_SET_MS = 60 * 60_000;

/**
 * A heart-rate block (v1.1 `hr`): its points; the athlete's heart rate by the second in Redis (the
 * model reads windows of it, never the whole history); the aerobic sums of the minutes it touches, folded
 * into the athlete's state from the first that changed (model nsi-1.1); and the heart-rate fields of every
 * set of the athlete it overlaps, from any station. Under the athlete's lock, so a set closing meanwhile
 * either sees this block or is seen by it.
 */
export async function processHeartRate(job: HeartRateJob, deps: HeartRateJobDeps): Promise<{ points: number; minutes: number; sets: number }> {
  const { block } = job;
  const athleteId = block.athleteId;
  const points = heartRateLines(job);
  await deps.sink.write(points);
  const endTs = block.t0 + (block.bpm.length - 1) * 1000;
  const { constants } = deps;
  const reach = Math.max(constants.hrPeakAfterMs, constants.hrRecoveryToMs);
  const result = await deps.athletes.withLock(athleteId, LOCK_WAIT_MS, async () => {
    await deps.heartRate.merge(athleteId, block.t0, block.bpm);
    const changed = await minutesOfBlock(athleteId, block.t0, block.bpm.length, deps);
    const first = changed[0];
    // Nothing changed: this may be the retry of a job that stored its minutes and failed before its fold was
    // saved (a TSDB write): that fold is still pending, and done now.
    const pending = first === undefined ? await deps.athletes.pendingFold(athleteId) : undefined;
    const start = first !== undefined ? { key: first.key, ts: first.ts } : pending === undefined ? undefined : startAt(pending);
    const recount = (id: string, fromTs: number, toTs: number) => recountRange(id, fromTs, toTs, deps);
    if (start !== undefined) await refold(athleteId, start, { ...deps, recount });
    // The sets whose heart rate the block may change: from 30 s before the first rep (the resistance interval,
    // which holds every window of the set-close rules) to the recovery window after the last.
    const entries = await deps.athletes.entries(athleteId, undefined, block.t0 - reach, endTs + constants.hrResistanceBeforeMs + LONGEST_SET_MS);
    const touched = entries.filter((entry) => entry.firstTs - constants.hrResistanceBeforeMs <= endTs);
    const lines: string[] = [];
    const sets: AthleteSet[] = [];
    for (const entry of touched) {
      const set = (await deps.athletes.record(athleteId, entry.key))?.set;
      if (set === undefined) continue;
      const setLine = await setHeartRateLineOf(athleteId, set, deps);
      if (setLine !== undefined) lines.push(setLine);
      sets.push(set);
    }
    if (lines.length > 0) await deps.sink.write(lines);
    return { points: points.length, minutes: changed.length, sets };
  });
  // The set-close rules again, for what heart rate decides there (incomplete recovery); outside the lock.
  for (const set of result.sets) await deps.checks?.setClosed({ gymId: set.gymId, stationId: set.stationId, setId: set.setId, athleteId });
  return { points: result.points, minutes: result.minutes, sets: result.sets.length };
}
