import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';

/** A Lua script sent by its SHA1 (EVALSHA): the source crosses the network only when Redis lacks it. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Runs a script by its SHA1, loading it with EVAL when Redis does not have it (a restart empties the cache). */
export async function runScript(redis: RedisClient, script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
