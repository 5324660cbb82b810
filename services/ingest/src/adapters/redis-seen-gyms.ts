import type { TenancyKeys } from '@neurolift/tenancy';
import type { RedisClient } from '@neurolift/storage';
import type { SeenGyms } from '../ports.js';

/**
 * Marks each gym seen unless it is registered; returns the registered ones. One script, so a gym registered
 * between a stale view and this call is never marked (and never routed as the default tenant's).
 * KEYS: the registry's gyms hash, the seen set. ARGV: gyms.
 */
const MARK_SEEN = `
local registered = {}
for _, gym in ipairs(ARGV) do
  if redis.call('HEXISTS', KEYS[1], gym) == 1 then table.insert(registered, gym)
  else redis.call('SADD', KEYS[2], gym) end
end
return registered
`;

export function createRedisSeenGyms(redis: RedisClient, keys: TenancyKeys): SeenGyms {
  return {
    async markSeen(gymIds) {
      if (gymIds.length === 0) return [];
      return (await redis.eval(MARK_SEEN, 2, keys.gyms, keys.gymsSeen, ...gymIds)) as string[];
    },
  };
}
