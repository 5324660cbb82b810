import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AthleteProfile, type RedisKeys } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import { replyValues, type RedisClient } from '../redis-connection.js';
import { z } from 'zod';
import type { AthleteSnapshot, AthleteStore } from './athlete-store.js';
import type { AthleteSet } from '@neurolift/stimulus';

/** Stored form of an athlete's set; parsed on read (another version of the worker may have written it). */
const StoredSet = z.object({
  v: z.literal(1),
  key: z.string(),
  gymId: z.string(),
  stationId: z.string(),
  setId: z.string(),
  exercise: z.string(),
  reps: z.array(
    z.object({
      repIndex: z.number(),
      ts: z.number(),
      loadKg: z.number(),
      meanVelocity: z.number(),
      rom: z.number().optional(),
      concentricMs: z.number().optional(),
      eccentricMs: z.number().optional(),
    }),
  ),
  pointTs: z.number().optional(),
});

function parseStoredSet(text: string): AthleteSet {
  const { v: _version, ...set } = StoredSet.parse(JSON.parse(text));
  return set;
}

/** Long enough for any update; a crashed holder's lock expires after it. */
const LOCK_TTL_MS = 30_000;
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createRedisAthleteStore(redis: RedisClient, keys: RedisKeys): AthleteStore {
  return {
    async withLock(athleteId, waitMs, update) {
      const key = keys.athleteLock(athleteId);
      const owner = randomUUID();
      const deadline = Date.now() + waitMs;
      while ((await redis.set(key, owner, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new PipelineError('NL_ERR_ATHLETE_BUSY', `athlete ${athleteId} is being updated by another worker`, true);
        await sleep(20);
      }
      try {
        return await update();
      } finally {
        await redis.eval(RELEASE_IF_OWNER, 1, key, owner);
      }
    },

    async putSet(athleteId, set) {
      await redis
        .multi()
        .hset(keys.athleteSets(athleteId), set.key, JSON.stringify({ v: 1, ...set }))
        .incr(keys.athleteVersion(athleteId))
        .exec();
    },

    async storedSet(athleteId, key) {
      const text = await redis.hget(keys.athleteSets(athleteId), key);
      return text === null ? undefined : parseStoredSet(text);
    },

    async load(athleteId): Promise<AthleteSnapshot> {
      const [version, profile, sets, daily] = replyValues(
        await redis
          .multi()
          .get(keys.athleteVersion(athleteId))
          .get(keys.athleteProfile(athleteId))
          .hgetall(keys.athleteSets(athleteId))
          .hgetall(keys.athleteDaily(athleteId))
          .exec(),
      ) as [string | null, string | null, Record<string, string>, Record<string, string>];
      return {
        version: Number(version ?? 0),
        profile: profile === null ? {} : AthleteProfile.parse(JSON.parse(profile)),
        sets: Object.values(sets).map(parseStoredSet),
        dailyLoads: new Map(Object.entries(daily).map(([day, load]) => [Number(day), Number(load)])),
      };
    },

    async save(athleteId, dailyLoads, staleSetKeys) {
      const multi = redis.multi();
      if (dailyLoads.size > 0) {
        multi.hset(keys.athleteDaily(athleteId), Object.fromEntries([...dailyLoads].map(([day, load]) => [String(day), String(load)])));
      }
      if (staleSetKeys.length > 0) multi.hdel(keys.athleteSets(athleteId), ...staleSetKeys);
      await multi.exec();
    },

    async version(athleteId) {
      return Number((await redis.get(keys.athleteVersion(athleteId))) ?? 0);
    },
  };
}
