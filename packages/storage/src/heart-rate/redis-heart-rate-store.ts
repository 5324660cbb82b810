import type { AthleteKeys } from '../athlete/redis-athlete-store.js';
import { luaScript, runScript } from '../lua-script.js';
import type { RedisClient } from '../redis-connection.js';
import type { HeartRateStore } from './heart-rate-store.js';
import { blockSlots, minuteOf, readingsOf } from './minute-slots.js';

/**
 * Merges minutes of slots into the athlete's heart rate: a slot keeps the higher of the stored and the
 * block's reading (two straps worn at once: the model's one sample a second, whatever order they came in),
 * the others stay. Minutes older than the keep window before the newest merged one are dropped.
 * KEYS: the minute hash, the minute index. ARGV: keep (minutes), TTL (s), then minute/slots pairs.
 */
const MERGE_MINUTES = luaScript(`
local newest = nil
for i = 3, #ARGV, 2 do
  local minute = tonumber(ARGV[i])
  local incoming = {}
  for value in string.gmatch(ARGV[i + 1] .. ',', '([^,]*),') do incoming[#incoming + 1] = value end
  local stored = redis.call('HGET', KEYS[1], ARGV[i])
  if stored then
    local slot = 1
    for value in string.gmatch(stored .. ',', '([^,]*),') do
      local new = incoming[slot]
      if new == '' or (value ~= '' and tonumber(value) > tonumber(new)) then incoming[slot] = value end
      slot = slot + 1
    end
  end
  redis.call('HSET', KEYS[1], ARGV[i], table.concat(incoming, ','))
  redis.call('ZADD', KEYS[2], minute, ARGV[i])
  if newest == nil or minute > newest then newest = minute end
end
if newest ~= nil then
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (newest - tonumber(ARGV[1])))
  if #old > 0 then
    redis.call('HDEL', KEYS[1], unpack(old))
    redis.call('ZREM', KEYS[2], unpack(old))
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`);

export interface RedisHeartRateDeps {
  readonly redis: RedisClient;
  readonly keys: AthleteKeys;
  /** How long heart rate is kept before the newest reading: the late-upload window and two days. */
  readonly keepMinutes?: number;
}

const NINE_DAYS_MIN = 9 * 24 * 60;

/** The athlete's heart rate in Redis, a hash field per minute (see minute-slots.ts). */
export function createRedisHeartRateStore(deps: RedisHeartRateDeps): HeartRateStore {
  const { redis, keys } = deps;
  const k = typeof keys === 'function' ? keys : () => keys;
  const keep = deps.keepMinutes ?? NINE_DAYS_MIN;
  return {
    async merge(athleteId, t0, bpm) {
      const args: Array<string | number> = [keep, keep * 60];
      for (const [minute, slots] of blockSlots(t0, bpm)) args.push(String(minute), slots.join(','));
      await runScript(redis, MERGE_MINUTES, [k(athleteId).athleteHeartRate(athleteId), k(athleteId).athleteHeartRateMinutes(athleteId)], args);
    },

    async has(athleteId) {
      return (await redis.exists(k(athleteId).athleteHeartRateMinutes(athleteId))) === 1;
    },

    async seconds(athleteId, fromTs, toTs) {
      const first = minuteOf(fromTs);
      const last = minuteOf(toTs);
      const minutes: string[] = [];
      for (let minute = first; minute <= last; minute++) minutes.push(String(minute));
      const values = await redis.hmget(k(athleteId).athleteHeartRate(athleteId), ...minutes);
      return values
        .flatMap((packed, i) => (packed === null ? [] : readingsOf(first + i, packed)))
        .filter((reading) => reading.ts >= fromTs && reading.ts <= toTs);
    },
  };
}
