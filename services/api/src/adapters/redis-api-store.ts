import { AthleteProfile } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import { mergeNewestFirst, sumCounts } from '../dead-letter-merge.js';
import type { DeadLetterReader, DeadLetterView, ProfileStore } from '../ports.js';
import type { ApiKeys } from './shard-keys.js';

/**
 * A tenant's dead letters of every shard (each message's or job's lands in its gym's shard): the newest
 * `limit` of each shard merged newest first and cut to `limit`, the counts by reason summed.
 */
export function createRedisDeadLetterReader(redis: RedisClient, keys: Pick<ApiKeys, 'shards'>): DeadLetterReader {
  return {
    async list(tenantId, limit) {
      const shards = await Promise.all(
        keys.shards.map((shard) => Promise.all([redis.lrange(shard.deadLettersOf(tenantId), 0, limit - 1), redis.hgetall(shard.deadLetterCountsOf(tenantId))])),
      );
      const lists = shards.map(([items]) => items.map((item) => JSON.parse(item) as DeadLetterView));
      return { ...sumCounts(shards.map(([, counts]) => counts)), items: mergeNewestFirst(lists, limit) };
    },
  };
}

/** Athlete profiles, each in its athlete's shard. */
export function createRedisProfileStore(redis: RedisClient, keys: Pick<ApiKeys, 'athlete'>): ProfileStore {
  return {
    async get(athleteId) {
      const text = await redis.get(keys.athlete(athleteId).athleteProfile(athleteId));
      return text === null ? undefined : AthleteProfile.parse(JSON.parse(text));
    },
    async put(athleteId, profile) {
      await redis.set(keys.athlete(athleteId).athleteProfile(athleteId), JSON.stringify(profile));
    },
  };
}
