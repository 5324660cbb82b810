import { redisKeys, shardLayout } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { athleteKeyNames, planErasure, type GymBoard } from './erasure-plan.js';
import { apiKeysOf } from './shard-keys.js';

const set = (gymId: string | undefined, stationId: string, setId: string) => JSON.stringify({ v: 1, key: `${stationId}.${setId}`, ...(gymId === undefined ? {} : { gymId }), stationId, setId });
const board = (gymId: string, shard: number, athleteId: string): GymBoard => ({
  gymId,
  shard,
  stations: { st1: JSON.stringify({ athleteId }), st2: JSON.stringify({ athleteId: 'someone-else' }) },
  alerts: [JSON.stringify({ athleteId, id: 'x' }), JSON.stringify({ athleteId, id: 'x' }), JSON.stringify({ athleteId: 'someone-else' })],
  pending: [JSON.stringify({ athleteId, stationId: 'st1', setId: 's1' })],
});

describe('planErasure', () => {
  it('with one shard: one step, the athlete’s keys first, then its sets, then each gym’s entries', () => {
    const keys = apiKeysOf(shardLayout('{nl}', 1), () => 'default');
    const k = redisKeys('{nl}');
    const steps = planErasure(keys, 'a1', { 'st1.s1': set('g1', 'st1', 's1'), '~hr.1': JSON.stringify({ v: 3, minute: 1 }) }, [board('g1', 0, 'a1')]);
    expect(steps).toHaveLength(1);
    const [shard, deletions] = steps[0] ?? [-1, []];
    expect(shard).toBe(0);
    expect(deletions).toEqual([
      { op: 'del', keys: athleteKeyNames(k, 'a1') },
      { op: 'deleteSet', keys: [k.set('st1', 's1'), k.setReps('st1', 's1'), k.segmenter('st1', 's1'), k.samplesInbox('st1', 's1'), k.segmentedOutbox('st1', 's1')], athleteId: 'a1' },
      { op: 'zrem', key: k.gymAthletes('g1'), member: 'a1' },
      { op: 'hdelIfUnchanged', key: k.liveStations('g1'), field: 'st1', value: JSON.stringify({ athleteId: 'a1' }) },
      { op: 'lrem', key: k.liveAlerts('g1'), value: JSON.stringify({ athleteId: 'a1', id: 'x' }) },
      { op: 'hdel', key: k.inSetPending('g1'), fields: [JSON.stringify({ athleteId: 'a1', stationId: 'st1', setId: 's1' })] },
    ]);
  });

  it('with several shards: the athlete’s keys in its shard, each set and gym entry in its gym’s, a set of no gym in every shard', () => {
    const layout = shardLayout('{nl}', 4);
    const keys = apiKeysOf(layout, (gymId) => (gymId === 'g2' ? 'chain-b' : 'default'));
    const athleteShard = layout.athleteShard('a1');
    // Two gyms in shards other than the athlete's (ids found, not guessed: the hash is pinned).
    const gyms = Array.from({ length: 50 }, (_, i) => `gym-${i}`).filter((gymId) => keys.gymShard(gymId) !== athleteShard);
    const g0 = gyms[0] ?? '';
    const gA = gyms.find((gymId) => keys.gymShard(gymId) !== keys.gymShard(g0)) ?? '';
    expect(gA).not.toBe('');
    const steps = new Map(
      planErasure(keys, 'a1', { 'st1.s1': set(g0, 'st1', 's1'), 'st9.s9': set(undefined, 'st9', 's9') }, [board(g0, keys.gymShard(g0), 'a1'), board(gA, keys.gymShard(gA), 'a1')]),
    );
    expect([...steps.keys()]).toEqual([0, 1, 2, 3]);
    const prefixesOf = (shard: number) =>
      new Set((steps.get(shard) ?? []).flatMap((deletion) => ('keys' in deletion ? deletion.keys : [deletion.key])).map((key) => key.slice(0, key.indexOf('}') + 1)));
    for (const shard of [0, 1, 2, 3]) expect(prefixesOf(shard)).toEqual(new Set([`{nl:${shard}}`]));
    const ops = (shard: number) => (steps.get(shard) ?? []).map((deletion) => deletion.op);
    expect(ops(athleteShard)).toEqual(['del', 'deleteSet']);
    expect(ops(keys.gymShard(g0))).toEqual(['deleteSet', 'deleteSet', 'zrem', 'hdelIfUnchanged', 'lrem', 'hdel']);
    expect(ops(keys.gymShard(gA))).toEqual(['deleteSet', 'zrem', 'hdelIfUnchanged', 'lrem', 'hdel']);
  });
});
