import { parseAlertConfig } from '@neurolift/alerts';
import { describe, expect, it, vi } from 'vitest';
import { dailySchedules, dailySchedulesByShard } from '../daily-schedule.js';
import { startDailySchedulers, syncDailySchedulers, type SchedulerQueue } from './daily-schedulers.js';

/** A queue's job schedulers in memory: id → pattern. */
function fakeQueue(existing: Record<string, string> = {}) {
  const schedulers = new Map(Object.entries(existing));
  const queue = {
    upsertJobScheduler: vi.fn(async (id: string, repeat: { pattern?: string }) => {
      schedulers.set(id, repeat.pattern ?? '');
      return undefined as never;
    }),
    getJobSchedulers: async () => [...schedulers.keys()].map((key) => ({ key })) as never,
    removeJobScheduler: async (id: string) => schedulers.delete(id),
  } satisfies SchedulerQueue;
  return { queue, schedulers };
}

const config = parseAlertConfig(JSON.stringify({ gyms: { 'gym-a': {}, 'gym-b': {} } }), 'test.json');
const schedules = dailySchedules(config);

describe('syncDailySchedulers', () => {
  it('upserts the wanted schedulers and removes the other daily ones, leaving the rest alone', async () => {
    const { queue, schedulers } = fakeQueue({ 'daily.gym-gone': '0 6 * * *', 'other.job': '* * * * *' });
    await syncDailySchedulers(queue, schedules);
    expect([...schedulers.keys()].sort()).toEqual(['daily.*', 'daily.gym-a', 'daily.gym-b', 'other.job']);
  });
});

describe('startDailySchedulers', () => {
  it('syncs each consumed shard at start, then only the shards whose plan changed', async () => {
    const queues = [fakeQueue(), fakeQueue(), fakeQueue({ 'daily.gym-b': '0 6 * * *' })];
    let shardOfB = 2;
    const shardOf = (gymId: string) => (gymId === 'gym-b' ? shardOfB : 1);
    const schedulers = await startDailySchedulers({
      plan: () => dailySchedulesByShard(schedules, [1, 2], shardOf),
      checksOf: (shard) => queues[shard]?.queue ?? fakeQueue().queue,
      recheckMs: 5,
      onError: (error) => {
        throw error;
      },
    });
    try {
      expect([...(queues[0]?.schedulers.keys() ?? [])]).toEqual([]);
      expect([...(queues[1]?.schedulers.keys() ?? [])].sort()).toEqual(['daily.*', 'daily.gym-a']);
      expect([...(queues[2]?.schedulers.keys() ?? [])].sort()).toEqual(['daily.*', 'daily.gym-b']);
      const upserts = () => queues.map((q) => q.queue.upsertJobScheduler.mock.calls.length);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(upserts()).toEqual([0, 2, 2]);
      // gym-b's tenant changed: it is in shard 1 now.
      shardOfB = 1;
      await vi.waitFor(() => expect([...(queues[1]?.schedulers.keys() ?? [])].sort()).toEqual(['daily.*', 'daily.gym-a', 'daily.gym-b']));
      await vi.waitFor(() => expect([...(queues[2]?.schedulers.keys() ?? [])]).toEqual(['daily.*']));
    } finally {
      await schedulers.stop();
    }
  });
});
