import type { HrMessage, LiveHeartRate, RedisKeys } from '@neurolift/contracts';
import { luaScript, runScript, type RedisClient } from '@neurolift/storage';

/**
 * The live console's heart rate: on every `hr` block the worker keeps the athlete's latest bpm and its time
 * under athleteLiveHeartRate (a string of LiveHeartRate JSON), expiring after LIVE_HEART_RATE_TTL_MS; the api
 * shows it next to the athlete while it is fresh. A block older than the one kept (a gateway uploading
 * late, a redelivery) leaves it as it is, so late uploads never pass for live.
 */

/** How long the key outlives its last write, ms (the console calls a reading fresh for 15 s only). */
export const LIVE_HEART_RATE_TTL_MS = 120_000;

/** KEYS[1] the key; ARGV[1] the JSON, ARGV[2] its ts, ARGV[3] the TTL in ms. 1 when written, 0 when older. */
const SET_IF_NEWER = luaScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and tonumber(decoded.ts) and tonumber(decoded.ts) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
`);

/** The athlete's latest reading of a block: its last bpm, at t0 + (n − 1) s. */
export function liveHeartRateOf(block: Pick<HrMessage, 't0' | 'bpm'>): LiveHeartRate | undefined {
  const bpm = block.bpm[block.bpm.length - 1];
  return bpm === undefined ? undefined : { bpm, ts: block.t0 + (block.bpm.length - 1) * 1000 };
}

/**
 * Keeps the block's reading as the athlete's live heart rate unless a newer one is kept already. Call it
 * once per `hr` job (after its points are written; it needs no lock). Resolves true when written.
 */
export async function writeLiveHeartRate(redis: RedisClient, keys: RedisKeys, block: Pick<HrMessage, 'athleteId' | 't0' | 'bpm'>, ttlMs = LIVE_HEART_RATE_TTL_MS): Promise<boolean> {
  const reading = liveHeartRateOf(block);
  if (reading === undefined) return false;
  return (await runScript(redis, SET_IF_NEWER, [keys.athleteLiveHeartRate(block.athleteId)], [JSON.stringify(reading), reading.ts, ttlMs])) === 1;
}
