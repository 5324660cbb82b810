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
