import { redisKeys, type RedisKeys } from './redis-keys.js';

/**
 * How a deployment's Redis data is split into shards (REDIS_SHARDS = S). A shard is one hash tag, so one
 * Redis Cluster slot: everything a MULTI, a Lua script or a BullMQ queue touches at once lives in one shard.
 * - S = 1 (the default): the one shard is the prefix itself, `{nl}`: the layout of before, unchanged.
 * - S > 1: shard n's keys and queues start with `{nl:n}`, n = 0…S−1 (the prefix's tag with `:n`).
 * A gym's keys (its stations, sets, live state, alert checks) are in the shard of a stable hash of its
 * tenant and id; an athlete's (state, lock, heart rate, owner, alert cooldowns) in the shard of its id.
 * The control plane (the device registry, tokens, audit logs, the set of gyms) stays under the prefix
 * itself, whatever S: changing S leaves it where it is.
 */
export interface ShardLayout {
  readonly count: number;
  /** The prefix of the control-plane keys (REDIS_PREFIX). */
  readonly control: string;
  /** Every shard's prefix, by shard number. */
  readonly prefixes: readonly string[];
  // Function properties, not methods: they are passed around on their own (no `this`).
  /** The keys of shard n. */
  readonly keys: (shard: number) => RedisKeys;
  readonly gymShard: (tenantId: string, gymId: string) => number;
  readonly athleteShard: (athleteId: string) => number;
  /** Shorthands: the keys of the gym's and of the athlete's shard. */
  readonly gymKeys: (tenantId: string, gymId: string) => RedisKeys;
  readonly athleteKeys: (athleteId: string) => RedisKeys;
}

/** Shards per deployment at most: far more than masters a cluster is run with, few enough to consume them all. */
export const MAX_REDIS_SHARDS = 1024;

const HASH_TAG = /^\{([^{}]+)\}$/;

/**
 * 32-bit FNV-1a over the UTF-16 code units of the text. Stable by definition: a shard number is where data
 * already lives, so this function never changes (the unit test pins its values).
 */
export function shardHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Why a prefix cannot carry S shards, or undefined when it can. */
export function shardLayoutProblem(prefix: string, count: number): string | undefined {
  if (!Number.isInteger(count) || count < 1 || count > MAX_REDIS_SHARDS) return `REDIS_SHARDS must be an integer from 1 to ${MAX_REDIS_SHARDS}`;
  if (count > 1 && !HASH_TAG.test(prefix)) return `REDIS_PREFIX must be one hash tag such as {nl} when REDIS_SHARDS > 1 (the shards are {nl:0}…); got ${prefix}`;
  return undefined;
}

export function shardPrefix(prefix: string, count: number, shard: number): string {
  if (count === 1) return prefix;
  const tag = HASH_TAG.exec(prefix)?.[1];
  if (tag === undefined) throw new Error(shardLayoutProblem(prefix, count));
  return `{${tag}:${shard}}`;
}

export function shardLayout(prefix: string, count: number): ShardLayout {
  const problem = shardLayoutProblem(prefix, count);
  if (problem !== undefined) throw new Error(problem);
  const prefixes = Array.from({ length: count }, (_, n) => shardPrefix(prefix, count, n));
  const keySets = prefixes.map((p) => redisKeys(p));
  const keys = (shard: number): RedisKeys => {
    const set = keySets[shard];
    if (set === undefined) throw new RangeError(`no shard ${shard} of ${count}`);
    return set;
  };
  const gymShard = (tenantId: string, gymId: string) => (count === 1 ? 0 : shardHash(`${tenantId}/${gymId}`) % count);
  const athleteShard = (athleteId: string) => (count === 1 ? 0 : shardHash(`athlete/${athleteId}`) % count);
  return {
    count,
    control: prefix,
    prefixes,
    keys,
    gymShard,
    athleteShard,
    gymKeys: (tenantId, gymId) => keys(gymShard(tenantId, gymId)),
    athleteKeys: (athleteId) => keys(athleteShard(athleteId)),
  };
}

/**
 * Items grouped by shard (or by a shard's prefix), each group in the items' order, groups in first-seen
 * order: what turns one MULTI or pipeline over keys of several shards into one per shard (a Redis Cluster
 * refuses a transaction or pipeline across slots of different nodes). Pure.
 */
export function groupByShard<K, T>(items: Iterable<T>, shardOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const shard = shardOf(item);
    const group = groups.get(shard);
    if (group === undefined) groups.set(shard, [item]);
    else group.push(item);
  }
  return groups;
}

/**
 * The shards a worker or alerts process consumes, from a list such as `0-3,8,10-11` (CONSUME_SHARDS);
 * empty or absent: all of them. Throws with what is wrong.
 */
export function parseShardList(text: string | undefined, count: number): number[] {
  if (text === undefined || text.trim() === '') return Array.from({ length: count }, (_, n) => n);
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (match === null) throw new Error(`"${part.trim()}" is not a shard number or a range such as 0-3`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new Error(`range ${from}-${to} runs backwards`);
    if (to >= count) throw new Error(`shard ${to} does not exist: REDIS_SHARDS is ${count} (shards 0-${count - 1})`);
    for (let n = from; n <= to; n++) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}
