/*
 * The athlete state's Lua scripts. Keys of one athlete: `sets` (hash key → record), `order` (sorted set of keys
 * by last rep: the model's order), `entries` (hash key → compact entry) and `lex` (sorted set of
 * `<exercise>|<last rep, 15 digits>|<key>`, all at score 0: an exercise's sets in time order, read by range
 * without touching other exercises), kept in step by every script; and `lvp` (hash exercise → its sets'
 * load–velocity entries packed in one value, written by the worker with the fold that changed them); and
 * `fold-from` (the key of the earliest activity stored since the last saved fold that covers it: where the next
 * fold starts at the latest, so a job retried after storing, or any later one, still folds what it stored).
 */
import { luaScript } from '../lua-script.js';

/** Digits of a last-rep time in an exercise index member (epoch ms fit in 13). */
export const LEX_TS_DIGITS = 15;

/** The index member of a set, and the bounds of an exercise's window [fromTs, beforeTs). */
export function lexBounds(exercise: string, fromTs: number, beforeTs: number): [string, string] {
  const at = (ts: number) => `${exercise}|${String(Math.max(0, Math.ceil(ts))).padStart(LEX_TS_DIGITS, '0')}`;
  return [`[${at(fromTs)}`, `(${at(beforeTs)}`];
}

const HELPERS = `
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
local function member(exercise, lastTs, key)
  return exercise .. '|' .. string.format('%0${LEX_TS_DIGITS}d', tonumber(lastTs)) .. '|' .. key
end
-- Removes a set from the exercise index, as its stored entry placed it.
local function unindex(lex, key, entry)
  if entry then
    local fields = cjson.decode(entry)
    redis.call('ZREM', lex, member(fields[1], fields[3], key))
  end
end
-- (Re)places a set in the order, the entries and the exercise index.
local function index(order, entries, lex, key, lastTs, exercise, entry)
  unindex(lex, key, redis.call('HGET', entries, key))
  redis.call('ZADD', order, lastTs, key)
  redis.call('HSET', entries, key, entry)
  redis.call('ZADD', lex, 0, member(exercise, lastTs, key))
end
-- Keeps the earlier in the order of the pending fold start and this key (stored in the order already).
local function pend(order, foldFrom, key)
  local new = redis.call('ZRANK', order, key)
  if not new then return end
  local current = redis.call('GET', foldFrom)
  local at = current and redis.call('ZRANK', order, current)
  if at and at <= new then return end
  redis.call('SET', foldFrom, key)
end
-- The keys and entries of an exercise's sets in a lex range.
local function window(lex, entries, from, before)
  local members = redis.call('ZRANGEBYLEX', lex, from, before)
  local keys = {}
  for i = 1, #members do keys[i] = string.match(members[i], '^[^|]*|[^|]*|(.*)$') end
  local values = hmget(entries, keys)
  local out = {}
  for i = 1, #keys do
    if values[i] then out[#out + 1] = keys[i]; out[#out + 1] = values[i] end
  end
  return out
end
`;

/**
 * KEYS: sets, order, entries, version, lex, fold-from. ARGV: key, record, last rep, exercise, entry, and the key
 * of an earlier activity whose checkpoint the set makes stale ('' = none). Stores a set; the fold is pending from
 * the earlier of the set and that activity until a saved fold covers it.
 */
export const PUT_SET = luaScript(`${HELPERS}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
index(KEYS[2], KEYS[3], KEYS[5], ARGV[1], ARGV[3], ARGV[4], ARGV[5])
pend(KEYS[2], KEYS[6], ARGV[1])
if ARGV[6] ~= '' then pend(KEYS[2], KEYS[6], ARGV[6]) end
return redis.call('INCR', KEYS[4])
`);

/**
 * KEYS: sets, order, version, fold-from. ARGV: n × (key, record, time). Stores minutes of heart rate (model nsi-1.1):
 * in the order and the records only (no entry, no exercise index: the alert rules and the load–velocity profile
 * read sets); the fold is pending from the earliest until a saved fold covers it.
 */
export const PUT_AEROBIC = luaScript(`${HELPERS}
for at = 1, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[at], ARGV[at + 1])
  redis.call('ZADD', KEYS[2], ARGV[at + 2], ARGV[at])
end
for at = 1, #ARGV, 3 do pend(KEYS[2], KEYS[4], ARGV[at]) end
return redis.call('INCR', KEYS[3])
`);

/**
 * KEYS: sets, order, entries, lex, daily, version, lvp, fold-from. ARGV: the key of the fold's first activity ('' =
 * none), n, then n × (key, record, last rep, exercise, entry), then m, m × (exercise, packed load–velocity list),
 * then k, k × (key, record, time) of minutes of heart rate, then day, load pairs. Saves folded sets and minutes,
 * the lists and daily loads, and clears the pending fold start when the fold began at or before it (a fold runs
 * to the newest activity); returns the athlete's version.
 */
export const SAVE_FOLD = luaScript(`${HELPERS}
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  local at = 3 + i * 5
  redis.call('HSET', KEYS[1], ARGV[at], ARGV[at + 1])
  index(KEYS[2], KEYS[3], KEYS[4], ARGV[at], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4])
end
local m = tonumber(ARGV[3 + n * 5])
for i = 0, m - 1 do
  local at = 4 + n * 5 + i * 2
  redis.call('HSET', KEYS[7], ARGV[at], ARGV[at + 1])
end
local k = tonumber(ARGV[4 + n * 5 + m * 2])
for i = 0, k - 1 do
  local at = 5 + n * 5 + m * 2 + i * 3
  redis.call('HSET', KEYS[1], ARGV[at], ARGV[at + 1])
  redis.call('ZADD', KEYS[2], ARGV[at + 2], ARGV[at])
end
for at = 5 + n * 5 + m * 2 + k * 3, #ARGV, 2 do redis.call('HSET', KEYS[5], ARGV[at], ARGV[at + 1]) end
local pending = ARGV[1] ~= '' and redis.call('GET', KEYS[8])
if pending then
  local at = redis.call('ZRANK', KEYS[2], pending)
  local first = redis.call('ZRANK', KEYS[2], ARGV[1])
  if not at or (first and first <= at) then redis.call('DEL', KEYS[8]) end
end
return tonumber(redis.call('GET', KEYS[6]) or '0')
`);

/** KEYS: order, sets. ARGV: from score, to score (inclusive), key prefix. The records of keys with the prefix in that range. */
export const RECORDS_BY_TIME = luaScript(`${HELPERS}
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2])
local wanted = {}
for i = 1, #keys do
  if string.sub(keys[i], 1, #ARGV[3]) == ARGV[3] then wanted[#wanted + 1] = keys[i] end
end
return hmget(KEYS[2], wanted)
`);

/**
 * KEYS: order, sets, profile, version, daily, lvp, fold-from. ARGV: the key to start from ('' = the first), then an
 * exercise ('' = none). Returns version, profile, the record before, the keys and records from the start on, the
 * daily loads (flat) when the start is the first set, how many stored sets the order lacks (state of an older
 * version), the exercise's packed load–velocity list, the oldest set's last rep, and the pending fold start when
 * it comes before the asked key ('' otherwise).
 */
export const FOLD_CONTEXT = luaScript(`${HELPERS}
local rank = 0
if ARGV[1] ~= '' then rank = redis.call('ZRANK', KEYS[1], ARGV[1]) end
local version = redis.call('GET', KEYS[4]) or '0'
local profile = redis.call('GET', KEYS[3]) or ''
local unindexed = redis.call('HLEN', KEYS[2]) - redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''
local lvp = ''
if ARGV[2] ~= '' then lvp = redis.call('HGET', KEYS[6], ARGV[2]) or '' end
if not rank then return { version, profile, '', {}, {}, {}, unindexed, lvp, oldest, '' } end
local pending = redis.call('GET', KEYS[7])
local pendingRank = pending and redis.call('ZRANK', KEYS[1], pending)
if not (pendingRank and pendingRank < rank) then pending = '' end
local before = ''
if rank > 0 then before = redis.call('HGET', KEYS[2], redis.call('ZRANGE', KEYS[1], rank - 1, rank - 1)[1]) or '' end
local keys = redis.call('ZRANGE', KEYS[1], rank, -1)
local daily = {}
if rank == 0 then daily = redis.call('HGETALL', KEYS[5]) end
return { version, profile, before, keys, hmget(KEYS[2], keys), daily, unindexed, lvp, oldest, pending }
`);

/** KEYS: fold-from, sets. The record of the activity a fold is pending from, or nil. */
export const PENDING_FOLD = luaScript(`
local key = redis.call('GET', KEYS[1])
if not key then return false end
return redis.call('HGET', KEYS[2], key)
`);

/** KEYS: lex, entries. ARGV: one or more pairs of lex bounds. The key, entry pairs of those windows. */
export const EXERCISE_ENTRIES = luaScript(`${HELPERS}
local out = {}
for at = 1, #ARGV, 2 do
  local got = window(KEYS[1], KEYS[2], ARGV[at], ARGV[at + 1])
  for i = 1, #got do out[#out + 1] = got[i] end
end
return out
`);

/** KEYS: order, entries. ARGV: from score, before score (exclusive). Every set's key, entry pairs in time order. */
export const ALL_ENTRIES = luaScript(`${HELPERS}
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2])
local values = hmget(KEYS[2], keys)
local out = {}
for i = 1, #keys do
  if values[i] then out[#out + 1] = keys[i]; out[#out + 1] = values[i] end
end
return out
`);

/** KEYS: order, sets. ARGV: from key, to key. The records from one key to another in the order, both included. */
export const RECORDS_BETWEEN = luaScript(`${HELPERS}
local from = redis.call('ZRANK', KEYS[1], ARGV[1])
local to = redis.call('ZRANK', KEYS[1], ARGV[2])
if not from or not to or to < from then return {} end
return hmget(KEYS[2], redis.call('ZRANGE', KEYS[1], from, to))
`);

/**
 * KEYS: order, entries. ARGV: key. The key and entry of the set after it in the order, passing over minutes of
 * heart rate (they have no entry), a page at a time.
 */
export const NEXT_ENTRY = luaScript(`
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if not rank then return {} end
local at = rank + 1
while true do
  local page = redis.call('ZRANGE', KEYS[1], at, at + 99)
  if #page == 0 then return {} end
  for i = 1, #page do
    local entry = redis.call('HGET', KEYS[2], page[i])
    if entry then return { page[i], entry } end
  end
  at = at + 100
end
`);

/** KEYS: order, sets, entries, lex. ARGV: score. Drops every set whose last rep is before it. */
export const PRUNE = luaScript(`${HELPERS}
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local values = hmget(KEYS[3], keys)
for i = 1, #keys do
  unindex(KEYS[4], keys[i], values[i])
  redis.call('HDEL', KEYS[2], keys[i])
  redis.call('HDEL', KEYS[3], keys[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return #keys
`);

/** KEYS: order, entries, lex. ARGV: n × (key, last rep, exercise, entry). Indexes sets stored before the indexes existed. */
export const INDEX_SETS = luaScript(`${HELPERS}
for at = 1, #ARGV, 4 do index(KEYS[1], KEYS[2], KEYS[3], ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]) end
return 1
`);

/**
 * KEYS: lock, queue. ARGV: owner, lock ttl ms, member ('' = no place in the queue), patient (1 or 0). Takes
 * the athlete's lock when it is free and the caller is first in the queue of waiting sets (scored by last
 * rep). A caller out of patience takes it when free anyway and drops the entries before its own: a worker
 * that died waiting leaves one, and it must not hold the others back. Returns 1 when taken.
 */
export const TAKE_LOCK = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[3] ~= '' then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if first and first ~= ARGV[3] then
    if ARGV[4] == '1' then return 0 end
    local own = redis.call('ZSCORE', KEYS[2], ARGV[3])
    if own then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. own) end
  end
  redis.call('ZREM', KEYS[2], ARGV[3])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
`);
