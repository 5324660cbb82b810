import { DEFAULT_TENANT, type RedisKeys } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import type { RegistryStore } from '@neurolift/tenancy';
import type { AthleteDirectory } from '../access/scope.js';
import type { AthleteOwners } from '../ports.js';

/**
 * Athlete owners from the registry's athlete index. An athlete with a profile or sets but no owner was
 * stored before tenancy: it is the default tenant's, and nobody else may claim it.
 */
export function createRedisAthleteDirectory(redis: RedisClient, keys: RedisKeys, store: Pick<RegistryStore, 'athleteTenant' | 'claimAthlete' | 'releaseAthlete'>): AthleteDirectory & AthleteOwners {
  async function ownerOf(athleteId: string): Promise<string | undefined> {
    const owner = await store.athleteTenant(athleteId);
    if (owner !== undefined) return owner;
    const stored = await redis.exists(keys.athleteProfile(athleteId), keys.athleteOrder(athleteId));
    return stored > 0 ? DEFAULT_TENANT : undefined;
  }
  return {
    ownerOf,
    async seenAt(athleteId, gymIds) {
      if (gymIds.length === 0) return false;
      const pipeline = redis.pipeline();
      for (const gymId of gymIds) pipeline.zscore(keys.gymAthletes(gymId), athleteId);
      const results = (await pipeline.exec()) ?? [];
      return results.some(([error, score]) => error === null && score !== null);
    },
    claim: (athleteId, tenantId) => store.claimAthlete(athleteId, tenantId),
    release: (athleteId) => store.releaseAthlete(athleteId),
  };
}
