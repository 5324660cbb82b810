import { DAY_MS, dayOf, genesisOf, modelBasis, setSpan, type AthleteSet, type FoldInput, type ModelConstants } from '@neurolift/stimulus';
import type { AthleteRecord, AthleteStore, FoldContext } from '@neurolift/storage';

/** A fold to run, the athlete version it was planned at, and the oldest stored set's last rep. */
export interface FoldPlan {
  readonly version: number;
  readonly input: FoldInput;
  readonly oldestLastTs?: number | undefined;
}

/** The sets of a context in order, with the set just stored in place of its stored copy. */
function setsOf(context: FoldContext, set: AthleteSet): AthleteSet[] {
  return context.from.map(({ set: stored }) => (stored.key === set.key ? set : stored)).filter((entry) => entry.reps.length > 0);
}

/** Why a fold cannot continue from the record before the set: state of an older version. */
function unfolded(records: ReadonlyArray<AthleteRecord | undefined>, key: string): boolean {
  return records.some((record) => record !== undefined && record.folded === undefined && record.set.key !== key);
}

/**
 * What to fold after `set` was stored (decision 0014): from the checkpoint of the set before it, the set and
 * every later set (none, when it came in order). From the session's first set when the profile or constants
 * changed since the set before was folded (the session's terms are re-modelled, as the planner would); from
 * the first stored set when the state was written by a version without checkpoints.
 */
export async function planFold(athleteId: string, set: AthleteSet, athletes: AthleteStore, constants: ModelConstants): Promise<FoldPlan> {
  // The set's own load–velocity window comes along: when the set came in order, that is all the fold reads.
  const { firstTs } = setSpan(set);
  const window = { exercise: set.exercise, fromTs: firstTs - constants.lvpWindowDays * DAY_MS, beforeTs: firstTs };
  let context = await athletes.foldContext(athleteId, set.key, window);
  if (context.unindexed > 0 || unfolded([context.before, ...context.from], set.key)) {
    if (context.unindexed > 0) await athletes.index(athleteId);
    context = await athletes.foldContext(athleteId, undefined);
  } else {
    const before = context.before?.folded?.checkpoint;
    const sameSession = before !== undefined && firstTs - before.lastTs <= constants.sessionGapMs;
    if (sameSession && before.basis !== modelBasis(context.profile, constants)) context = await athletes.foldContext(athleteId, before.sessionFirstKey);
  }
  const sets = setsOf(context, set);
  const first = sets[0];
  const start = context.before?.folded?.checkpoint ?? genesisOf(context.dailyLoads ?? new Map(), first ? dayOf(setSpan(first).lastTs) : 0, constants);
  const inOrder = sets.length === 1 && first?.key === set.key && context.window !== undefined;
  const firstTimes = sets.map((entry) => setSpan(entry).firstTs);
  const history =
    inOrder && context.window !== undefined
      ? context.window
      : await athletes.lvpHistory(
          athleteId,
          [...new Set(sets.map((entry) => entry.exercise))],
          Math.min(...firstTimes) - constants.lvpWindowDays * DAY_MS,
          Math.max(...firstTimes),
        );
  return { version: context.version, oldestLastTs: context.oldestLastTs, input: { start, sets, history, profile: context.profile, constants, emitFrom: set.key } };
}
