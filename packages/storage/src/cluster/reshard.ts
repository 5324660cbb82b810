import { DEFAULT_TENANT, QUEUES, type ShardLayout } from '@neurolift/contracts';
import { Queue } from 'bullmq';
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from '../redis-connection.js';
import { keyPlace, type KeyPlace } from './key-places.js';

/**
 * Changing REDIS_SHARDS on a deployment with data, offline: with ingest stopped (the broker keeps its
 * messages) and the queues drained, every key of the old shards goes to its owner's shard of the new layout
 * under its new name (DUMP/RESTORE with its TTL, then the old one deleted), keys that gather many owners are
 * redistributed, the alert checks still delayed (session ends) are re-added in their gym's new shard, and the
 * old shards' queues are removed. Safe to run again after a crash (a key is deleted only once its copy is
 * written). The control plane (registry, tokens, audit) is never touched.
 */
export interface ReshardOptions {
  readonly redis: RedisClient;
  readonly from: ShardLayout;
  readonly to: ShardLayout;
  readonly dryRun?: boolean;
  readonly log?: (line: string) => void;
}

export interface ReshardReport {
  /** What still runs or waits: a reshard waits for it (nothing is changed while this is not empty). */
  readonly pending: string[];
  readonly moved: number;
  /** Alert delivery records copied to every shard (they do not name their gym). */
  readonly copied: number;
  readonly merged: number;
  readonly jobsMoved: number;
  /** Keys left where they are: not the pipeline's, or a set part whose set hash and station are gone. */
  readonly unplaced: string[];
}

/** Queues whose jobs may still wait at a reshard: the alert checks' delayed session ends and daily schedulers. */
const MAY_WAIT = QUEUES.alertChecks;

interface Planned {
  readonly key: string;
  readonly shard: number;
  readonly name: string;
  readonly place: KeyPlace;
}

async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const nodes: Array<Redis | Cluster> = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== '0');
  }
  return [...found].sort();
}

/** SCAN's pattern for keys starting with `prefix:` (the braces of a hash tag are not special; `[`, `?`, `*`, `\` are). */
const patternOf = (prefix: string) => `${prefix.replace(/[[\]?*\\]/g, (c) => `\\${c}`)}:*`;

export async function reshard(options: ReshardOptions): Promise<ReshardReport> {
  const { redis, from, to } = options;
  const log = options.log ?? (() => undefined);
  if (from.control !== to.control) throw new Error(`the prefix cannot change with the shards (${from.control} → ${to.control})`);
  const report = { pending: [] as string[], moved: 0, copied: 0, merged: 0, jobsMoved: 0, unplaced: [] as string[] };

  // 1. Nothing may run or wait but delayed alert checks and schedulers.
  const queues = from.prefixes.flatMap((prefix) => Object.values(QUEUES).map((name) => ({ prefix, name, queue: new Queue(name, { connection: redis, prefix }) })));
  try {
    for (const { prefix, name, queue } of queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children', 'delayed');
      for (const [state, count] of Object.entries(counts)) {
        if (count > 0 && !(name === MAY_WAIT && state === 'delayed')) report.pending.push(`${prefix} ${name}: ${count} ${state}`);
      }
    }
    if (report.pending.length > 0) return report;

    // 2. Every key of the old shards, with its owner.
    const tenants = new Map(Object.entries(await redis.hgetall(`${from.control}:registry:gyms`)));
    const gymShard = (gymId: string) => to.gymShard(tenants.get(gymId) ?? DEFAULT_TENANT, gymId);
    const planned: Planned[] = [];
    for (const [shard, prefix] of from.prefixes.entries()) {
      for (const key of await scanKeys(redis, patternOf(prefix))) {
        const name = key.slice(prefix.length + 1);
        planned.push({ key, shard, name, place: keyPlace(name) });
      }
    }
    // A station's and a set's gym, from their hashes where they are now (a set part asks its set, then its station).
    const gymOf = new Map<string, string>();
    for (const { place, shard } of planned) {
      if (place.kind !== 'station' && place.kind !== 'set') continue;
      const keys = from.keys(shard);
      const owner = place.kind === 'station' ? keys.station(place.stationId) : keys.set(place.stationId, place.setId);
      if (gymOf.has(owner)) continue;
      let gym = await redis.hget(owner, 'gymId');
      if (gym === null && place.kind === 'set') gym = await redis.hget(keys.station(place.stationId), 'gymId');
      if (gym !== null) gymOf.set(owner, gym);
    }
    const targetShard = (item: Planned): number | undefined => {
      const { place } = item;
      switch (place.kind) {
        case 'gym':
          return gymShard(place.gymId);
        case 'athlete':
          return to.athleteShard(place.athleteId);
        case 'station':
        case 'set': {
          const keys = from.keys(item.shard);
          const gym = gymOf.get(place.kind === 'station' ? keys.station(place.stationId) : keys.set(place.stationId, place.setId));
          return gym === undefined ? undefined : gymShard(gym);
        }
        case 'every':
        case 'merge':
        case 'queue':
        case 'control':
        case 'drop':
        case 'unknown':
          return undefined;
      }
    };

    // 3. Keys of one owner: moved whole.
    for (const item of planned) {
      const { place } = item;
      if (place.kind === 'queue' || place.kind === 'control') continue;
      if (place.kind === 'unknown') {
        report.unplaced.push(item.key);
        continue;
      }
      if (place.kind === 'drop') {
        if (!options.dryRun) await redis.del(item.key);
        continue;
      }
      if (place.kind === 'every') {
        const targets = to.prefixes.map((prefix) => `${prefix}:${item.name}`).filter((key) => key !== item.key);
        if (!options.dryRun) await copyKey(redis, item.key, targets, !to.prefixes.some((prefix) => `${prefix}:${item.name}` === item.key));
        report.copied++;
        continue;
      }
      if (place.kind === 'merge') continue;
      const shard = targetShard(item);
      if (shard === undefined) {
        report.unplaced.push(item.key);
        continue;
      }
      const target = `${to.prefixes[shard]}:${item.name}`;
      if (target === item.key) continue;
      if (!options.dryRun) await copyKey(redis, item.key, [target], true);
      report.moved++;
    }

    // 4. Keys that gather many owners.
    const merges = planned.filter((item): item is Planned & { place: Extract<KeyPlace, { kind: 'merge' }> } => item.place.kind === 'merge');
    const byName = new Map<string, Array<Planned & { place: Extract<KeyPlace, { kind: 'merge' }> }>>();
    for (const item of merges) byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
    for (const [name, items] of byName) {
      const what = items[0]?.place.what;
      if (what === undefined || options.dryRun) continue;
      const oldKeys = items.map((item) => item.key);
      switch (what) {
        case 'dead-letters':
          await mergeDeadLetters(redis, oldKeys, `${to.prefixes[0]}:${name}`);
          break;
        case 'dead-letter-counts':
          await mergeCounts(redis, oldKeys, `${to.prefixes[0]}:${name}`);
          break;
        case 'athlete-tenants':
          await redistributeHash(redis, oldKeys, (athleteId) => to.athleteKeys(athleteId).athleteTenants);
          break;
        case 'idle-sets':
          await redistributeIdle(redis, items, (shard, station, set) => gymOf.get(from.keys(shard).set(station, set)), to, gymShard);
          break;
        case 'closing-sets':
          await redistributeClosing(redis, oldKeys, (gymId) => to.keys(gymShard(gymId)).closingSets);
          break;
      }
      report.merged += items.length;
    }

    // 5. Jobs: schedulers go (the alerts service makes them again for its shards); delayed checks move to their gym's shard.
    for (const { prefix, name, queue } of queues) {
      if (name !== MAY_WAIT || options.dryRun) continue;
      for (const scheduler of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(scheduler.key);
      for (const job of await queue.getDelayed(0, -1)) {
        const gymId = (job.data as { gymId?: unknown }).gymId;
        if (typeof gymId !== 'string' || job.id === undefined) continue;
        const targetPrefix = to.prefixes[gymShard(gymId)] as string;
        if (targetPrefix === prefix) continue;
        const target = new Queue(name, { connection: redis, prefix: targetPrefix });
        try {
          const { jobId: _jobId, delay: _delay, ...opts } = job.opts;
          await target.add(job.name, job.data, { ...opts, jobId: job.id, delay: Math.max(0, job.timestamp + (job.delay ?? 0) - Date.now()) });
          await job.remove();
          report.jobsMoved++;
        } finally {
          await target.close();
        }
      }
    }
    // The old shards' queues, where no shard of the new layout has that prefix (their history goes with them).
    for (const { prefix, queue } of queues) {
      if (!to.prefixes.includes(prefix) && !options.dryRun) await queue.obliterate({ force: true });
    }
    log(`${options.dryRun ? 'would move' : 'moved'} ${report.moved} keys, copied ${report.copied}, merged ${report.merged}, moved ${report.jobsMoved} delayed jobs; ${report.unplaced.length} left where they are`);
    return report;
  } finally {
    await Promise.all(queues.map(({ queue }) => queue.close()));
  }
}

/** DUMP/RESTORE to each target with the key's TTL, then (optionally) DEL: a crash in between leaves the old key to copy again. */
async function copyKey(redis: RedisClient, key: string, targets: readonly string[], deleteAfter: boolean): Promise<void> {
  const [dump, ttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
  if (dump === null) return; // Expired since the scan.
  for (const target of targets) await redis.restore(target, Math.max(0, ttl), dump, 'REPLACE');
  if (deleteAfter) await redis.del(key);
}

/** Newest first by receivedAt, duplicates (a re-run after a crash) once. */
async function mergeDeadLetters(redis: RedisClient, oldKeys: readonly string[], target: string): Promise<void> {
  const lists = await Promise.all([...new Set([...oldKeys, target])].map((key) => redis.lrange(key, 0, -1)));
  const time = (text: string) => {
    try {
      return Date.parse(String((JSON.parse(text) as { receivedAt?: unknown }).receivedAt)) || 0;
    } catch {
      return 0;
    }
  };
  const merged = [...new Set(lists.flat())].sort((a, b) => time(b) - time(a));
  if (merged.length > 0) await redis.multi().del(target).rpush(target, ...merged).exec();
  for (const key of oldKeys) if (key !== target) await redis.del(key);
}

async function mergeCounts(redis: RedisClient, oldKeys: readonly string[], target: string): Promise<void> {
  const sums = new Map<string, number>();
  for (const key of oldKeys) for (const [field, count] of Object.entries(await redis.hgetall(key))) sums.set(field, (sums.get(field) ?? 0) + Number(count));
  if (sums.size > 0) await redis.multi().del(target).hset(target, Object.fromEntries(sums)).exec();
  for (const key of oldKeys) if (key !== target) await redis.del(key);
}

/** Fields to the hash of their owner's shard; written there before they leave the old hash. */
async function redistributeHash(redis: RedisClient, oldKeys: readonly string[], targetOf: (field: string) => string): Promise<void> {
  for (const key of oldKeys) {
    const entries = Object.entries(await redis.hgetall(key));
    const byTarget = new Map<string, Record<string, string>>();
    for (const [field, value] of entries) byTarget.set(targetOf(field), { ...(byTarget.get(targetOf(field)) ?? {}), [field]: value });
    for (const [target, fields] of byTarget) await redis.hset(target, fields);
    const away = entries.filter(([field]) => targetOf(field) !== key).map(([field]) => field);
    if (!byTarget.has(key)) await redis.del(key);
    else if (away.length > 0) await redis.hdel(key, ...away);
  }
}

async function redistributeIdle(
  redis: RedisClient,
  items: ReadonlyArray<Planned>,
  /** The set's gym as read before the set hashes moved. */
  gymOfSet: (shard: number, station: string, set: string) => string | undefined,
  to: ShardLayout,
  gymShard: (gymId: string) => number,
): Promise<void> {
  for (const item of items) {
    const flat = (await redis.call('ZRANGE', item.key, '0', '-1', 'WITHSCORES')) as string[];
    const away: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i] as string;
      const [station = '', set = ''] = member.split(':');
      // Read before the moves; a run started again after a crash finds a set already moved in its new shard.
      const gym = gymOfSet(item.shard, station, set) ?? (await findGym(redis, to, station, set));
      if (gym === null) continue;
      const target = to.keys(gymShard(gym)).idleSets;
      await redis.zadd(target, flat[i + 1] as string, member);
      if (target !== item.key) away.push(member);
    }
    if (away.length > 0) await redis.zrem(item.key, ...away);
  }
}

async function findGym(redis: RedisClient, to: ShardLayout, station: string, set: string): Promise<string | null> {
  for (const prefix of to.prefixes) {
    const gym = await redis.hget(`${prefix}:set:${station}:${set}`, 'gymId');
    if (gym !== null) return gym;
  }
  return null;
}

async function redistributeClosing(redis: RedisClient, oldKeys: readonly string[], targetOf: (gymId: string) => string): Promise<void> {
  for (const key of oldKeys) {
    const entries = await redis.lrange(key, 0, -1);
    const stay: string[] = [];
    for (const entry of entries) {
      const gymId = (JSON.parse(entry) as { gymId?: unknown }).gymId;
      const target = typeof gymId === 'string' ? targetOf(gymId) : key;
      if (target === key) stay.push(entry);
      else await redis.rpush(target, entry);
    }
    if (stay.length === entries.length) continue;
    if (stay.length === 0) await redis.del(key);
    else await redis.multi().del(key).rpush(key, ...stay).exec();
  }
}
