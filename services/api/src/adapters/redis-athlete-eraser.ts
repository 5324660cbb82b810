import { createRedisAthleteStore, replyValues, type RedisClient } from '@neurolift/storage';
import type { AthleteRedisEraser, RedisErasure } from '../ports.js';
import { countsAsKeys, planErasure, type Deletion, type GymBoard } from './erasure-plan.js';
import { groupByShard, type ApiKeys } from './shard-keys.js';

export { athleteKeyNames } from './erasure-plan.js';

/** How long an erasure waits for a worker updating the same athlete, ms (the worker's own wait). */
const LOCK_WAIT_MS = 10_000;

/**
 * Deletes a set's keys (KEYS: the set hash first, then its reps, segmenter, inbox and outbox) if the set
 * hash names athlete ARGV[1] and the set is closed: a station may reuse a set id for another athlete,
 * and an open set is still being written.
 */
const DELETE_SET_OF_ATHLETE = `
if redis.call('HGET', KEYS[1], 'athleteId') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'closed' then return 0 end
return redis.call('DEL', unpack(KEYS))
`;

/** Deletes hash field ARGV[1] only while it still holds ARGV[2] (the station may show another athlete by now). */
const HDEL_IF_UNCHANGED = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

type Multi = ReturnType<RedisClient['multi']>;

function addDeletion(multi: Multi, deletion: Deletion): void {
  switch (deletion.op) {
    case 'del':
      multi.del(...deletion.keys);
      return;
    case 'deleteSet':
      multi.eval(DELETE_SET_OF_ATHLETE, deletion.keys.length, ...deletion.keys, deletion.athleteId);
      return;
    case 'zrem':
      multi.zrem(deletion.key, deletion.member);
      return;
    case 'hdelIfUnchanged':
      multi.eval(HDEL_IF_UNCHANGED, 1, deletion.key, deletion.field, deletion.value);
      return;
    case 'lrem':
      multi.lrem(deletion.key, 0, deletion.value);
      return;
    case 'hdel':
      multi.hdel(deletion.key, ...deletion.fields);
      return;
  }
}

/**
 * The Redis side of an erasure, without any SCAN: the keys named after the athlete (in its shard); the
 * athlete in each gym's athlete index (the gyms are listed in the control plane's `gyms`); the state of the
 * athlete's processed sets, found through its set index (`athleteSets`, 35 days) before that is deleted;
 * and the live console's stations and alerts showing the athlete (bounded per gym), in each gym's shard.
 * Reads first, then one MULTI of deletions per shard, each conditional where another writer may have moved
 * on. With one shard that is one MULTI, as before.
 */
export function createRedisAthleteEraser(redis: RedisClient, keys: ApiKeys, options: { lockWaitMs?: number } = {}): AthleteRedisEraser {
  const athletes = createRedisAthleteStore(redis, keys.athlete);

  /** The live console and in-set checks of `gymIds`, all in `shard` (one pipeline, one slot). */
  async function readBoards(shard: number, gymIds: readonly string[]): Promise<GymBoard[]> {
    const gym = keys.shards[shard];
    if (gym === undefined) throw new RangeError(`no shard ${shard}`);
    const read = redis.pipeline();
    for (const gymId of gymIds) read.hgetall(gym.liveStations(gymId)).lrange(gym.liveAlerts(gymId), 0, -1).hkeys(gym.inSetPending(gymId));
    const replies = replyValues(await read.exec());
    return gymIds.map((gymId, i) => ({
      gymId,
      shard,
      stations: (replies[3 * i] ?? {}) as Record<string, string>,
      alerts: (replies[3 * i + 1] ?? []) as string[],
      pending: (replies[3 * i + 2] ?? []) as string[],
    }));
  }

  /** One shard's deletions in one MULTI; the replies summed as keys deleted and entries removed. */
  async function runShard(deletions: readonly Deletion[]): Promise<RedisErasure> {
    const multi = redis.multi();
    for (const deletion of deletions) addDeletion(multi, deletion);
    const replies = replyValues(await multi.exec());
    let keysDeleted = 0;
    let entriesRemoved = 0;
    replies.forEach((reply, i) => {
      const deletion = deletions[i];
      if (deletion !== undefined && countsAsKeys(deletion)) keysDeleted += Number(reply);
      else entriesRemoved += Number(reply);
    });
    return { keysDeleted, entriesRemoved };
  }

  return {
    withAthleteLock: (athleteId, work) => athletes.withLock(athleteId, options.lockWaitMs ?? LOCK_WAIT_MS, work),

    async erase(athleteId): Promise<RedisErasure> {
      // The athlete's set index is in its shard, the gyms in the control plane's: two reads (one slot each).
      const [storedSets, gyms] = await Promise.all([redis.hgetall(keys.athlete(athleteId).athleteSets(athleteId)), redis.smembers(keys.control.gyms)]);
      const boards = (await Promise.all(groupByShard(gyms, keys.gymShard).map(([shard, group]) => readBoards(shard, group)))).flat();
      const steps = planErasure(keys, athleteId, storedSets, boards);
      // One MULTI per shard (a MULTI may touch one shard only). The athlete's shard goes last: it deletes the
      // set index that finds the other shards' set keys, so an erasure that fails half-way finds them again
      // when called again (each step is idempotent).
      const athleteShard = keys.athleteShard(athleteId);
      const others = await Promise.all(steps.filter(([shard]) => shard !== athleteShard).map(([, deletions]) => runShard(deletions)));
      const own = steps.find(([shard]) => shard === athleteShard);
      const results = own === undefined ? others : [...others, await runShard(own[1])];
      return {
        keysDeleted: results.reduce((sum, result) => sum + result.keysDeleted, 0),
        entriesRemoved: results.reduce((sum, result) => sum + result.entriesRemoved, 0),
      };
    },
  };
}
