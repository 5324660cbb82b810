import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AthleteProfile, type RedisKeys } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import { foldedKey, isFoldedAerobic, lvpEntry, setSpan, type AthleteSet, type FoldedSet, type LvpHistoryEntry } from '@neurolift/stimulus';
import { luaScript, runScript } from '../lua-script.js';
import type { RedisClient } from '../redis-connection.js';
import { ALL_ENTRIES, EXERCISE_ENTRIES, FOLD_CONTEXT, INDEX_SETS, NEXT_ENTRY, PENDING_FOLD, PRUNE, PUT_AEROBIC, PUT_SET, RECORDS_BETWEEN, RECORDS_BY_TIME, SAVE_FOLD, TAKE_LOCK, lexBounds } from './athlete-scripts.js';
import { isAerobicRecord, type ActivityRecord, type AthleteRecord, type AthleteStore, type FoldContext, type SetEntry } from './athlete-store.js';
import { aerobicText, entryText, foldedSetText, packLvp, parseActivity, parseEntry, storedSetText, unpackLvp } from './stored-record.js';

/** Long enough for any update; a crashed holder's lock expires after it. */
const LOCK_TTL_MS = 30_000;
/** How often a waiting update tries the lock again. */
const LOCK_POLL_MS = 10;
/** How long a waiting set gives way to earlier sets in the queue before it takes the lock when free anyway. */
const QUEUE_PATIENCE_MS = 2_000;
/** The queue of waiting sets lapses when nobody has joined it for this long (entries of dead workers go with it). */
const LOCK_QUEUE_TTL_MS = 60_000;
const RELEASE_IF_OWNER = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

function parseProfile(text: string | null): AthleteProfile {
  return text === null || text === '' ? {} : AthleteProfile.parse(JSON.parse(text));
}

function pairs(flat: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

const entriesOf = (flat: readonly string[]): SetEntry[] => pairs(flat).map(([key, text]) => parseEntry(key, text));

/** A set as the index scripts take it: key, last rep, exercise, entry. */
function indexArgs(set: AthleteSet, folded?: FoldedSet): [string, number, string, string] {
  return [set.key, setSpan(set).lastTs, set.exercise, entryText(set, folded)];
}

/** Where an athlete's keys are: one key set, or the athlete's shard's (ShardLayout.athleteKeys). */
export type AthleteKeys = RedisKeys | ((athleteId: string) => RedisKeys);

export function createRedisAthleteStore(redis: RedisClient, keysOf: AthleteKeys): AthleteStore {
  // An athlete's keys: computed once per call (a shard's hash), then used for every key of the call.
  const k = typeof keysOf === 'function' ? keysOf : () => keysOf;
  const activities = (texts: ReadonlyArray<string | null>): ActivityRecord[] => texts.filter((text): text is string => text !== null && text !== '').map(parseActivity);
  const records = (texts: ReadonlyArray<string | null>): AthleteRecord[] => activities(texts).filter((record): record is AthleteRecord => !isAerobicRecord(record));
  const exerciseEntries = async (athleteId: string, exercises: readonly string[], fromTs: number, beforeTs: number): Promise<SetEntry[]> => {
    const keys = k(athleteId);
    if (!(beforeTs > fromTs) || exercises.length === 0) return [];
    const bounds = exercises.flatMap((exercise) => lexBounds(exercise, fromTs, beforeTs));
    return entriesOf((await runScript(redis, EXERCISE_ENTRIES, [keys.athleteExerciseIndex(athleteId), keys.athleteEntries(athleteId)], bounds)) as string[]);
  };

  return {
    async withLock(athleteId, waitMs, update, order) {
      const keys = k(athleteId);
      const key = keys.athleteLock(athleteId);
      const queue = keys.athleteLockQueue(athleteId);
      const owner = randomUUID();
      const started = Date.now();
      const deadline = started + waitMs;
      if (order !== undefined) await redis.multi().zadd(queue, order.lastTs, order.key).pexpire(queue, LOCK_QUEUE_TTL_MS).exec();
      for (;;) {
        const patient = Date.now() - started < QUEUE_PATIENCE_MS ? 1 : 0;
        const taken = await runScript(redis, TAKE_LOCK, [key, queue], [owner, LOCK_TTL_MS, order?.key ?? '', patient]);
        if (taken === 1) break;
        if (Date.now() > deadline) {
          if (order !== undefined) await redis.zrem(queue, order.key);
          throw new PipelineError('NL_ERR_ATHLETE_BUSY', `athlete ${athleteId} is being updated by another worker`, true);
        }
        await sleep(LOCK_POLL_MS);
      }
      try {
        return await update();
      } finally {
        await runScript(redis, RELEASE_IF_OWNER, [key], [owner]);
      }
    },

    async putSet(athleteId, set, foldFrom) {
      const keys = k(athleteId);
      const [key, lastTs, exercise, entry] = indexArgs(set);
      await runScript(
        redis,
        PUT_SET,
        [
          keys.athleteSets(athleteId),
          keys.athleteOrder(athleteId),
          keys.athleteEntries(athleteId),
          keys.athleteVersion(athleteId),
          keys.athleteExerciseIndex(athleteId),
          keys.athleteFoldFrom(athleteId),
        ],
        [key, storedSetText(set), lastTs, exercise, entry, foldFrom ?? ''],
      );
    },

    async putAerobic(athleteId, minutes) {
      const keys = k(athleteId);
      if (minutes.length === 0) return;
      const args = minutes.flatMap((minute) => [minute.key, aerobicText(minute), minute.ts]);
      await runScript(redis, PUT_AEROBIC, [keys.athleteSets(athleteId), keys.athleteOrder(athleteId), keys.athleteVersion(athleteId), keys.athleteFoldFrom(athleteId)], args);
    },

    async aerobicMinutes(athleteId, fromMinute, toMinute) {
      const keys = k(athleteId);
      const texts = (await runScript(redis, RECORDS_BY_TIME, [keys.athleteOrder(athleteId), keys.athleteSets(athleteId)], [fromMinute * 60_000, toMinute * 60_000 + 59_999, '~hr.'])) as Array<string | null>;
      return activities(texts).flatMap((record) => (isAerobicRecord(record) ? [record.minute] : []));
    },

    async profile(athleteId) {
      return parseProfile(await redis.get(k(athleteId).athleteProfile(athleteId)));
    },

    async record(athleteId, key) {
      const text = await redis.hget(k(athleteId).athleteSets(athleteId), key);
      return text === null ? undefined : records([text])[0];
    },

    async pendingFold(athleteId) {
      const keys = k(athleteId);
      const text = (await runScript(redis, PENDING_FOLD, [keys.athleteFoldFrom(athleteId), keys.athleteSets(athleteId)], [])) as string | null;
      return text === null ? undefined : activities([text])[0];
    },

    async foldContext(athleteId, fromKey, exercise): Promise<FoldContext> {
      const keys = k(athleteId);
      const [version, profile, before, , from, daily, unindexed, lvp, oldest, pending] = (await runScript(
        redis,
        FOLD_CONTEXT,
        [
          keys.athleteOrder(athleteId),
          keys.athleteSets(athleteId),
          keys.athleteProfile(athleteId),
          keys.athleteVersion(athleteId),
          keys.athleteDaily(athleteId),
          keys.athleteLvp(athleteId),
          keys.athleteFoldFrom(athleteId),
        ],
        [fromKey ?? '', exercise ?? ''],
      )) as [string, string, string, string[], Array<string | null>, string[], number, string, string, string];
      const startsOrder = before === '' && from.length > 0;
      return {
        version: Number(version),
        unindexed,
        profile: parseProfile(profile),
        ...(before === '' ? {} : { before: parseActivity(before) }),
        from: activities(from),
        ...(startsOrder ? { dailyLoads: new Map(pairs(daily).map(([day, load]) => [Number(day), Number(load)])) } : {}),
        ...(exercise === undefined ? {} : { lvp: new Map([[exercise, unpackLvp(lvp)]]) }),
        ...(oldest === '' ? {} : { oldestLastTs: Number(oldest) }),
        ...(pending === '' ? {} : { pendingFrom: pending }),
      };
    },

    async lvpLists(athleteId, exercises) {
      if (exercises.length === 0) return new Map();
      const packed = await redis.hmget(k(athleteId).athleteLvp(athleteId), ...exercises);
      return new Map(exercises.map((exercise, i) => [exercise, unpackLvp(packed[i] ?? '')]));
    },

    async entries(athleteId, exercise, fromTs, beforeTs) {
      const keys = k(athleteId);
      if (exercise !== undefined) return exerciseEntries(athleteId, [exercise], fromTs, beforeTs);
      if (!(beforeTs > fromTs)) return [];
      return entriesOf((await runScript(redis, ALL_ENTRIES, [keys.athleteOrder(athleteId), keys.athleteEntries(athleteId)], [fromTs, beforeTs])) as string[]);
    },

    async nextEntry(athleteId, key) {
      const keys = k(athleteId);
      const [next, text] = (await runScript(redis, NEXT_ENTRY, [keys.athleteOrder(athleteId), keys.athleteEntries(athleteId)], [key])) as string[];
      return next === undefined || text === undefined || text === '' ? undefined : parseEntry(next, text);
    },

    async records(athleteId, fromKey, toKey) {
      const keys = k(athleteId);
      return records((await runScript(redis, RECORDS_BETWEEN, [keys.athleteOrder(athleteId), keys.athleteSets(athleteId)], [fromKey, toKey])) as Array<string | null>);
    },

    async dailyLoads(athleteId) {
      const daily = await redis.hgetall(k(athleteId).athleteDaily(athleteId));
      return new Map(Object.entries(daily).map(([day, load]) => [Number(day), Number(load)]));
    },

    async saveFold(athleteId, folded, dailyLoads, lvp, pruneBeforeTs) {
      const keys = k(athleteId);
      const foldedSets = folded.filter((entry): entry is FoldedSet => !isFoldedAerobic(entry));
      const sets = foldedSets.flatMap((entry) => {
        const [key, lastTs, exercise, text] = indexArgs(entry.set, entry);
        return [key, foldedSetText(entry), lastTs, exercise, text];
      });
      const minutes = folded.flatMap((entry) => (isFoldedAerobic(entry) ? [entry.minute.key, aerobicText(entry.minute, entry), entry.minute.ts] : []));
      const lists = [...lvp].flatMap(([exercise, entries]) => [exercise, packLvp(entries)]);
      const daily = [...dailyLoads].flatMap(([day, load]) => [String(day), String(load)]);
      // A fold runs from its first activity to the newest: a pending start at or after that one is folded now.
      const first = folded[0];
      const version = await runScript(
        redis,
        SAVE_FOLD,
        [
          keys.athleteSets(athleteId),
          keys.athleteOrder(athleteId),
          keys.athleteEntries(athleteId),
          keys.athleteExerciseIndex(athleteId),
          keys.athleteDaily(athleteId),
          keys.athleteVersion(athleteId),
          keys.athleteLvp(athleteId),
          keys.athleteFoldFrom(athleteId),
        ],
        [first === undefined ? '' : foldedKey(first), foldedSets.length, ...sets, lvp.size, ...lists, minutes.length / 3, ...minutes, ...daily],
      );
      // Apart from the save: pruning can wait a set, and a failure here loses nothing.
      if (pruneBeforeTs !== undefined) {
        await runScript(
          redis,
          PRUNE,
          [keys.athleteOrder(athleteId), keys.athleteSets(athleteId), keys.athleteEntries(athleteId), keys.athleteExerciseIndex(athleteId)],
          [pruneBeforeTs],
        );
      }
      return Number(version);
    },

    async index(athleteId) {
      const keys = k(athleteId);
      const stored = await redis.hgetall(keys.athleteSets(athleteId));
      const sets = records(Object.values(stored))
        .map((record) => record.set)
        .filter((set) => set.reps.length > 0);
      if (sets.length === 0) return;
      await runScript(redis, INDEX_SETS, [keys.athleteOrder(athleteId), keys.athleteEntries(athleteId), keys.athleteExerciseIndex(athleteId)], sets.flatMap((set) => indexArgs(set)));
      const lists = new Map<string, LvpHistoryEntry[]>();
      for (const set of sets) lists.set(set.exercise, [...(lists.get(set.exercise) ?? []), lvpEntry(set)]);
      await redis.hset(keys.athleteLvp(athleteId), Object.fromEntries([...lists].map(([exercise, entries]) => [exercise, packLvp(entries)])));
    },
  };
}
