import { gymSettingsFor, type AlertConfig } from '@neurolift/alerts';

/** One BullMQ job scheduler: the daily rules of one gym (or of every gym the file does not list). */
export interface DailySchedule {
  /** Scheduler id: `daily.<gymId>`, or `daily.*` for the defaults. */
  readonly id: string;
  /** The gym, or undefined for "every gym not listed". */
  readonly gymId: string | undefined;
  /** Cron pattern `m h * * *` of the gym's local time. */
  readonly pattern: string;
  readonly timeZone: string;
}

function cronAt(localTime: string): string {
  const [hours = '0', minutes = '0'] = localTime.split(':');
  return `${Number(minutes)} ${Number(hours)} * * *`;
}

/** The schedulers the config asks for: one per listed gym plus one for the rest. Pure. */
export function dailySchedules(config: AlertConfig): DailySchedule[] {
  const schedules: DailySchedule[] = [
    { id: 'daily.*', gymId: undefined, pattern: cronAt(config.defaults.dailyLocalTime), timeZone: config.defaults.timeZone },
  ];
  for (const gymId of [...config.gyms.keys()].sort()) {
    const settings = gymSettingsFor(config, gymId);
    schedules.push({ id: `daily.${gymId}`, gymId, pattern: cronAt(settings.dailyLocalTime), timeZone: settings.timeZone });
  }
  return schedules;
}

/** The daily schedulers a process keeps in each shard's alert-checks queue, by shard. */
export type ShardSchedules = ReadonlyMap<number, readonly DailySchedule[]>;

/**
 * The schedulers of the shards a process consumes: in each, the defaults' (its run judges the unlisted gyms of
 * that shard only) and those of the listed gyms whose keys are in it. Every gym's daily job thus runs from its
 * own shard, once, whichever processes consume which shards: a shard's schedulers are kept by its consumers
 * alone, and a listed gym is in one shard. Pure.
 */
export function dailySchedulesByShard(schedules: readonly DailySchedule[], consumed: readonly number[], shardOfGym: (gymId: string) => number): ShardSchedules {
  return new Map(consumed.map((shard) => [shard, schedules.filter((schedule) => schedule.gymId === undefined || shardOfGym(schedule.gymId) === shard)]));
}

/** The shards whose schedulers differ between two plans (a gym changed tenant, so shard): what to sync again. Pure. */
export function changedShards(before: ShardSchedules, after: ShardSchedules): number[] {
  const text = (schedules: readonly DailySchedule[] | undefined) => JSON.stringify(schedules ?? []);
  return [...new Set([...before.keys(), ...after.keys()])].filter((shard) => text(before.get(shard)) !== text(after.get(shard))).sort((a, b) => a - b);
}
