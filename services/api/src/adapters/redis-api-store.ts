import { AthleteProfile, type RedisKeys } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import type { DeadLetterReader, DeadLetterView, ProfileStore } from '../ports.js';

export function createRedisDeadLetterReader(redis: RedisClient, keys: RedisKeys): DeadLetterReader {
  return {
    async list(tenantId, limit) {
      const [items, counts] = await Promise.all([redis.lrange(keys.deadLettersOf(tenantId), 0, limit - 1), redis.hgetall(keys.deadLetterCountsOf(tenantId))]);
      const byReason = Object.fromEntries(Object.entries(counts).map(([reason, count]) => [reason, Number(count)]));
      const total = Object.values(byReason).reduce((sum, count) => sum + count, 0);
      return { total, byReason, items: items.map((item) => JSON.parse(item) as DeadLetterView) };
    },
  };
}

export function createRedisProfileStore(redis: RedisClient, keys: RedisKeys): ProfileStore {
  return {
    async get(athleteId) {
      const text = await redis.get(keys.athleteProfile(athleteId));
      return text === null ? undefined : AthleteProfile.parse(JSON.parse(text));
    },
    async put(athleteId, profile) {
      await redis.set(keys.athleteProfile(athleteId), JSON.stringify(profile));
    },
  };
}
