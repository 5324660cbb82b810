import { JOB_OPTIONS, type AlertCheckJob } from '@neurolift/contracts';
import type { Queue } from 'bullmq';
import { changedShards, type DailySchedule, type ShardSchedules } from '../daily-schedule.js';

export type SchedulerQueue = Pick<Queue, 'upsertJobScheduler' | 'getJobSchedulers' | 'removeJobScheduler'>;

/**
 * Makes a shard's alert-checks queue hold exactly these daily schedulers: upserts them (idempotent, so every
 * consumer of the shard may do it) and removes the other `daily.` ones (gyms gone from the file or from the shard).
 */
export async function syncDailySchedulers(checks: SchedulerQueue, schedules: readonly DailySchedule[]): Promise<void> {
  for (const schedule of schedules) {
    await checks.upsertJobScheduler(
      schedule.id,
      { pattern: schedule.pattern, tz: schedule.timeZone },
      {
        name: 'daily',
        data: { v: 1, kind: 'daily', ...(schedule.gymId === undefined ? {} : { gymId: schedule.gymId }) } satisfies AlertCheckJob,
        opts: JOB_OPTIONS.alertChecksAfterSet,
      },
    );
  }
  const wanted = new Set(schedules.map((schedule) => schedule.id));
  for (const existing of await checks.getJobSchedulers()) {
    if (existing.key.startsWith('daily.') && !wanted.has(existing.key)) await checks.removeJobScheduler(existing.key);
  }
}

export interface DailySchedulers {
  /** Stops following the plan; waits for a sync under way. */
  stop(): Promise<void>;
}

export interface DailySchedulersOptions {
  /** The schedulers wanted now, by consumed shard (they move when a gym's tenant, so its shard, changes). */
  readonly plan: () => ShardSchedules;
  readonly checksOf: (shard: number) => SchedulerQueue;
  /** How often the plan is computed again, ms; undefined: never (one shard: a gym cannot change shard). */
  readonly recheckMs: number | undefined;
  readonly onError: (error: unknown) => void;
}

/** Syncs every consumed shard's daily schedulers now, then again for the shards whose plan changes. */
export async function startDailySchedulers(options: DailySchedulersOptions): Promise<DailySchedulers> {
  let synced: ShardSchedules = new Map();
  const sync = async (): Promise<void> => {
    const next = options.plan();
    for (const shard of changedShards(synced, next)) {
      const schedules = next.get(shard);
      // A shard no longer consumed keeps its schedulers: its consumers own them.
      if (schedules !== undefined) await syncDailySchedulers(options.checksOf(shard), schedules);
    }
    synced = next;
  };
  await sync();
  if (options.recheckMs === undefined) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = sync()
      .catch(options.onError)
      .finally(() => (running = undefined));
  }, options.recheckMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
