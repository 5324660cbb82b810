import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AthleteProfile, type RedisKeys } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import { setSpan, type LvpHistoryEntry } from '@neurolift/stimulus';
import { replyValues, type RedisClient } from '../redis-connection.js';
import type { AthleteRecord, AthleteSnapshot, AthleteStore, FoldContext, SetEntry } from './athlete-store.js';
import { entryPrefix, entryText, foldedSetText, parseEntry, parseRecord, storedSetText } from './stored-record.js';

/** Long enough for any update; a crashed holder's lock expires after it. */
const LOCK_TTL_MS = 30_000;
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** HMGET of many fields in chunks (Lua's unpack has a stack limit). */
const HMGET_CHUNKED = `
local function hmget(hash, fields)
  local values = {}
  for i = 1, #fields, 500 do
    local chunk = {}
    for j = i, math.min(i + 499, #fields) do chunk[#chunk + 1] = fields[j] end
    local got = redis.call('HMGET', hash, unpack(chunk))
    for j = 1, #got do values[#values + 1] = got[j] end
  end
  return values
end
`;

/**
 * KEYS: order, sets, profile, version, daily. ARGV: the key to start from ('' = the first).
 * Returns version, profile, the record before, the keys and records from the start on, the daily loads
 * (flat) when the start is the first set, and how many stored sets the order lacks (state of an older version).
 */
const FOLD_CONTEXT = `${HMGET_CHUNKED}
local rank = 0
if ARGV[1] ~= '' then rank = redis.call('ZRANK', KEYS[1], ARGV[1]) end
local version = redis.call('GET', KEYS[4]) or '0'
local profile = redis.call('GET', KEYS[3]) or ''
local unindexed = redis.call('HLEN', KEYS[2]) - redis.call('ZCARD', KEYS[1])
if not rank then return { version, profile, '', {}, {}, {}, unindexed } end
local before = ''
if rank > 0 then before = redis.call('HGET', KEYS[2], redis.call('ZRANGE', KEYS[1], rank - 1, rank - 1)[1]) or '' end
local keys = redis.call('ZRANGE', KEYS[1], rank, -1)
local daily = {}
if rank == 0 then daily = redis.call('HGETALL', KEYS[5]) end
return { version, profile, before, keys, hmget(KEYS[2], keys), daily, unindexed }
`;

/**
 * KEYS: order, entries. ARGV: from score, before score (exclusive), then exercise prefixes (none: every entry).
 * Returns key, entry pairs in time order.
 */
const ENTRIES = `${HMGET_CHUNKED}
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2])
local values = hmget(KEYS[2], keys)
local out = {}
for i = 1, #keys do
  local value = values[i]
  if value then
    local keep = #ARGV == 2
    for e = 3, #ARGV do
      if string.sub(value, 1, #ARGV[e]) == ARGV[e] then keep = true break end
    end
    if keep then out[#out + 1] = keys[i]; out[#out + 1] = value end
  end
end
return out
`;

/** KEYS: order, sets. ARGV: from key, to key. The records from one key to another in the order, both included. */
const RECORDS_BETWEEN = `${HMGET_CHUNKED}
local from = redis.call('ZRANK', KEYS[1], ARGV[1])
local to = redis.call('ZRANK', KEYS[1], ARGV[2])
if not from or not to or to < from then return {} end
return hmget(KEYS[2], redis.call('ZRANGE', KEYS[1], from, to))
`;

/** KEYS: order, entries. ARGV: key. The key and entry of the set after it in the order. */
const NEXT_ENTRY = `
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if not rank then return {} end
local next = redis.call('ZRANGE', KEYS[1], rank + 1, rank + 1)[1]
if not next then return {} end
return { next, redis.call('HGET', KEYS[2], next) or '' }
`;

/** KEYS: order, sets, entries. ARGV: score. Drops every set whose last rep is before it. */
const PRUNE = `${HMGET_CHUNKED}
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for i = 1, #keys, 500 do
  local chunk = {}
  for j = i, math.min(i + 499, #keys) do chunk[#chunk + 1] = keys[j] end
  redis.call('HDEL', KEYS[2], unpack(chunk))
  redis.call('HDEL', KEYS[3], unpack(chunk))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return #keys
`;

function parseProfile(text: string | null): AthleteProfile {
  return text === null || text === '' ? {} : AthleteProfile.parse(JSON.parse(text));
}

function pairs(flat: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

export function createRedisAthleteStore(redis: RedisClient, keys: RedisKeys): AthleteStore {
  const records = (texts: ReadonlyArray<string | null>): AthleteRecord[] => texts.filter((text): text is string => text !== null && text !== '').map(parseRecord);
  const entries = async (athleteId: string, exercises: readonly string[], fromTs: number, beforeTs: number): Promise<SetEntry[]> => {
    if (!(beforeTs > fromTs)) return [];
    const flat = (await redis.eval(ENTRIES, 2, keys.athleteOrder(athleteId), keys.athleteEntries(athleteId), fromTs, beforeTs, ...exercises.map(entryPrefix))) as string[];
    return pairs(flat).map(([key, text]) => parseEntry(key, text));
  };

  return {
    async withLock(athleteId, waitMs, update) {
      const key = keys.athleteLock(athleteId);
      const owner = randomUUID();
      const deadline = Date.now() + waitMs;
      while ((await redis.set(key, owner, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new PipelineError('NL_ERR_ATHLETE_BUSY', `athlete ${athleteId} is being updated by another worker`, true);
        await sleep(20);
      }
      try {
        return await update();
      } finally {
        await redis.eval(RELEASE_IF_OWNER, 1, key, owner);
      }
    },

    async putSet(athleteId, set) {
      await redis
        .multi()
        .hset(keys.athleteSets(athleteId), set.key, storedSetText(set))
        .zadd(keys.athleteOrder(athleteId), setSpan(set).lastTs, set.key)
        .hset(keys.athleteEntries(athleteId), set.key, entryText(set))
        .incr(keys.athleteVersion(athleteId))
        .exec();
    },

    async storedSet(athleteId, key) {
      return (await this.record(athleteId, key))?.set;
    },

    async record(athleteId, key) {
      const text = await redis.hget(keys.athleteSets(athleteId), key);
      return text === null ? undefined : parseRecord(text);
    },

    async foldContext(athleteId, fromKey): Promise<FoldContext> {
      const [version, profile, before, , from, daily, unindexed] = (await redis.eval(
        FOLD_CONTEXT,
        5,
        keys.athleteOrder(athleteId),
        keys.athleteSets(athleteId),
        keys.athleteProfile(athleteId),
        keys.athleteVersion(athleteId),
        keys.athleteDaily(athleteId),
        fromKey ?? '',
      )) as [string, string, string, string[], Array<string | null>, string[], number];
      const startsOrder = before === '' && from.length > 0;
      return {
        version: Number(version),
        unindexed,
        profile: parseProfile(profile),
        ...(before === '' ? {} : { before: parseRecord(before) }),
        from: records(from),
        ...(startsOrder ? { dailyLoads: new Map(pairs(daily).map(([day, load]) => [Number(day), Number(load)])) } : {}),
      };
    },

    async lvpHistory(athleteId, exercises, fromTs, beforeTs) {
      const history = new Map<string, LvpHistoryEntry[]>();
      for (const entry of await entries(athleteId, exercises, fromTs, beforeTs)) {
        const list = history.get(entry.exercise) ?? [];
        list.push({ setId: entry.key, ts: entry.lastTs, loadKg: entry.loadKg, bestVelocity: entry.bestVelocity });
        history.set(entry.exercise, list);
      }
      return history;
    },

    entries: (athleteId, exercise, fromTs, beforeTs) => entries(athleteId, exercise === undefined ? [] : [exercise], fromTs, beforeTs),

    async nextEntry(athleteId, key) {
      const [next, text] = (await redis.eval(NEXT_ENTRY, 2, keys.athleteOrder(athleteId), keys.athleteEntries(athleteId), key)) as string[];
      return next === undefined || text === undefined || text === '' ? undefined : parseEntry(next, text);
    },

    async records(athleteId, fromKey, toKey) {
      return records((await redis.eval(RECORDS_BETWEEN, 2, keys.athleteOrder(athleteId), keys.athleteSets(athleteId), fromKey, toKey)) as Array<string | null>);
    },

    async dailyLoads(athleteId) {
      const daily = await redis.hgetall(keys.athleteDaily(athleteId));
      return new Map(Object.entries(daily).map(([day, load]) => [Number(day), Number(load)]));
    },

    async load(athleteId): Promise<AthleteSnapshot> {
      const [version, profile, sets, daily] = replyValues(
        await redis
          .multi()
          .get(keys.athleteVersion(athleteId))
          .get(keys.athleteProfile(athleteId))
          .hgetall(keys.athleteSets(athleteId))
          .hgetall(keys.athleteDaily(athleteId))
          .exec(),
      ) as [string | null, string | null, Record<string, string>, Record<string, string>];
      return {
        version: Number(version ?? 0),
        profile: parseProfile(profile),
        sets: Object.values(sets).map((text) => parseRecord(text).set),
        dailyLoads: new Map(Object.entries(daily).map(([day, load]) => [Number(day), Number(load)])),
      };
    },

    async saveFold(athleteId, folded, dailyLoads, pruneBeforeTs) {
      const multi = redis.multi();
      if (folded.length > 0) {
        multi.hset(keys.athleteSets(athleteId), Object.fromEntries(folded.map((entry) => [entry.set.key, foldedSetText(entry)])));
        multi.hset(keys.athleteEntries(athleteId), Object.fromEntries(folded.map((entry) => [entry.set.key, entryText(entry.set, entry)])));
        // A set stored before order entries existed (or re-stored with new reps) takes its place in the order.
        for (const { set } of folded) multi.zadd(keys.athleteOrder(athleteId), setSpan(set).lastTs, set.key);
      }
      if (dailyLoads.size > 0) {
        multi.hset(keys.athleteDaily(athleteId), Object.fromEntries([...dailyLoads].map(([day, load]) => [String(day), String(load)])));
      }
      multi.eval(PRUNE, 3, keys.athleteOrder(athleteId), keys.athleteSets(athleteId), keys.athleteEntries(athleteId), pruneBeforeTs);
      replyValues(await multi.exec());
    },

    async index(athleteId) {
      const stored = await redis.hgetall(keys.athleteSets(athleteId));
      const multi = redis.multi();
      for (const text of Object.values(stored)) {
        const { set } = parseRecord(text);
        if (set.reps.length === 0) continue;
        multi.zadd(keys.athleteOrder(athleteId), setSpan(set).lastTs, set.key).hset(keys.athleteEntries(athleteId), set.key, entryText(set));
      }
      replyValues(await multi.exec());
    },

    async version(athleteId) {
      return Number((await redis.get(keys.athleteVersion(athleteId))) ?? 0);
    },
  };
}
