import { describe, expect, it } from 'vitest';
import { computeExposure, dayOf } from '@neurolift/stimulus';
import { DEFAULT_THRESHOLDS, dailyAlerts, exposureChangeAlerts, judgedDay, lowExposureAlerts, type DailyInput, type DailySessionInput } from './index.js';
import { DAY, HOUR, T0 } from './test-fixtures.js';

// Runs at 06:00 UTC on D + 1: the judged day is D; the 7-day window is D − 6 … D.
const D = dayOf(T0);
const AS_OF = (D + 1) * DAY + 6 * HOUR;
const at = (day: number): number => day * DAY + 18 * HOUR;

function daily(sessions: readonly DailySessionInput[], extra: Partial<DailyInput> = {}): DailyInput {
  const dailyLoads = new Map<number, number>([[D - 20, 60]]);
  return { athleteId: 'ath-a', gymId: 'gym-01', asOfMs: AS_OF, sessions, dailyLoads, thresholds: DEFAULT_THRESHOLDS, ...extra };
}

describe('judgedDay', () => {
  it('is the last complete UTC day, whatever the hour of the run', () => {
    expect(judgedDay((D + 1) * DAY)).toBe(D);
    expect(judgedDay((D + 2) * DAY - 1)).toBe(D);
  });
});

describe('low_exposure', () => {
  it.each([
    ['two sessions at 50', [50, 50], false],
    ['one at 50, one just below', [50, 49.99], true],
    ['one at 50, one just above', [50, 50.01], false],
    ['one session', [90], true],
    ['none', [], true],
  ])('%s → %s', (_, nsis, fires) => {
    const sessions = nsis.map((nsi, index) => ({ endTs: at(D - index), nsi }));
    const alerts = lowExposureAlerts(daily(sessions));
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) expect(alerts[0]).toMatchObject({ rule: 'low_exposure', unit: 'sessions', threshold: 2, value: nsis.filter((nsi) => nsi >= 50).length, scope: 'day/2025-03-03' });
  });

  it.each([
    ['window start (D − 6)', D - 6, false],
    ['the day before it (D − 7)', D - 7, true],
    ['the judged day', D, false],
    ['the day of the run', D + 1, true],
  ])('counts a session ending on %s: %s', (_, day, fires) => {
    const sessions = [{ endTs: at(D - 2), nsi: 70 }, { endTs: at(day), nsi: 70 }];
    expect(lowExposureAlerts(daily(sessions))).toHaveLength(fires ? 1 : 0);
  });

  it('waits until the data cover the whole window', () => {
    const sessions = [{ endTs: at(D - 6), nsi: 10 }];
    expect(lowExposureAlerts(daily(sessions, { dailyLoads: new Map([[D - 6, 10]]) }))).toHaveLength(1);
    expect(lowExposureAlerts(daily([{ endTs: at(D - 5), nsi: 10 }], { dailyLoads: new Map([[D - 5, 10]]) }))).toEqual([]);
    expect(lowExposureAlerts(daily([], { dailyLoads: new Map() }))).toEqual([]);
  });

  it('says it in a sentence', () => {
    expect(lowExposureAlerts(daily([{ endTs: at(D), nsi: 62 }]))[0]?.message).toBe(
      'Athlete ath-a: 1 session with a neurotrophic stimulus index (model) of at least 50 in the 7 days to 2025-03-03, fewer than 2',
    );
  });
});

describe('exposure_change', () => {
  /** 40 days of 60 a day up to D − 3, then the given loads on D − 2 … D. */
  const loads = (last3: readonly number[]): Map<number, number> => {
    const map = new Map<number, number>();
    for (let day = D - 42; day <= D - 3; day++) map.set(day, 60);
    last3.forEach((load, index) => map.set(D - 2 + index, load));
    return map;
  };
  const ratioOf = (map: Map<number, number>): number => computeExposure(map, D).at(-1)?.ratio ?? Number.NaN;

  it.each([
    ['at the high threshold', 0, false],
    ['just above it', -0.001, true],
    ['just below it', 0.001, false],
  ])('a rise %s → %s', (_, offset, fires) => {
    const map = loads([150, 150, 150]);
    const ratio = ratioOf(map);
    const thresholds = { ...DEFAULT_THRESHOLDS, exposureRatioHigh: ratio + offset };
    const alerts = exposureChangeAlerts(daily([], { dailyLoads: map, thresholds }));
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) expect(alerts[0]).toMatchObject({ rule: 'exposure_change', unit: 'ratio', value: ratio, scope: 'day/2025-03-03', ts: (D + 1) * DAY - 1 });
  });

  it.each([
    ['at the low threshold', 0, false],
    ['just below it', 0.001, true],
    ['just above it', -0.001, false],
  ])('a drop %s → %s', (_, offset, fires) => {
    const map = loads([0, 0, 0]);
    const thresholds = { ...DEFAULT_THRESHOLDS, exposureRatioLow: ratioOf(map) + offset };
    expect(exposureChangeAlerts(daily([], { dailyLoads: map, thresholds }))).toHaveLength(fires ? 1 : 0);
  });

  it('with the defaults: a steady load is quiet, a training break falls below 0.8, a hard week rises above 1.5', () => {
    expect(exposureChangeAlerts(daily([], { dailyLoads: loads([60, 60, 60]) }))).toEqual([]);
    const [drop] = exposureChangeAlerts(daily([], { dailyLoads: loads([0, 0, 0]) }));
    expect(drop).toMatchObject({ threshold: 0.8 });
    expect(drop?.message).toMatch(/^Athlete ath-a: 7-day neurotrophic stimulus index \(model\) exposure is 0\.\d\d × the 28-day exposure on 2025-03-03 \(A7 [\d.]+, C28 [\d.]+\), below 0\.80; a change in training, descriptive only$/);
    // 30 a day for five weeks, then 150 a day for a week.
    const spike = new Map<number, number>();
    for (let day = D - 42; day <= D; day++) spike.set(day, day > D - 7 ? 150 : 30);
    expect(exposureChangeAlerts(daily([], { dailyLoads: spike }))[0]).toMatchObject({ threshold: 1.5 });
  });

  it('never fires before 28 days of data', () => {
    const map = new Map<number, number>();
    for (let day = D - 26; day <= D; day++) map.set(day, day < D - 3 ? 10 : 150);
    expect(computeExposure(map, D).at(-1)?.ratio).toBeUndefined();
    expect(exposureChangeAlerts(daily([], { dailyLoads: map }))).toEqual([]);
    map.set(D - 27, 10);
    expect(exposureChangeAlerts(daily([], { dailyLoads: map }))).toHaveLength(1);
  });

  it('dailyAlerts returns both daily rules', () => {
    expect(dailyAlerts(daily([], { dailyLoads: loads([0, 0, 0]) })).map((alert) => alert.rule)).toEqual(['low_exposure', 'exposure_change']);
  });
});
