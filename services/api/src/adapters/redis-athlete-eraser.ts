import { ALERT_RULES, Id, SEVERITIES, type RedisKeys } from '@neurolift/contracts';
import { createRedisAthleteStore, replyValues, type RedisClient } from '@neurolift/storage';
import { z } from 'zod';
import type { AthleteRedisEraser, RedisErasure } from '../ports.js';
import { parseEntry } from './parse-entry.js';

/** How long an erasure waits for a worker updating the same athlete, ms (the worker's own wait). */
const LOCK_WAIT_MS = 10_000;

/** The ids of a stored athlete set (written by the worker's athlete store); nothing else is needed. */
const StoredSetIds = z.object({ stationId: Id, setId: Id });
/** A live console entry (LiveStation or AlertMessage JSON) as far as the erasure cares. */
const ConsoleEntry = z.object({ athleteId: z.string() });

/**
 * Deletes a set's keys (KEYS: the set hash first, then its reps, segmenter, inbox and outbox) if the set
 * hash names athlete ARGV[1] and the set is closed: a station may reuse a set id for another athlete,
 * and an open set is still being written.
 */
const DELETE_SET_OF_ATHLETE = `
if redis.call('HGET', KEYS[1], 'athleteId') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'closed' then return 0 end
return redis.call('DEL', unpack(KEYS))
`;

/** Deletes hash field ARGV[1] only while it still holds ARGV[2] (the station may show another athlete by now). */
const HDEL_IF_UNCHANGED = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

const mentions = (text: string, athleteId: string): boolean => parseEntry(ConsoleEntry, text)?.athleteId === athleteId;

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
    keys.alertBasis(athleteId),
    keys.alertRoms(athleteId),
    ...ALERT_RULES.flatMap((rule) => SEVERITIES.map((severity) => keys.alertCooldown(athleteId, `${rule}.${severity}`))),
  ];
}

/**
 * The Redis side of an erasure, without any SCAN: the keys named after the athlete; the athlete in each
 * gym's athlete index (the gyms are listed in `keys.gyms`); the state of the athlete's processed sets,
 * found through its set index (`keys.athleteSets`, 35 days) before that is deleted; and the live console's
 * stations and alerts showing the athlete (bounded per gym). Reads first, then one MULTI of deletions, each
 * conditional where another writer may have moved on.
 */
export function createRedisAthleteEraser(redis: RedisClient, keys: RedisKeys, options: { lockWaitMs?: number } = {}): AthleteRedisEraser {
  const athletes = createRedisAthleteStore(redis, keys);
  return {
    withAthleteLock: (athleteId, work) => athletes.withLock(athleteId, options.lockWaitMs ?? LOCK_WAIT_MS, work),

    async erase(athleteId): Promise<RedisErasure> {
      const [storedSets, gyms] = replyValues(await redis.pipeline().hgetall(keys.athleteSets(athleteId)).smembers(keys.gyms).exec()) as [
        Record<string, string>,
        string[],
      ];
      const read = redis.pipeline();
      for (const gymId of gyms) read.hgetall(keys.liveStations(gymId)).lrange(keys.liveAlerts(gymId), 0, -1).hkeys(keys.inSetPending(gymId));
      const boards = gyms.length === 0 ? [] : replyValues(await read.exec());

      // Each reply counts as whole keys deleted or as entries removed from shared keys.
      const counts: Array<'keys' | 'entries'> = [];
      const multi = redis.multi();
      multi.del(...athleteKeyNames(keys, athleteId));
      counts.push('keys');
      for (const text of Object.values(storedSets)) {
        const ids = parseEntry(StoredSetIds, text);
        if (ids === undefined) continue;
        const { stationId, setId } = ids;
        const setKeys = [keys.set, keys.setReps, keys.segmenter, keys.samplesInbox, keys.segmentedOutbox].map((key) => key(stationId, setId));
        multi.eval(DELETE_SET_OF_ATHLETE, setKeys.length, ...setKeys, athleteId);
        counts.push('keys');
      }
      gyms.forEach((gymId, i) => {
        multi.zrem(keys.gymAthletes(gymId), athleteId);
        counts.push('entries');
        const stations = (boards[3 * i] ?? {}) as Record<string, string>;
        for (const [stationId, text] of Object.entries(stations)) {
          if (!mentions(text, athleteId)) continue;
          multi.eval(HDEL_IF_UNCHANGED, 1, keys.liveStations(gymId), stationId, text);
          counts.push('entries');
        }
        const alerts = (boards[3 * i + 1] ?? []) as string[];
        for (const text of new Set(alerts.filter((entry) => mentions(entry, athleteId)))) {
          multi.lrem(keys.liveAlerts(gymId), 0, text);
          counts.push('entries');
        }
        // Sets of the athlete still waiting for an in-set pass (fields are set refs).
        const pending = ((boards[3 * i + 2] ?? []) as string[]).filter((field) => mentions(field, athleteId));
        if (pending.length > 0) {
          multi.hdel(keys.inSetPending(gymId), ...pending);
          counts.push('entries');
        }
      });
      const replies = replyValues(await multi.exec());
      let keysDeleted = 0;
      let entriesRemoved = 0;
      replies.forEach((reply, i) => {
        if (counts[i] === 'keys') keysDeleted += Number(reply);
        else entriesRemoved += Number(reply);
      });
      return { keysDeleted, entriesRemoved };
    },
  };
}
