import { ConfigError, loadConfig } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { consumeShardsSetting, consumedShardsOf, redisClusterNodesSetting, redisShardsSetting, shardLayoutOf } from './shard-settings.js';

const schema = z.object({
  REDIS_PREFIX: z.string().default('{nl}'),
  REDIS_SHARDS: redisShardsSetting(),
  REDIS_CLUSTER_NODES: redisClusterNodesSetting(),
  CONSUME_SHARDS: consumeShardsSetting(),
});

describe('shard settings', () => {
  it('default to one shard, every shard consumed, no extra cluster nodes', () => {
    const config = loadConfig('test', schema, {});
    expect(config.REDIS_SHARDS).toBe(1);
    expect(config.REDIS_CLUSTER_NODES).toBeUndefined();
    expect(consumedShardsOf('test', config)).toEqual([0]);
    expect(shardLayoutOf('test', config).prefixes).toEqual(['{nl}']);
  });

  it('read the extra cluster nodes as host:port entries', () => {
    expect(loadConfig('test', schema, { REDIS_CLUSTER_NODES: 'redis-node-2:6379, 10.0.0.3:7001' }).REDIS_CLUSTER_NODES).toEqual(['redis-node-2:6379', '10.0.0.3:7001']);
    expect(() => loadConfig('test', schema, { REDIS_CLUSTER_NODES: 'redis-node-2' })).toThrow(/REDIS_CLUSTER_NODES.0: must be host:port entries/);
  });

  it('stop a service at start naming the setting: a prefix that is not one hash tag, a shard that does not exist', () => {
    const untagged = loadConfig('test', schema, { REDIS_PREFIX: 'nl', REDIS_SHARDS: '4' });
    expect(() => shardLayoutOf('ingest', untagged)).toThrow(ConfigError);
    expect(() => shardLayoutOf('ingest', untagged)).toThrow(/REDIS_PREFIX: REDIS_PREFIX must be one hash tag/);
    expect(() => loadConfig('test', schema, { REDIS_SHARDS: '0' })).toThrow(/REDIS_SHARDS/);
    const four = loadConfig('test', schema, { REDIS_SHARDS: '4', CONSUME_SHARDS: '2-3' });
    expect(consumedShardsOf('worker', four)).toEqual([2, 3]);
    expect(() => consumedShardsOf('worker', { ...four, CONSUME_SHARDS: '4' })).toThrow(/CONSUME_SHARDS: shard 4 does not exist/);
  });
});
