import { parseAlertConfig } from '@neurolift/alerts';
import { describe, expect, it } from 'vitest';
import { changedShards, dailySchedules, dailySchedulesByShard } from './daily-schedule.js';

describe('dailySchedules', () => {
  it('one scheduler for the defaults and one per listed gym, at each local time and zone', () => {
    const config = parseAlertConfig(
      JSON.stringify({ defaults: { dailyLocalTime: '07:05' }, gyms: { 'gym-b': { dailyLocalTime: '23:59', timeZone: 'America/New_York' }, 'gym-a': {} } }),
      'test.json',
    );
    expect(dailySchedules(config)).toEqual([
      { id: 'daily.*', gymId: undefined, pattern: '5 7 * * *', timeZone: 'UTC' },
      { id: 'daily.gym-a', gymId: 'gym-a', pattern: '5 7 * * *', timeZone: 'UTC' },
      { id: 'daily.gym-b', gymId: 'gym-b', pattern: '59 23 * * *', timeZone: 'America/New_York' },
    ]);
  });

  it('without a file: the spec default, 06:00 UTC, for every gym', () => {
    expect(dailySchedules(parseAlertConfig('{}', 'empty.json'))).toEqual([{ id: 'daily.*', gymId: undefined, pattern: '0 6 * * *', timeZone: 'UTC' }]);
  });
});

describe('dailySchedulesByShard', () => {
  const config = parseAlertConfig(JSON.stringify({ gyms: { 'gym-a': {}, 'gym-b': { dailyLocalTime: '23:59' }, 'gym-c': {} } }), 'test.json');
  const schedules = dailySchedules(config);
  /** gym-a and gym-c in shard 1, gym-b in shard 3 (of 4). */
  const shardOf = (gymId: string) => ({ 'gym-a': 1, 'gym-b': 3, 'gym-c': 1 })[gymId] ?? 0;
  const ids = (plan: ReturnType<typeof dailySchedulesByShard>) => Object.fromEntries([...plan].map(([shard, list]) => [shard, list.map((s) => s.id)]));

  it("each consumed shard has the defaults' scheduler and those of its own listed gyms", () => {
    expect(ids(dailySchedulesByShard(schedules, [0, 1, 2, 3], shardOf))).toEqual({
      0: ['daily.*'],
      1: ['daily.*', 'daily.gym-a', 'daily.gym-c'],
      2: ['daily.*'],
      3: ['daily.*', 'daily.gym-b'],
    });
  });

  it('processes consuming different shards schedule every listed gym once between them', () => {
    const plans = [dailySchedulesByShard(schedules, [0, 1], shardOf), dailySchedulesByShard(schedules, [2, 3], shardOf)];
    const listed = plans.flatMap((plan) => [...plan.values()].flat()).filter((s) => s.gymId !== undefined).map((s) => s.id);
    expect(listed.sort()).toEqual(['daily.gym-a', 'daily.gym-b', 'daily.gym-c']);
    expect(plans.flatMap((plan) => [...plan.values()].flat()).filter((s) => s.id === 'daily.*')).toHaveLength(4);
  });

  it('one shard: the schedulers of before, all in shard 0', () => {
    expect(dailySchedulesByShard(schedules, [0], () => 0)).toEqual(new Map([[0, schedules]]));
  });

  it('a gym moving shard changes the plan of both shards only', () => {
    const before = dailySchedulesByShard(schedules, [0, 1, 2, 3], shardOf);
    const after = dailySchedulesByShard(schedules, [0, 1, 2, 3], (gymId) => (gymId === 'gym-c' ? 2 : shardOf(gymId)));
    expect(changedShards(before, after)).toEqual([1, 2]);
    expect(changedShards(after, after)).toEqual([]);
    expect(changedShards(new Map(), before)).toEqual([0, 1, 2, 3]);
  });
});
