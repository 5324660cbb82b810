import type { RedisKeys } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import type { RegistryStore } from '@neurolift/tenancy';
import type { AthleteDirectory } from '../access/scope.js';
import type { AthleteOwners } from '../ports.js';

/** Athlete owners from the registry (which knows the pre-tenancy rule), and where athletes were seen. */
export function createRedisAthleteDirectory(redis: RedisClient, keys: RedisKeys, store: Pick<RegistryStore, 'athleteTenant' | 'claimAthlete' | 'releaseAthlete'>): AthleteDirectory & AthleteOwners {
  return {
    ownerOf: (athleteId) => store.athleteTenant(athleteId),
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
