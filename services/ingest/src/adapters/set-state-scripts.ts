/**
 * Lua scripts that keep each station's set bookkeeping in Redis, atomically. Keys are built from the
 * prefix inside the scripts; with the default hash-tagged prefix they all share one cluster slot.
 *
 * Set hash fields: gymId, stationId, setId, athleteId, exercise, loadKg, status (open|closed),
 * closes (how many times the set has closed), lastSeenAt, maxRep (highest rep index stored) and
 * repsOutOfOrder (1 once a rep came other than right after the one before). A close appends a SetJob (without `v`) to
 * the closing list; the set closer turns it into a BullMQ job with a deterministic id.
 */

const COMMON = `
local P = ARGV[1]
local now = tonumber(ARGV[2])
local idleKey = P .. ':sets:idle'
local closingKey = P .. ':sets:closing'
local closed = 0

local function setKey(st, set) return P .. ':set:' .. st .. ':' .. set end
local function stationKey(st) return P .. ':station:' .. st end

local function pushClosing(k, gym, st, set, cause)
  local revision = redis.call('HINCRBY', k, 'closes', 1) - 1
  redis.call('RPUSH', closingKey, cjson.encode({ gymId = gym, stationId = st, setId = set, revision = revision, closedBy = cause }))
  closed = closed + 1
end

local function close(gym, st, set, cause)
  local k = setKey(st, set)
  if redis.call('HGET', k, 'status') ~= 'open' then return end
  redis.call('HSET', k, 'status', 'closed', 'closedBy', cause)
  redis.call('ZREM', idleKey, st .. ':' .. set)
  local sk = stationKey(st)
  if redis.call('HGET', sk, 'openSet') == set then redis.call('HDEL', sk, 'openSet') end
  pushClosing(k, gym, st, set, cause)
end
`;

/**
 * Applies a micro-batch of set operations in arrival order.
 * ARGV: prefix, now (ms), idle timeout (ms), state TTL (s), JSON array of ops, then the RepRecord JSON
 * of every rep, in op order (kept out of the ops JSON so Lua need not decode them).
 * Returns the number of sets closed.
 */
export const APPLY_SET_OPS = `${COMMON}
local idleMs = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local ops = cjson.decode(ARGV[5])
local reclose = {}
local nextArg = 6

-- Makes op's set the open set of its station; a different open set there closes ('next_set').
-- Returns the set's status after the call ('open', or 'closed' for a set that already closed).
local function open(op)
  local sk = stationKey(op.s)
  local k = setKey(op.s, op.set)
  local status = redis.call('HGET', k, 'status')
  if status == 'closed' then return status end
  local current = redis.call('HGET', sk, 'openSet')
  if current and current ~= op.set then close(op.g, op.s, current, 'next_set') end
  if not status then
    redis.call('HSET', k, 'gymId', op.g, 'stationId', op.s, 'setId', op.set, 'athleteId', op.a, 'exercise', op.e, 'status', 'open', 'closes', 0)
  end
  if op.l then redis.call('HSET', k, 'loadKg', op.l) end
  redis.call('HSET', k, 'lastSeenAt', now)
  redis.call('HSET', sk, 'openSet', op.set, 'gymId', op.g)
  redis.call('ZADD', idleKey, now + idleMs, op.s .. ':' .. op.set)
  redis.call('EXPIRE', k, ttl)
  return 'open'
end

for _, op in ipairs(ops) do
  if op.k == 'reps' then
    -- op.i lists rep indexes; their RepRecord JSON strings follow in ARGV, in order.
    local k = setKey(op.s, op.set)
    local rk = k .. ':reps'
    local fields = {}
    for j, index in ipairs(op.i) do
      fields[2 * j - 1] = index
      fields[2 * j] = ARGV[nextArg]
      nextArg = nextArg + 1
    end
    if open(op) == 'closed' then
      -- Reps of a set that already closed: a redelivery changes nothing; a new (late) rep
      -- re-closes the set once per batch so its metrics include it.
      for j = 1, #fields, 2 do
        if redis.call('HGET', rk, fields[j]) ~= fields[j + 1] then
          redis.call('HSET', rk, fields[j], fields[j + 1])
          reclose[op.s .. ':' .. op.set] = { op.g, op.s, op.set }
        end
      end
    else
      -- Reps 1, 2, 3 … each after the one before: the rep points the worker writes as they come already
      -- hold their final velocity loss. Anything else marks the set, and its set job writes them again.
      local maxRep = tonumber(redis.call('HGET', k, 'maxRep') or '0')
      local inOrder = true
      for _, index in ipairs(op.i) do
        if index ~= maxRep + 1 then inOrder = false end
        if index > maxRep then maxRep = index end
      end
      redis.call('HSET', k, 'maxRep', maxRep)
      if not inOrder then redis.call('HSET', k, 'repsOutOfOrder', 1) end
      redis.call('HSET', rk, unpack(fields))
    end
    redis.call('EXPIRE', rk, ttl)
  elseif op.k == 'start' then
    open(op)
  elseif op.k == 'end' then
    local k = setKey(op.s, op.set)
    if redis.call('HGET', k, 'status') == false then
      -- An end without any rep: remember the set as closed so late reps re-close it.
      redis.call('HSET', k, 'gymId', op.g, 'stationId', op.s, 'setId', op.set, 'athleteId', op.a, 'exercise', op.e, 'status', 'closed', 'closedBy', 'end', 'closes', 0)
      redis.call('EXPIRE', k, ttl)
    else
      close(op.g, op.s, op.set, 'end')
    end
  elseif op.k == 'status' then
    local fields = { 'gymId', op.g, 'online', op.online and '1' or '0', 'statusTs', op.ts, 'statusAt', now }
    if op.fw then table.insert(fields, 'firmware'); table.insert(fields, op.fw) end
    if op.model then table.insert(fields, 'model'); table.insert(fields, op.model) end
    redis.call('HSET', stationKey(op.s), unpack(fields))
  end
end

for _, set in pairs(reclose) do
  pushClosing(setKey(set[2], set[3]), set[1], set[2], set[3], 'late_rep')
end
return closed
`;

/**
 * Closes sets whose idle deadline passed. ARGV: prefix, now (ms), limit. Returns how many closed.
 */
export const CLOSE_IDLE_SETS = `${COMMON}
local limit = tonumber(ARGV[3])
local due = redis.call('ZRANGEBYSCORE', idleKey, '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(due) do
  local sep = string.find(member, ':', 1, true)
  local st = string.sub(member, 1, sep - 1)
  local set = string.sub(member, sep + 1)
  local gym = redis.call('HGET', setKey(st, set), 'gymId')
  if gym then close(gym, st, set, 'idle') end
  redis.call('ZREM', idleKey, member)
end
return closed
`;

/** Removes the first ARGV[2] closing entries if ARGV[1] still holds the lock. KEYS: lock, closing. */
export const REMOVE_CLOSING_IF_OWNER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('LTRIM', KEYS[2], tonumber(ARGV[2]), -1)
return 1
`;

/** Takes or renews the lock. KEYS: lock. ARGV: owner, ttl ms. */
export const HOLD_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
`;
