import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShardList, shardHash, shardLayout, shardLayoutProblem } from './shards.js';

describe('shard layout', () => {
  it('keeps one shard exactly as before: the prefix itself, for every gym and athlete', () => {
    const layout = shardLayout('{nl}', 1);
    expect(layout.prefixes).toEqual(['{nl}']);
    expect(layout.gymKeys('chain-a', 'gym-1').station('rack-1')).toBe('{nl}:station:rack-1');
    expect(layout.athleteKeys('ath-1').athleteSets('ath-1')).toBe('{nl}:athlete:ath-1:sets');
    // Any prefix works with one shard, hash tag or not.
    expect(shardLayout('plain', 1).keys(0).idleSets).toBe('plain:sets:idle');
  });

  it('names shard n {tag:n} and keeps the control plane on the prefix', () => {
    const layout = shardLayout('{nl}', 12);
    expect(layout.prefixes).toHaveLength(12);
    expect(layout.prefixes[0]).toBe('{nl:0}');
    expect(layout.prefixes[11]).toBe('{nl:11}');
    expect(layout.control).toBe('{nl}');
    expect(layout.keys(3).deadLetters).toBe('{nl:3}:dead-letters');
    expect(() => layout.keys(12)).toThrow(RangeError);
  });

  it('pins the hash: shard numbers are where data already lives and must never move', () => {
    // FNV-1a 32-bit reference values.
    expect(shardHash('')).toBe(0x811c9dc5);
    expect(shardHash('a')).toBe(0xe40c292c);
    expect(shardHash('foobar')).toBe(0xbf9cf968);
    const layout = shardLayout('{nl}', 12);
    expect(layout.gymShard('default', 'gym-1')).toBe(shardHash('default/gym-1') % 12);
    expect(layout.athleteShard('ath-1')).toBe(shardHash('athlete/ath-1') % 12);
  });

  it('places a gym by its tenant and id, and every shard is reached', () => {
    const layout = shardLayout('{nl}', 12);
    const used = new Set<number>();
    for (let g = 0; g < 200; g++) used.add(layout.gymShard('default', `gym-${g}`));
    expect(used.size).toBe(12);
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 64 }), (tenant, gym, count) => {
        const shard = shardLayout('{nl}', count).gymShard(tenant, gym);
        return Number.isInteger(shard) && shard >= 0 && shard < count && shard === shardLayout('{nl}', count).gymShard(tenant, gym);
      }),
    );
  });

  it('refuses a prefix that is not one hash tag once there are several shards, naming the setting', () => {
    expect(shardLayoutProblem('nl', 4)).toMatch(/^REDIS_PREFIX must be one hash tag/);
    expect(shardLayoutProblem('{a}{b}', 4)).toMatch(/^REDIS_PREFIX/);
    expect(shardLayoutProblem('{nl}', 0)).toMatch(/^REDIS_SHARDS/);
    expect(shardLayoutProblem('{nl}', 1025)).toMatch(/^REDIS_SHARDS/);
    expect(shardLayoutProblem('{nl}', 4)).toBeUndefined();
    expect(() => shardLayout('nl', 2)).toThrow(/REDIS_PREFIX/);
  });
});

describe('consumed shard lists', () => {
  it('reads numbers and ranges, all shards when unset', () => {
    expect(parseShardList(undefined, 4)).toEqual([0, 1, 2, 3]);
    expect(parseShardList(' ', 2)).toEqual([0, 1]);
    expect(parseShardList('0-2, 5,4', 6)).toEqual([0, 1, 2, 4, 5]);
    expect(parseShardList('3,3', 6)).toEqual([3]);
  });

  it('says what is wrong with a bad list', () => {
    expect(() => parseShardList('6', 6)).toThrow(/shard 6 does not exist: REDIS_SHARDS is 6/);
    expect(() => parseShardList('3-1', 6)).toThrow(/backwards/);
    expect(() => parseShardList('x', 6)).toThrow(/not a shard number/);
  });
});
