import { RepRecord, type RedisKeys } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import type { SetStore } from '../ports.js';

function parseReps(values: ReadonlyArray<string | null>): RepRecord[] {
  const reps: RepRecord[] = [];
  for (const value of values) {
    if (value !== null) reps.push(RepRecord.parse(JSON.parse(value)));
  }
  return reps;
}

/** Reads the reps ingest stored per set (hash repIndex → RepRecord JSON). */
export function createRedisSetStore(redis: RedisClient, keys: RedisKeys): SetStore {
  return {
    async setReps(stationId, setId) {
      return parseReps(Object.values(await redis.hgetall(keys.setReps(stationId, setId))));
    },
    async firstReps(sets) {
      const pipeline = redis.pipeline();
      for (const set of sets) pipeline.hmget(keys.setReps(set.stationId, set.setId), '1', '2', '3');
      const results = (await pipeline.exec()) ?? [];
      const out = new Map<string, RepRecord[]>();
      results.forEach(([error, values], index) => {
        if (error) throw error;
        const set = sets[index];
        if (set) out.set(`${set.stationId}:${set.setId}`, parseReps(values as Array<string | null>));
      });
      return out;
    },
  };
}
