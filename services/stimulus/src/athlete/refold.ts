import { PipelineError } from '@neurolift/platform';
import { DAY_MS, activityTs, dayOf, isFoldedAerobic, type AerobicMinute, type FoldResult, type FoldedActivity, type ModelConstants } from '@neurolift/stimulus';
import type { AthleteStore } from '@neurolift/storage';
import type { PointSink } from '../ports.js';
import { athleteLines } from './athlete-lines.js';
import { foldInChunks } from './fold-in-chunks.js';
import { planFold, type FoldStart } from './fold-plan.js';

export interface RefoldDeps {
  readonly athletes: AthleteStore;
  readonly sink: PointSink;
  readonly constants: ModelConstants;
  /** Written as `model` next to every value: the model version, or that version with overrides. */
  readonly modelId: string;
  /**
   * Counts the stored minutes of heart rate in [fromTs, toTs] again (model nsi-1.1), returning those that
   * changed: a session re-modelled after a profile change re-counts its minutes first (resting and maximal
   * heart rate decide what counts).
   */
  readonly recount?: ((athleteId: string, fromTs: number, toTs: number) => Promise<readonly AerobicMinute[]>) | undefined;
}

const MINUTE_MS = 60_000;

/** Rounds when the state changed under us anyway (an expired lock); then BullMQ retries the job. */
const MAX_ROUNDS = 3;

/** How long an athlete's activities stay in its state: the e1RM window plus the late-upload window, days. */
const KEEP_SET_DAYS = 35;

/** Activities of whole UTC days older than KEEP_SET_DAYS before the newest one's day are dropped (their loads stay). */
function pruneBefore(newestTs: number): number {
  return (dayOf(newestTs) - KEEP_SET_DAYS) * DAY_MS;
}

function orderTs(folded: FoldedActivity): number {
  return isFoldedAerobic(folded) ? folded.minute.ts : folded.model.lastTs;
}

/**
 * Folds the athlete's state forward from an activity just stored (decision 0014) and writes the outputs:
 * `extraLines` (the caller's points that depend on the fold, such as the set's rep points) and the athlete's
 * points. Call it holding the athlete's lock. Should the lock have expired mid-update, the version check sees
 * the newer state and the fold is planned and written again.
 */
export async function refold(athleteId: string, start: FoldStart, deps: RefoldDeps, extraLines: (result: FoldResult) => string[] = () => []): Promise<FoldResult> {
  let recounted = false;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    let plan = await planFold(athleteId, start, deps.athletes, deps.constants);
    const activities = plan.input.sets;
    const first = activities[0];
    const last = activities[activities.length - 1];
    if (plan.rebased === true && deps.recount !== undefined && !recounted && first !== undefined && last !== undefined) {
      recounted = true;
      if ((await deps.recount(athleteId, activityTs(first) - MINUTE_MS, activityTs(last))).length > 0) plan = await planFold(athleteId, start, deps.athletes, deps.constants);
    }
    const result = await foldInChunks(plan.input);
    await deps.sink.write([...extraLines(result), ...athleteLines(athleteId, result.update, deps.modelId)]);

    const newest = result.folded[result.folded.length - 1];
    const cutoff = newest === undefined ? Number.NEGATIVE_INFINITY : pruneBefore(orderTs(newest));
    const prune = plan.oldestLastTs !== undefined && plan.oldestLastTs < cutoff ? cutoff : undefined;
    // The lists the fold read (its own sets' entries in them), without the entries of pruned sets.
    const lists = new Map([...plan.input.history].map(([exercise, entries]) => [exercise, entries.filter((entry) => entry.ts >= cutoff)]));
    const version = await deps.athletes.saveFold(athleteId, result.folded, result.update.dailyLoads, lists, prune);
    // Only a lock that expired mid-update (a very long pause) lets another worker in; then go again.
    if (version === plan.version) return result;
  }
  throw new PipelineError('NL_ERR_ATHLETE_BUSY', `athlete ${athleteId} kept changing during ${MAX_ROUNDS} updates`, true);
}
