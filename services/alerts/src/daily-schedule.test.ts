import { parseAlertConfig } from '@neurolift/alerts';
import { describe, expect, it } from 'vitest';
import { dailySchedules } from './daily-schedule.js';

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
