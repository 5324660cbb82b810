import { RepRecord, type RedisKeys } from '@neurolift/contracts';
import { replyValues, type RedisClient } from '@neurolift/storage';
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
    async closedSet(stationId, setId) {
      const [reps, flag] = replyValues(await redis.pipeline().hgetall(keys.setReps(stationId, setId)).hget(keys.set(stationId, setId), 'repsOutOfOrder').exec()) as [
        Record<string, string>,
        string | null,
      ];
      return { reps: parseReps(Object.values(reps)), repsInOrder: flag === null };
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
