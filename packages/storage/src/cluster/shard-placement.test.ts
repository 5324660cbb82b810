import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balanceMoves, ownerOfSlot, placement, type ShardSlot, type SlotOwner } from './shard-placement.js';

/** The slot ranges `redis-cli --cluster create` gives three masters. */
const THREE: SlotOwner[] = [
  { id: 'a', slots: [[0, 5460]] },
  { id: 'b', slots: [[5461, 10922]] },
  { id: 'c', slots: [[10923, 16383]] },
];
/** CLUSTER KEYSLOT of {nl:0} … {nl:11}. */
const NL12: ShardSlot[] = [2447, 6574, 10701, 14828, 2315, 6442, 10569, 14696, 2183, 6310, 519, 4646].map((slot, shard) => ({ shard, slot }));

function applyMoves(masters: readonly SlotOwner[], shards: readonly ShardSlot[], moves: ReturnType<typeof balanceMoves>): Map<string, number> {
  const held = new Map([...placement(masters, shards)].map(([id, list]) => [id, list.length]));
  for (const move of moves) {
    held.set(move.from, (held.get(move.from) ?? 0) - 1);
    held.set(move.to, (held.get(move.to) ?? 0) + 1);
  }
  return held;
}

describe('shard placement', () => {
  it('finds which master serves a slot', () => {
    expect(ownerOfSlot(THREE, 0)).toBe('a');
    expect(ownerOfSlot(THREE, 5461)).toBe('b');
    expect(ownerOfSlot(THREE, 16383)).toBe('c');
    expect(ownerOfSlot([{ id: 'a', slots: [[0, 10]] }], 11)).toBeUndefined();
  });

  it('evens out the 5/5/2 the default slot ranges give twelve {nl:n} shards, in two moves', () => {
    expect([...placement(THREE, NL12)].map(([id, list]) => [id, list.length])).toEqual([
      ['a', 5],
      ['b', 5],
      ['c', 2],
    ]);
    const moves = balanceMoves(THREE, NL12);
    expect(moves).toHaveLength(2);
    expect(moves.every((move) => move.to === 'c')).toBe(true);
    expect([...applyMoves(THREE, NL12, moves).values()]).toEqual([4, 4, 4]);
  });

  it('moves nothing when already even, and spreads onto a new empty master with the fewest moves', () => {
    const even = [0, 1, 2, 3, 6000, 6001, 6002, 6003, 12000, 12001, 12002, 12003].map((slot, shard) => ({ shard, slot }));
    expect(balanceMoves(THREE, even)).toEqual([]);
    const four = [...THREE, { id: 'd', slots: [] }];
    const moves = balanceMoves(four, NL12);
    expect([...applyMoves(four, NL12, moves).values()]).toEqual([3, 3, 3, 3]);
    // 5/5/2/0 → 3/3/3/3: the two over their share give two each, nothing else moves.
    expect(moves).toHaveLength(4);
    expect(moves.filter((move) => move.to === 'd')).toHaveLength(3);
  });

  it('always ends with ⌊S/M⌋ or ⌈S/M⌉ shards a master, moving each shard at most once', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 16383 }), { minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 8 }), (slots, m) => {
        const width = Math.ceil(16384 / m);
        const masters: SlotOwner[] = Array.from({ length: m }, (_, i) => ({ id: `m${i}`, slots: [[i * width, Math.min(16383, (i + 1) * width - 1)]] }));
        const shards = slots.map((slot, shard) => ({ shard, slot }));
        const moves = balanceMoves(masters, shards);
        const counts = [...applyMoves(masters, shards, moves).values()];
        const lo = Math.floor(shards.length / m);
        return counts.every((n) => n === lo || n === lo + 1) && new Set(moves.map((move) => move.shard)).size === moves.length;
      }),
    );
  });
});
