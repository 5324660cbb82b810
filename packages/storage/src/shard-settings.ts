import { parseShardList, shardLayout, shardLayoutProblem, type ShardLayout } from '@neurolift/contracts';
import { ConfigError, env } from '@neurolift/platform';
import { z } from 'zod';

/** REDIS_SHARDS as every service reads it: how many hash-tagged shards the deployment's Redis data has. */
export const redisShardsSetting = () => env.int({ min: 1, max: 1024 }).default(1);
/**
 * REDIS_CLUSTER_NODES: more cluster nodes to start from besides REDIS_URL's (`host:port,host:port`), so a
 * service starting while that one node is down still finds the cluster.
 */
export const redisClusterNodesSetting = () =>
  z
    .string()
    .transform((text) => text.split(',').map((node) => node.trim()).filter((node) => node !== ''))
    .pipe(z.array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'must be host:port entries separated by commas')))
    .optional();

/** CONSUME_SHARDS: the shards whose queues a worker or alerts process takes jobs from (`0-3,8`; unset: all). */
export const consumeShardsSetting = () => z.string().optional();

/** The shard layout of a service's settings; a prefix that cannot carry its shards stops the service at start. */
export function shardLayoutOf(service: string, config: { readonly REDIS_PREFIX: string; readonly REDIS_SHARDS: number }): ShardLayout {
  const problem = shardLayoutProblem(config.REDIS_PREFIX, config.REDIS_SHARDS);
  if (problem !== undefined) throw new ConfigError(service, [{ setting: problem.startsWith('REDIS_SHARDS') ? 'REDIS_SHARDS' : 'REDIS_PREFIX', message: problem }]);
  return shardLayout(config.REDIS_PREFIX, config.REDIS_SHARDS);
}

/** The shards a process consumes (CONSUME_SHARDS over REDIS_SHARDS); a bad list stops it at start. */
export function consumedShardsOf(service: string, config: { readonly REDIS_SHARDS: number; readonly CONSUME_SHARDS?: string | undefined }): number[] {
  try {
    return parseShardList(config.CONSUME_SHARDS, config.REDIS_SHARDS);
  } catch (error) {
    throw new ConfigError(service, [{ setting: 'CONSUME_SHARDS', message: error instanceof Error ? error.message : String(error) }]);
  }
}
