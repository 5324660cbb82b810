import { describe, expect, it } from 'vitest';
import { mergeNewestFirst, sumCounts } from './dead-letter-merge.js';
import type { DeadLetterView } from './ports.js';

const T = Date.parse('2027-01-01T00:00:00.000Z');
const letter = (name: string, atSeconds: number, receivedAt = new Date(T + atSeconds * 1000).toISOString()): DeadLetterView => ({
  topic: `gym/v1/g1/st1/${name}`,
  reason: 'invalid_json',
  payload: name,
  receivedAt,
});
const names = (letters: readonly DeadLetterView[]) => letters.map((item) => item.payload);

describe('mergeNewestFirst', () => {
  it('gives one list back as it was, cut to the limit', () => {
    const list = [letter('c', 3), letter('b', 2), letter('a', 1)];
    expect(mergeNewestFirst([list], 100)).toEqual(list);
    expect(names(mergeNewestFirst([list], 2))).toEqual(['c', 'b']);
    expect(mergeNewestFirst([[]], 10)).toEqual([]);
    expect(mergeNewestFirst([], 10)).toEqual([]);
  });

  it('merges the shards newest first and keeps the newest `limit` of all', () => {
    const shard0 = [letter('s0-9', 9), letter('s0-5', 5), letter('s0-1', 1)];
    const shard1 = [letter('s1-8', 8), letter('s1-7', 7), letter('s1-2', 2)];
    const shard2: DeadLetterView[] = [];
    const shard3 = [letter('s3-6', 6)];
    expect(names(mergeNewestFirst([shard0, shard1, shard2, shard3], 100))).toEqual(['s0-9', 's1-8', 's1-7', 's3-6', 's0-5', 's1-2', 's0-1']);
    expect(names(mergeNewestFirst([shard0, shard1, shard2, shard3], 3))).toEqual(['s0-9', 's1-8', 's1-7']);
  });

  it('takes the lower shard first at equal times and keeps each list in its own order', () => {
    const shard0 = [letter('s0-x', 5), letter('s0-y', 5)];
    const shard1 = [letter('s1-x', 5)];
    expect(names(mergeNewestFirst([shard0, shard1], 10))).toEqual(['s0-x', 's0-y', 's1-x']);
    // A time that does not parse counts as the oldest; the list's own order still holds.
    const odd = [letter('odd', 0, 'yesterday'), letter('after-odd', 9)];
    expect(names(mergeNewestFirst([odd, [letter('s1', 1)]], 10))).toEqual(['s1', 'odd', 'after-odd']);
  });
});

describe('sumCounts', () => {
  it('sums the reasons of every shard and totals them', () => {
    expect(sumCounts([{ invalid_json: '3', unknown_topic: '1' }, {}, { invalid_json: '2', retries_exhausted: '4' }])).toEqual({
      total: 10,
      byReason: { invalid_json: 5, unknown_topic: 1, retries_exhausted: 4 },
    });
    expect(sumCounts([{}])).toEqual({ total: 0, byReason: {} });
    expect(sumCounts([])).toEqual({ total: 0, byReason: {} });
  });
});
