import type { AthleteProfile } from '@neurolift/contracts';
import type { AerobicMinute, AthleteSet, FoldedActivity, FoldedAerobic, FoldedSet, LvpHistoryEntry } from '@neurolift/stimulus';

/** A stored set and, once the worker folded it into the athlete's state, its terms and checkpoint. */
export interface AthleteRecord {
  readonly set: AthleteSet;
  readonly folded?: FoldedSet | undefined;
}

/** A stored minute of heart rate (model nsi-1.1) and, once folded, its session point and checkpoint. */
export interface AerobicRecord {
  readonly minute: AerobicMinute;
  readonly folded?: FoldedAerobic | undefined;
}

/** What the athlete's order holds. */
export type ActivityRecord = AthleteRecord | AerobicRecord;

export function isAerobicRecord(record: ActivityRecord): record is AerobicRecord {
  return 'minute' in record;
}

/** What a fold from one set on needs (decision 0014): the record before it and every record from it on. */
export interface FoldContext {
  readonly version: number;
  /** Stored sets missing from the order: state written by a version before it (index() adds them). */
  readonly unindexed: number;
  readonly profile: AthleteProfile;
  /** The activity before the first of `from` in the model's time order; absent when `from` starts the order. */
  readonly before?: ActivityRecord | undefined;
  /** The records from the asked activity to the newest, in the model's time order: sets and minutes of heart rate. */
  readonly from: readonly ActivityRecord[];
  /** The persisted daily loads, when `from` starts the order (the genesis needs those of earlier days). */
  readonly dailyLoads?: ReadonlyMap<number, number> | undefined;
  /** Every load–velocity entry of the exercise asked for (its packed list), by exercise. */
  readonly lvp?: ReadonlyMap<string, readonly LvpHistoryEntry[]> | undefined;
  /** The last rep of the oldest stored set; absent when none is stored. */
  readonly oldestLastTs?: number | undefined;
  /**
   * The key of an activity before the asked one that an update stored and no saved fold has covered (a job whose
   * write failed after storing): the fold has to start there instead. Absent when none comes before.
   */
  readonly pendingFrom?: string | undefined;
}



/**
 * A set's compact entry: what the load–velocity profile and the alert rules read across many sets, without
 * the reps. The model terms are absent until the worker has folded the set.
 */
export interface SetEntry {
  readonly key: string;
  readonly exercise: string;
  readonly firstTs: number;
  readonly lastTs: number;
  /** lvpEntry's load: mean rep load, kg. */
  readonly loadKg: number;
  readonly bestVelocity: number;
  /** Mean velocity of the rep with the lowest index, m/s. */
  readonly firstRepVelocity: number;
  readonly terms?: {
    readonly sessionId: string;
    /** Session NSI after the set. */
    readonly nsi: number;
    readonly relIntensity: number;
    /** Highest relative intensity of the exercise earlier in the session; absent when none. */
    readonly sessionIntensityBefore?: number | undefined;
  };
}

/**
 * A set's place among the updates of its athlete waiting for the lock: the earliest set (by last rep) goes
 * first, so sets closed close together are folded in time order and none comes "late" by a race.
 */
export interface LockOrder {
  readonly key: string;
  readonly lastTs: number;
}

/** The athlete state the model needs, kept in Redis so any worker can update it. */
export interface AthleteStore {
  /**
   * Stores (or replaces, same key) one set in the athlete's order; the set is folded by saveFold. In the same
   * commit the fold becomes pending from the set, or from `foldFrom` (an earlier activity whose checkpoint the set
   * makes stale) when that comes first, unless one is pending from earlier still (see pendingFold).
   */
  putSet(athleteId: string, set: AthleteSet, foldFrom?: string): Promise<void>;
  /** Stores (or replaces, same key) minutes of heart rate in the athlete's order, the fold pending from the earliest; folded by saveFold. */
  putAerobic(athleteId: string, minutes: readonly AerobicMinute[]): Promise<void>;
  /**
   * The activity the athlete's fold is pending from: stored by an update whose fold was never saved (its TSDB
   * write failed, its worker stopped), or undefined. A retried job that finds its activities stored folds from it.
   */
  pendingFold(athleteId: string): Promise<ActivityRecord | undefined>;
  /** The stored minutes of heart rate whose minute lies in [fromMinute, toMinute], in time order. */
  aerobicMinutes(athleteId: string, fromMinute: number, toMinute: number): Promise<AerobicMinute[]>;
  /** The athlete's profile as coaches entered it ({} when none). */
  profile(athleteId: string): Promise<AthleteProfile>;
  /** One stored set's record, or undefined (also for a minute of heart rate). */
  record(athleteId: string, key: string): Promise<AthleteRecord | undefined>;
  /** The records from `fromKey` (undefined: the first stored set) to the newest, the one before, and an exercise's load–velocity list. */
  foldContext(athleteId: string, fromKey: string | undefined, exercise?: string): Promise<FoldContext>;
  /** Every load–velocity entry of these exercises, by exercise. */
  lvpLists(athleteId: string, exercises: readonly string[]): Promise<Map<string, LvpHistoryEntry[]>>;
  /** Entries of an exercise (every exercise: undefined) with a last rep in [fromTs, beforeTs), in time order. */
  entries(athleteId: string, exercise: string | undefined, fromTs: number, beforeTs: number): Promise<SetEntry[]>;
  /** The entry of the set after `key` in the model's order (minutes of heart rate passed over), or undefined. */
  nextEntry(athleteId: string, key: string): Promise<SetEntry | undefined>;
  /** The records of sets from `fromKey` to `toKey` in the model's order, both included (minutes of heart rate left out). */
  records(athleteId: string, fromKey: string, toKey: string): Promise<AthleteRecord[]>;
  /** The persisted daily loads by UTC day. */
  dailyLoads(athleteId: string): Promise<Map<number, number>>;
  /**
   * Persists folded sets (terms, checkpoints, entries), daily loads and the exercises' load–velocity lists, and
   * drops sets whose last rep is before `pruneBeforeTs` (when given). The pending fold (pendingFold) is done when
   * `folded` starts at or before it (a fold runs to the newest activity). Returns the athlete's version as it stood then.
   */
  saveFold(
    athleteId: string,
    folded: readonly FoldedActivity[],
    dailyLoads: ReadonlyMap<number, number>,
    lvp: ReadonlyMap<string, readonly LvpHistoryEntry[]>,
    pruneBeforeTs: number | undefined,
  ): Promise<number>;
  /** Adds every stored set to the order and the entries (sets stored before those existed). */
  index(athleteId: string): Promise<void>;
  /**
   * Runs `update` while holding the athlete's lock (waiting for it up to `waitMs`), so that one
   * worker at a time writes an athlete's outputs and no stale value is written over a fresh one.
   * Throws a retryable error when the lock stays taken.
   */
  withLock<T>(athleteId: string, waitMs: number, update: () => Promise<T>, order?: LockOrder): Promise<T>;
}
