import { redisKeys, shardLayout } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { apiKeysOf, groupByShard } from './shard-keys.js';

describe('apiKeysOf', () => {
  it('with one shard, every key is the prefix’s, as before', () => {
    const keys = apiKeysOf(shardLayout('{nl}', 1), () => 'chain-a');
    const before = redisKeys('{nl}');
    expect(keys.shards.map((shard) => shard.prefix)).toEqual(['{nl}']);
    expect(keys.control.gyms).toBe(before.gyms);
    expect(keys.gym('g1').liveStations('g1')).toBe(before.liveStations('g1'));
    expect(keys.athlete('a1').athleteProfile('a1')).toBe(before.athleteProfile('a1'));
    expect(keys.gymShard('g1')).toBe(0);
    expect(keys.athleteShard('a1')).toBe(0);
  });

  it('with several shards, a gym is in the shard of its tenant (the registry’s) and id, the gyms set under the prefix', () => {
    const layout = shardLayout('{nl}', 8);
    const tenants: Record<string, string> = { g1: 'chain-a' };
    const keys = apiKeysOf(layout, (gymId) => tenants[gymId] ?? 'default');
    expect(keys.control.gyms).toBe('{nl}:gyms');
    expect(keys.shards).toHaveLength(8);
    expect(keys.gymShard('g1')).toBe(layout.gymShard('chain-a', 'g1'));
    expect(keys.gym('g1').liveChannel('g1')).toBe(layout.gymKeys('chain-a', 'g1').liveChannel('g1'));
    expect(keys.gymShard('g2')).toBe(layout.gymShard('default', 'g2'));
    expect(keys.athlete('a1').athleteProfile('a1')).toBe(layout.athleteKeys('a1').athleteProfile('a1'));
    // The registry is read at each call: a gym registered later moves with it.
    tenants.g2 = 'chain-b';
    expect(keys.gymShard('g2')).toBe(layout.gymShard('chain-b', 'g2'));
  });
});

describe('groupByShard', () => {
  it('groups in shard order, each group in the items’ order', () => {
    const shardOf = (item: string) => Number(item.slice(0, 1));
    expect(groupByShard(['2a', '0a', '2b', '1a', '0b'], shardOf)).toEqual([
      [0, ['0a', '0b']],
      [1, ['1a']],
      [2, ['2a', '2b']],
    ]);
    expect(groupByShard([], shardOf)).toEqual([]);
  });
});
