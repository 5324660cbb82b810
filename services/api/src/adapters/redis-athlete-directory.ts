import type { RedisClient } from '@neurolift/storage';
import type { RegistryStore } from '@neurolift/tenancy';
import type { AthleteDirectory } from '../access/scope.js';
import type { AthleteOwners } from '../ports.js';
import { groupByShard, type ApiKeys } from './shard-keys.js';

/** Athlete owners from the registry (which knows the pre-tenancy rule), and where athletes were seen. */
export function createRedisAthleteDirectory(
  redis: RedisClient,
  keys: Pick<ApiKeys, 'shards' | 'gymShard'>,
  store: Pick<RegistryStore, 'athleteTenant' | 'claimAthlete' | 'releaseAthlete'>,
): AthleteDirectory & AthleteOwners {
  /** Whether the athlete is in the athlete index of one of `gymIds`, all in `shard` (one pipeline, one slot). */
  async function seenInShard(athleteId: string, shard: number, gymIds: readonly string[]): Promise<boolean> {
    const gyms = keys.shards[shard];
    if (gyms === undefined) throw new RangeError(`no shard ${shard}`);
    const pipeline = redis.pipeline();
    for (const gymId of gymIds) pipeline.zscore(gyms.gymAthletes(gymId), athleteId);
    const results = (await pipeline.exec()) ?? [];
    return results.some(([error, score]) => error === null && score !== null);
  }
  return {
    ownerOf: (athleteId) => store.athleteTenant(athleteId),
    async seenAt(athleteId, gymIds) {
      if (gymIds.length === 0) return false;
      // The gyms' indexes may be in several shards: one read per shard.
      const seen = await Promise.all(groupByShard(gymIds, keys.gymShard).map(([shard, gyms]) => seenInShard(athleteId, shard, gyms)));
      return seen.some(Boolean);
    },
    claim: (athleteId, tenantId) => store.claimAthlete(athleteId, tenantId),
    release: (athleteId) => store.releaseAthlete(athleteId),
  };
}
