import { ALERT_RULES, Id, SEVERITIES, type RedisKeys } from '@neurolift/contracts';
import { z } from 'zod';
import { parseEntry } from './parse-entry.js';
import type { ApiKeys } from './shard-keys.js';

/** The ids of a stored athlete set (written by the worker's athlete store); its gym says which shard has the set. */
const StoredSetIds = z.object({ stationId: Id, setId: Id, gymId: Id.optional().catch(undefined) });
/** A live console entry (LiveStation or AlertMessage JSON) as far as the erasure cares. */
const ConsoleEntry = z.object({ athleteId: z.string() });

const mentions = (text: string, athleteId: string): boolean => parseEntry(ConsoleEntry, text)?.athleteId === athleteId;

/** What the erasure read of a gym's live console and in-set checks, in the gym's shard. */
export interface GymBoard {
  readonly gymId: string;
  readonly shard: number;
  /** stationId → LiveStation JSON. */
  readonly stations: Record<string, string>;
  /** AlertMessage JSON, newest first. */
  readonly alerts: readonly string[];
  /** The fields of the gym's in-set pending hash (SetRef JSON). */
  readonly pending: readonly string[];
}

/**
 * One deletion of an erasure. `del` and `deleteSet` count whole keys deleted; the others entries removed
 * from shared keys. `deleteSet` and `hdelIfUnchanged` are conditional (scripts, see the eraser).
 */
export type Deletion =
  | { readonly op: 'del'; readonly keys: readonly string[] }
  | { readonly op: 'deleteSet'; readonly keys: readonly string[]; readonly athleteId: string }
  | { readonly op: 'zrem'; readonly key: string; readonly member: string }
  | { readonly op: 'hdelIfUnchanged'; readonly key: string; readonly field: string; readonly value: string }
  | { readonly op: 'lrem'; readonly key: string; readonly value: string }
  | { readonly op: 'hdel'; readonly key: string; readonly fields: readonly string[] };

export const countsAsKeys = (deletion: Deletion): boolean => deletion.op === 'del' || deletion.op === 'deleteSet';

/** Every key named after the athlete. Its lock is not here: the erasure holds it, and releasing deletes it. */
export function athleteKeyNames(keys: RedisKeys, athleteId: string): string[] {
  return [
    keys.athleteProfile(athleteId),
    keys.athleteSets(athleteId),
    keys.athleteOrder(athleteId),
    keys.athleteEntries(athleteId),
    keys.athleteExerciseIndex(athleteId),
    keys.athleteLvp(athleteId),
    keys.athleteLockQueue(athleteId),
    keys.athleteDaily(athleteId),
    keys.athleteHeartRate(athleteId),
    keys.athleteHeartRateMinutes(athleteId),
    keys.athleteLiveHeartRate(athleteId),
    keys.athleteVersion(athleteId),
    keys.athleteFoldFrom(athleteId),
    keys.alertBasis(athleteId),
    keys.alertRoms(athleteId),
    ...ALERT_RULES.flatMap((rule) => SEVERITIES.map((severity) => keys.alertCooldown(athleteId, `${rule}.${severity}`))),
  ];
}

/** The deletions of one gym's keys: the athlete in its athlete index, console entries and pending in-set checks. */
function gymDeletions(keys: RedisKeys, board: GymBoard, athleteId: string): Deletion[] {
  const { gymId } = board;
  const out: Deletion[] = [{ op: 'zrem', key: keys.gymAthletes(gymId), member: athleteId }];
  for (const [stationId, text] of Object.entries(board.stations)) {
    if (mentions(text, athleteId)) out.push({ op: 'hdelIfUnchanged', key: keys.liveStations(gymId), field: stationId, value: text });
  }
  for (const text of new Set(board.alerts.filter((entry) => mentions(entry, athleteId)))) out.push({ op: 'lrem', key: keys.liveAlerts(gymId), value: text });
  // Sets of the athlete still waiting for an in-set pass (fields are set refs).
  const pending = board.pending.filter((field) => mentions(field, athleteId));
  if (pending.length > 0) out.push({ op: 'hdel', key: keys.inSetPending(gymId), fields: pending });
  return out;
}

/**
 * An athlete's erasure as deletions by shard (in shard order; one MULTI each, since a MULTI may touch one
 * shard only): the athlete's own keys in its shard; each stored set's keys in its gym's shard (a set stored
 * without its gym: tried in every shard, the deletion being conditional on the athlete); each gym's entries
 * in the gym's shard. With one shard, one list in the order of before.
 */
export function planErasure(
  keys: Pick<ApiKeys, 'shards' | 'athlete' | 'athleteShard' | 'gymShard'>,
  athleteId: string,
  storedSets: Record<string, string>,
  boards: readonly GymBoard[],
): Array<[number, Deletion[]]> {
  const byShard = new Map<number, Deletion[]>();
  const add = (shard: number, ...deletions: Deletion[]): void => {
    const list = byShard.get(shard);
    if (list === undefined) byShard.set(shard, deletions);
    else list.push(...deletions);
  };
  add(keys.athleteShard(athleteId), { op: 'del', keys: athleteKeyNames(keys.athlete(athleteId), athleteId) });
  for (const text of Object.values(storedSets)) {
    const ids = parseEntry(StoredSetIds, text);
    if (ids === undefined) continue;
    const { stationId, setId, gymId } = ids;
    const shards = gymId === undefined ? keys.shards.map((_, n) => n) : [keys.gymShard(gymId)];
    for (const shard of shards) {
      const shardKeys = keys.shards[shard];
      if (shardKeys === undefined) continue;
      const setKeys = [shardKeys.set, shardKeys.setReps, shardKeys.segmenter, shardKeys.samplesInbox, shardKeys.segmentedOutbox].map((key) => key(stationId, setId));
      add(shard, { op: 'deleteSet', keys: setKeys, athleteId });
    }
  }
  for (const board of boards) {
    const shardKeys = keys.shards[board.shard];
    if (shardKeys !== undefined) add(board.shard, ...gymDeletions(shardKeys, board, athleteId));
  }
  return [...byShard.entries()].sort(([a], [b]) => a - b);
}
