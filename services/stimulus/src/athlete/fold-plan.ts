import { activityTs, dayOf, genesisOf, isAerobic, lvpEntry, modelBasis, setSpan, type Activity, type AthleteSet, type FoldInput, type LvpHistoryEntry, type ModelConstants } from '@neurolift/stimulus';
import { isAerobicRecord, type ActivityRecord, type AthleteStore, type FoldContext } from '@neurolift/storage';

/**
 * A fold to run, the athlete version it was planned at, and the oldest stored set's last rep. The input's
 * history holds the complete load–velocity lists of the exercises folded, the folded sets' entries in them:
 * the fold reads their windows, the save writes them back.
 */
export interface FoldPlan {
  readonly version: number;
  readonly input: FoldInput;
  readonly oldestLastTs?: number | undefined;
  /** The session is folded again from its first activity: the profile or constants changed since. */
  readonly rebased?: boolean | undefined;
}

/**
 * Where a fold starts: the activity just stored (a set, with its record as stored now, or a minute of heart
 * rate; `pending`: a set stored with the minute, after it, not folded yet).
 */
export type FoldStart = { readonly set: AthleteSet } | { readonly key: string; readonly ts: number; readonly pending?: string | undefined };

function startKey(start: FoldStart): string {
  return 'set' in start ? start.set.key : start.key;
}

/** A fold from a stored activity. */
export function startAt(record: ActivityRecord): FoldStart {
  return isAerobicRecord(record) ? { key: record.minute.key, ts: record.minute.ts } : { set: record.set };
}

/** The activity's own time: a set's first rep (the session gap is measured to it), a minute's end. */
function startTs(start: FoldStart): number {
  return 'set' in start ? setSpan(start.set).firstTs : start.ts;
}

/** The activities of a context in order, with the set just stored in place of its stored copy. */
function activitiesOf(context: FoldContext, start: FoldStart): Activity[] {
  const replaced = 'set' in start ? start.set : undefined;
  return context.from
    .map((record): Activity => (isAerobicRecord(record) ? record.minute : replaced !== undefined && record.set.key === replaced.key ? replaced : record.set))
    .filter((activity) => isAerobic(activity) || activity.reps.length > 0);
}

/**
 * Why a fold cannot continue from the record before the start: state of an older version (a set stored
 * without checkpoint), or a record before it that was stored and never folded (a worker stopped between).
 */
function unfolded(before: ActivityRecord | undefined, from: readonly ActivityRecord[], stored: ReadonlySet<string>): boolean {
  if (before !== undefined && before.folded === undefined) return true;
  return from.some((record) => !isAerobicRecord(record) && record.folded === undefined && !stored.has(record.set.key));
}

/**
 * What to fold after an activity was stored (decision 0014): from the checkpoint of the activity before it, it
 * and every later one (none, when it came in order). From an earlier activity whose fold is pending (stored by an
 * update that never saved its fold: a failed write, maybe this job's own first attempt), writing its points too.
 * From the session's first activity when the profile or constants changed since the one before was folded (the
 * session's terms are re-modelled, as the planner would); from the first stored activity when the state was
 * written by a version without checkpoints.
 */
export async function planFold(athleteId: string, asked: FoldStart, athletes: AthleteStore, constants: ModelConstants): Promise<FoldPlan> {
  const set = 'set' in asked ? asked.set : undefined;
  // The set's exercise's load–velocity list comes along: when the set came in order, that is all the fold reads.
  let context = await athletes.foldContext(athleteId, startKey(asked), set?.exercise);
  const resumed = context.pendingFrom === undefined ? undefined : await athletes.foldContext(athleteId, context.pendingFrom, set?.exercise);
  const pending = resumed?.from[0];
  if (resumed !== undefined && pending !== undefined) context = resumed;
  const start = pending === undefined ? asked : startAt(pending);
  const key = startKey(start);
  const stored = new Set([key, ...('pending' in asked && asked.pending !== undefined ? [asked.pending] : [])]);
  let rebased = false;
  // Records without a checkpoint after a pending start are what it is pending for, not state of an older version.
  if (context.unindexed > 0 || unfolded(context.before, pending === undefined ? context.from : [], stored)) {
    if (context.unindexed > 0) await athletes.index(athleteId);
    context = await athletes.foldContext(athleteId, undefined);
  } else {
    const folded = context.before?.folded?.checkpoint;
    const before = folded !== undefined && 'key' in folded ? folded : undefined;
    const sameSession = before !== undefined && startTs(start) - before.lastTs <= constants.sessionGapMs;
    if (sameSession && before.basis !== modelBasis(context.profile, constants)) {
      context = await athletes.foldContext(athleteId, before.sessionFirstKey);
      rebased = true;
    }
  }
  const activities = activitiesOf(context, asked);
  const sets = activities.filter((activity): activity is AthleteSet => !isAerobic(activity));
  const first = activities[0];
  const from = context.before?.folded?.checkpoint ?? genesisOf(context.dailyLoads ?? new Map(), first ? dayOf(activityTs(first)) : 0, constants);
  const exercises = [...new Set(sets.map((entry) => entry.exercise))];
  const lvp =
    exercises.length === 1 && exercises[0] === set?.exercise && context.lvp !== undefined ? context.lvp : exercises.length === 0 ? new Map<string, LvpHistoryEntry[]>() : await athletes.lvpLists(athleteId, exercises);
  // The lists hold the stored sets' entries; the sets folded now (a late one among them) go in first.
  const history = withEntriesOf(lvp, sets);
  const input: FoldInput = { start: from, sets: activities, history, profile: context.profile, constants, emitFrom: key };
  return { version: context.version, oldestLastTs: context.oldestLastTs, input, ...(rebased ? { rebased } : {}) };
}

/** The load–velocity lists with each of `sets`' entries in place of its earlier one. */
function withEntriesOf(lvp: ReadonlyMap<string, readonly LvpHistoryEntry[]>, sets: readonly AthleteSet[]): Map<string, LvpHistoryEntry[]> {
  const lists = new Map<string, Map<string, LvpHistoryEntry>>();
  for (const [exercise, entries] of lvp) lists.set(exercise, new Map(entries.map((entry) => [entry.setId, entry])));
  for (const set of sets) {
    for (const entries of lists.values()) entries.delete(set.key); // a set stored again may have changed exercise
    const entries = lists.get(set.exercise) ?? new Map<string, LvpHistoryEntry>();
    entries.set(set.key, lvpEntry(set));
    lists.set(set.exercise, entries);
  }
  return new Map([...lists].map(([exercise, entries]) => [exercise, [...entries.values()]]));
}
