import { JOB_OPTIONS, type RedisKeys } from '@neurolift/contracts';
import type { SegmenterState } from '@neurolift/stimulus';
import { Job, type Queue } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import type { SegmentOwner, SegmenterStore } from '../ports.js';

/**
 * Compare-and-set of a set's segmenter state. KEYS: segmenter hash, pending blocks set.
 * ARGV: expected version, state JSON, owner JSON, TTL s, consumed block t0 ('' for none).
 * Returns 1 when saved, 0 when the version moved on (nothing changed).
 */
const SAVE_SEGMENTER = `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'version', version + 1, 'owner', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
if ARGV[5] ~= '' then redis.call('SREM', KEYS[2], ARGV[5]) end
return 1
`;

export interface RedisSegmenterDeps {
  readonly redis: Redis;
  /** The rep queue, on the same connection as `redis`, so its add joins the commit's MULTI. */
  readonly repsQueue: Queue;
  readonly keys: RedisKeys;
  /** As long as ingest keeps the set's state: the protocol's late-upload window and a day. */
  readonly stateTtlSeconds?: number;
}

const EIGHT_DAYS_S = 8 * 24 * 3600;

/**
 * The segmenter state of each set in Redis. A commit is one MULTI: the compare-and-set of the state,
 * the reps stored with the set, and the rep job. When the compare-and-set fails (another worker
 * committed this set meanwhile) the other two still run, but they carry reps the segmenter also gives
 * the winner (a rep depends only on the samples up to it), so the set's reps and rep points are
 * unchanged; the caller goes again.
 */
export function createRedisSegmenterStore(deps: RedisSegmenterDeps): SegmenterStore {
  const { redis, keys } = deps;
  const ttl = deps.stateTtlSeconds ?? EIGHT_DAYS_S;

  return {
    async load(stationId, setId) {
      const [state = null, version = null, owner = null] = await redis.hmget(keys.segmenter(stationId, setId), 'state', 'version', 'owner');
      return {
        // Written only by commit() below, from the segmenter's own JSON-safe state.
        state: state === null ? null : (JSON.parse(state) as SegmenterState),
        version: version === null ? 0 : Number(version),
        owner: owner === null ? null : (JSON.parse(owner) as SegmentOwner),
      };
    },

    async commit(commit) {
      const bull = await deps.repsQueue.getBackend().client;
      const transaction = bull.multi();
      const multi = transaction as unknown as ChainableCommander;
      multi.eval(
        SAVE_SEGMENTER,
        2,
        keys.segmenter(commit.stationId, commit.setId),
        keys.samplesPending(commit.stationId, commit.setId),
        commit.expectedVersion,
        JSON.stringify(commit.state),
        JSON.stringify(commit.owner),
        ttl,
        commit.blockT0 === undefined ? '' : String(commit.blockT0),
      );
      let added: Promise<string> | undefined;
      if (commit.reps.length > 0) {
        // Stored with the set exactly as ingest stores device reps (hash repIndex → RepRecord JSON).
        // Ingest opened the set for their blocks, and a closed set's job waits for its queued blocks.
        const repsKey = keys.setReps(commit.stationId, commit.setId);
        multi.hset(repsKey, ...commit.reps.flatMap((rep) => [String(rep.repIndex), JSON.stringify(rep)]));
        multi.expire(repsKey, ttl);
        if (commit.enqueueReps) {
          added = new Job(deps.repsQueue, 'reps', { v: 1, reps: commit.reps }, JOB_OPTIONS.reps).addJob(transaction);
          added.catch(() => undefined);
        }
      }
      const results = await multi.exec();
      if (results === null) throw new Error('Redis transaction aborted');
      for (const [error] of results) if (error) throw error;
      await added;
      return Number(results[0]?.[1]) === 1;
    },

    async pendingBlocks(stationId, setId) {
      return redis.scard(keys.samplesPending(stationId, setId));
    },
  };
}
