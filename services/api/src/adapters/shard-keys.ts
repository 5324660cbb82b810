import { groupByShard as groupItems, redisKeys, type RedisKeys, type ShardLayout } from '@neurolift/contracts';

/**
 * Where the api finds each Redis key of the deployment's shards (REDIS_SHARDS, see contracts' shards.ts):
 * a gym's keys in the shard of its tenant and id, an athlete's in the shard of its id, the control plane's
 * (the set of gyms) under the prefix itself. With one shard all three are the same key set.
 */
export interface ApiKeys {
  /** Every shard's keys, by shard number. */
  readonly shards: readonly RedisKeys[];
  /** The control plane's keys (`gyms`: the gyms that have had a set). */
  readonly control: RedisKeys;
  readonly gymShard: (gymId: string) => number;
  readonly athleteShard: (athleteId: string) => number;
  /** Shorthands: the keys of the gym's and of the athlete's shard. */
  readonly gym: (gymId: string) => RedisKeys;
  readonly athlete: (athleteId: string) => RedisKeys;
}

/**
 * The api's keys over a layout. `tenantOfGym` is the registry's (unregistered gyms are the default
 * tenant's), read at each call: a gym's shard follows its registration.
 */
export function apiKeysOf(layout: ShardLayout, tenantOfGym: (gymId: string) => string): ApiKeys {
  const gymShard = (gymId: string) => layout.gymShard(tenantOfGym(gymId), gymId);
  return {
    shards: layout.prefixes.map((_, n) => layout.keys(n)),
    control: redisKeys(layout.control),
    gymShard,
    athleteShard: (athleteId) => layout.athleteShard(athleteId),
    gym: (gymId) => layout.keys(gymShard(gymId)),
    athlete: (athleteId) => layout.athleteKeys(athleteId),
  };
}

/**
 * Items grouped by shard, in shard order; each group keeps the items' order. What turns one pipeline or
 * MULTI over keys of several shards into one per shard (a Redis Cluster refuses keys of several slots).
 */
export function groupByShard<T>(items: Iterable<T>, shardOf: (item: T) => number): Array<[number, T[]]> {
  return [...groupItems(items, shardOf)].sort(([a], [b]) => a - b);
}
