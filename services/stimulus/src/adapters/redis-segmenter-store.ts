import { Id, RepRecord, type RedisKeys } from '@neurolift/contracts';
import { z } from 'zod';
import type { ImuSegmenterState, SegmenterState } from '@neurolift/stimulus';
import type { InboxBlock, TaggedState } from '../inbox-segmenter.js';
import { replyValues, type RedisClient } from '@neurolift/storage';
import type { SegmentOwner, SegmenterStore } from '../ports.js';

/**
 * Compare-and-set of a set's segmentation step. KEYS: segmenter hash, inbox, the set's reps, outbox.
 * ARGV: expected version, state JSON, owner JSON, source, TTL s, n, n consumed t0s, then repIndex/JSON pairs.
 * Returns 1 when applied, 0 when the version moved on (then nothing changes).
 */
const COMMIT_SEGMENT = `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
local ttl = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'version', version + 1, 'owner', ARGV[3], 'source', ARGV[4])
redis.call('EXPIRE', KEYS[1], ttl)
local n = tonumber(ARGV[6])
if n > 0 then redis.call('HDEL', KEYS[2], unpack(ARGV, 7, 6 + n)) end
if #ARGV > 6 + n then
  redis.call('HSET', KEYS[3], unpack(ARGV, 7 + n, #ARGV))
  redis.call('HSET', KEYS[4], unpack(ARGV, 7 + n, #ARGV))
  redis.call('EXPIRE', KEYS[3], ttl)
  redis.call('EXPIRE', KEYS[4], ttl)
end
return 1
`;

export interface RedisSegmenterDeps {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  /** Blocks segmented per commit at most (bounds the script's arguments); the rest in the next step. */
  readonly batchBlocks?: number;
  /** As long as ingest keeps the set's state: the protocol's late-upload window and a day. */
  readonly stateTtlSeconds?: number;
}

const EIGHT_DAYS_S = 8 * 24 * 3600;

/** What the pipeline reads of an inbox block besides its samples (those are checked by the segmenters). */
const BlockFields = z.object({ t0: z.number().int(), hz: z.number().positive(), athleteId: Id, setId: Id, exercise: Id, loadKg: z.number() });
const Series = z.array(z.unknown());
const Axes = z.object({ x: Series, y: Series, z: Series });
const SamplesShape = BlockFields.extend({ position: Series, force: Series.optional() });
const ImuShape = BlockFields.extend({ accel: Axes, gyro: Axes.optional() });

/**
 * A block of the inbox, validated by ingest. Its shape is checked again (producer and consumer deploy
 * separately), not every number: the segmenters check the samples themselves and leave out a block whose
 * values are not finite or whose arrays differ in length ('invalid'). Validating every value of an imu block
 * a second time was a fifth of the worker's time (bench-samples --channel imu).
 */
function parseBlock(json: string): InboxBlock {
  const block: unknown = JSON.parse(json);
  const imu = typeof block === 'object' && block !== null && 'accel' in block;
  (imu ? ImuShape : SamplesShape).parse(block);
  // Checked above: its fields are the message's; its samples the segmenter checks.
  return block as InboxBlock;
}

/** The stored state with its kind (written only by commit() below, from the segmenters' own JSON-safe state). */
function taggedState(source: string | null, json: string): TaggedState {
  return source === 'imu' ? { source, state: JSON.parse(json) as ImuSegmenterState } : { source: 'samples', state: JSON.parse(json) as SegmenterState };
}

function parseReps(values: readonly string[]): RepRecord[] {
  return values.map((value) => RepRecord.parse(JSON.parse(value))).sort((a, b) => a.repIndex - b.repIndex);
}

/**
 * Each set's segmentation in Redis: the inbox of blocks ingest received, the segmenter state (JSON,
 * versioned), and an outbox of reps whose points are not written yet. A step is one script, so a
 * worker that lost a race changes nothing and simply goes again.
 */
export function createRedisSegmenterStore(deps: RedisSegmenterDeps): SegmenterStore {
  const { redis, keys } = deps;
  const ttl = deps.stateTtlSeconds ?? EIGHT_DAYS_S;
  const batch = deps.batchBlocks ?? 100;

  return {
    async load(stationId, setId) {
      const [fields, inboxHash] = replyValues(
        await redis.multi().hmget(keys.segmenter(stationId, setId), 'state', 'version', 'owner', 'source').hgetall(keys.samplesInbox(stationId, setId)).exec(),
      ) as [Array<string | null>, Record<string, string>];
      const [state = null, version = null, owner = null, source = null] = fields;
      const inbox = Object.entries(inboxHash)
        .map(([t0, json]) => [Number(t0), json] as const)
        .sort(([a], [b]) => a - b)
        .slice(0, batch)
        // Validated by ingest; parsed again because producer and consumer deploy separately.
        .map(([, json]) => parseBlock(json));
      return {
        // Written only by commit() below, from the segmenter's own JSON-safe state.
        state: state === null ? null : taggedState(source, state),
        version: version === null ? 0 : Number(version),
        owner: owner === null ? null : (JSON.parse(owner) as SegmentOwner),
        inbox,
      };
    },

    async commit(commit) {
      const { stationId, setId } = commit;
      const applied = await redis.eval(
        COMMIT_SEGMENT,
        4,
        keys.segmenter(stationId, setId),
        keys.samplesInbox(stationId, setId),
        keys.setReps(stationId, setId),
        keys.segmentedOutbox(stationId, setId),
        commit.expectedVersion,
        JSON.stringify(commit.state.state),
        JSON.stringify(commit.owner),
        commit.state.source,
        ttl,
        commit.consumed.length,
        ...commit.consumed.map(String),
        ...commit.reps.flatMap((rep) => [String(rep.repIndex), JSON.stringify(rep)]),
      );
      return Number(applied) === 1;
    },

    async unwritten(stationId, setId) {
      return parseReps(Object.values(await redis.hgetall(keys.segmentedOutbox(stationId, setId))));
    },

    async markWritten(stationId, setId, repIndexes) {
      if (repIndexes.length > 0) await redis.hdel(keys.segmentedOutbox(stationId, setId), ...repIndexes.map(String));
    },

    async inboxSize(stationId, setId) {
      return redis.hlen(keys.samplesInbox(stationId, setId));
    },
  };
}
