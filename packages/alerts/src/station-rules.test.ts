import { describe, expect, it } from 'vitest';
import { stationOfflineAlerts, type StationStatusInput } from './index.js';
import { T0 } from './test-fixtures.js';

const openSet = { setId: 'b-bp-1', athleteId: 'ath-b', exercise: 'bench_press' };

describe('station_offline', () => {
  it.each([
    ['offline with a set open', false, openSet, 1],
    ['offline, no set open', false, undefined, 0],
    ['online with a set open', true, openSet, 0],
  ])('%s → %s', (_, online, set, count) => {
    const input: StationStatusInput = { gymId: 'gym-01', stationId: 'st-3', online, ts: T0, openSet: set };
    expect(stationOfflineAlerts(input)).toHaveLength(count);
  });

  it('is scoped to the open set', () => {
    const [alert] = stationOfflineAlerts({ gymId: 'gym-01', stationId: 'st-3', online: false, ts: T0, openSet });
    expect(alert).toEqual({
      rule: 'station_offline',
      severity: 'amber',
      gymId: 'gym-01',
      stationId: 'st-3',
      athleteId: 'ath-b',
      setId: 'b-bp-1',
      exercise: 'bench_press',
      scope: 'set/st-3.b-bp-1',
      value: 0,
      threshold: 0,
      unit: 'none',
      message: 'Station st-3 went offline during set b-bp-1 of athlete ath-b (bench_press); reps after this point may be missing',
      ts: T0,
    });
  });
});
