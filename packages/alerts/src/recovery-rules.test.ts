import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AthleteProfileInput, HeartRateProfileInput } from '@neurolift/stimulus';
import {
  DEFAULT_THRESHOLDS,
  SET_START_HR_MIN_READINGS,
  athleteHistory,
  incompleteRecoveryAlerts,
  setCloseViewOf,
  setStartHeartRate,
  setStartWindow,
  type HeartRateReading,
  type IncompleteRecoveryInput,
  type SetCloseView,
  type Thresholds,
} from './index.js';
import { T0, athleteSet } from './test-fixtures.js';

const HR_PROFILE = { restingHr: 60, maxHr: 190 } as const;
/** 100 kg against a coach 1RM of 140 kg: relative intensity ≈ 0.71, a working set. */
const PROFILE: AthleteProfileInput & HeartRateProfileInput = { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 }, ...HR_PROFILE };
const SET = athleteSet({ id: 't1', start: T0, loadKg: 100, velocities: [0.7, 0.68, 0.65] });

function viewOf(profile: AthleteProfileInput = PROFILE): SetCloseView {
  const view = setCloseViewOf(athleteHistory({ sets: [SET], profile }), 'ath-a', SET.key);
  if (view === undefined) throw new Error('set not in its history');
  return view;
}
const VIEW = viewOf();
const FIRST_REP = VIEW.current.model.firstTs;

/** One reading a second from `fromTs` (whole seconds, as the heart-rate store gives them). */
function readings(fromTs: number, bpm: readonly number[]): HeartRateReading[] {
  return bpm.map((value, i) => ({ ts: fromTs + i * 1000, bpm: value }));
}
/** The 11 whole seconds of the start window, each at `bpm`. */
const steady = (bpm: number): HeartRateReading[] => readings(FIRST_REP - 10_000, Array<number>(11).fill(bpm));

function input(heartRate: readonly HeartRateReading[], extra: Partial<IncompleteRecoveryInput> = {}): IncompleteRecoveryInput {
  return { view: VIEW, heartRate, profile: PROFILE, thresholds: DEFAULT_THRESHOLDS, enabled: true, ...extra };
}

describe('the heart rate at a set start', () => {
  it('is read in [first rep − 10 s, first rep], both ends included', () => {
    expect(setStartWindow(FIRST_REP)).toEqual({ fromTs: FIRST_REP - 10_000, toTs: FIRST_REP });
    const edges = [
      { ts: FIRST_REP - 10_001, bpm: 200 },
      { ts: FIRST_REP - 10_000, bpm: 100 },
      { ts: FIRST_REP - 5_000, bpm: 110 },
      { ts: FIRST_REP, bpm: 120 },
      { ts: FIRST_REP + 1, bpm: 200 },
    ];
    expect(setStartHeartRate(edges, FIRST_REP)).toBe(110);
  });

  it('is the median, so one artifact does not decide', () => {
    expect(setStartHeartRate(readings(FIRST_REP - 10_000, [100, 101, 102, 101, 100, 250, 101, 100, 102, 101, 240]), FIRST_REP)).toBe(101);
  });

  it(`needs ${SET_START_HR_MIN_READINGS} readings`, () => {
    expect(setStartHeartRate([], FIRST_REP)).toBeUndefined();
    expect(setStartHeartRate(readings(FIRST_REP - 2000, [130, 140]), FIRST_REP)).toBeUndefined();
    expect(setStartHeartRate(readings(FIRST_REP - 2000, [130, 140, 150]), FIRST_REP)).toBe(140);
  });

  it('counts a second once (the higher of two straps), in any order', () => {
    const two = [...readings(FIRST_REP - 2000, [100, 100, 100]), ...readings(FIRST_REP - 2000, [150, 150, 150])].reverse();
    expect(setStartHeartRate(two, FIRST_REP)).toBe(150);
  });
});

describe('incomplete_recovery', () => {
  it('fires amber when a working set starts at or above 60 % of heart-rate reserve', () => {
    // (140 − 60)/(190 − 60) = 61.5 %.
    const [alert, ...rest] = incompleteRecoveryAlerts(input(steady(140)));
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      rule: 'incomplete_recovery',
      severity: 'amber',
      gymId: 'gym-01',
      stationId: 'st-1',
      athleteId: 'ath-a',
      setId: 't1',
      exercise: 'back_squat',
      sessionId: VIEW.sessionId,
      scope: 'set/st-1.t1',
      threshold: 60,
      unit: 'percent',
      ts: FIRST_REP,
    });
    expect(alert?.value).toBeCloseTo((80 / 130) * 100, 9);
    expect(alert?.message).toBe(
      'Athlete ath-a: set t1 (back_squat) started at 140 bpm, 62 % of heart-rate reserve (rest 60, max 190 bpm), at or above 60 %: recovery may be incomplete',
    );
  });

  it.each([
    [137, false],
    [138, true], // exactly 60 %: "at or above"
    [190, true],
    [230, true], // above HRmax: 100 %
  ])('start at %s bpm → fires: %s', (bpm, fires) => {
    expect(incompleteRecoveryAlerts(input(steady(bpm))).length).toBe(fires ? 1 : 0);
  });

  it('reads the threshold per gym', () => {
    const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, incompleteRecoveryHrReservePct: 70 };
    expect(incompleteRecoveryAlerts(input(steady(140), { thresholds }))).toEqual([]);
    expect(incompleteRecoveryAlerts(input(steady(152), { thresholds }))[0]).toMatchObject({ threshold: 70 });
  });

  it('ignores the heart rate during the set and long before it', () => {
    const during = readings(FIRST_REP + 1000, Array<number>(30).fill(180));
    const before = readings(FIRST_REP - 60_000, Array<number>(49).fill(180));
    const start = readings(FIRST_REP - 10_000, Array<number>(11).fill(110));
    expect(incompleteRecoveryAlerts(input([...before, ...start, ...during]))).toEqual([]);
  });

  it('raises nothing without heart rate at the start', () => {
    expect(incompleteRecoveryAlerts(input([]))).toEqual([]);
    expect(incompleteRecoveryAlerts(input(readings(FIRST_REP - 1000, [170, 170])))).toEqual([]);
  });

  it('raises nothing when disabled', () => {
    expect(incompleteRecoveryAlerts(input(steady(180), { enabled: false }))).toEqual([]);
  });

  it('judges working sets only', () => {
    const light = { ...VIEW, current: { ...VIEW.current, model: { ...VIEW.current.model, relIntensity: 0.49 } } };
    expect(incompleteRecoveryAlerts(input(steady(180), { view: light }))).toEqual([]);
    const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, workingSetMinIntensityPct: 40 };
    expect(incompleteRecoveryAlerts(input(steady(180), { view: light, thresholds }))).toHaveLength(1);
  });

  it("takes the model's defaults and age-predicted maximum where the profile has none, and says so", () => {
    const [defaults] = incompleteRecoveryAlerts(input(steady(140), { profile: {} }));
    expect(defaults?.message).toContain('(rest 60, max 190 bpm, default resting and maximum)');
    // Born 1985, session 2025: 208 − 0.7·40 = 180; (140 − 50)/(180 − 50) = 69.2 %.
    const [aged] = incompleteRecoveryAlerts(input(steady(140), { profile: { restingHr: 50, birthYear: 1985 } }));
    expect(aged?.value).toBeCloseTo((90 / 130) * 100, 9);
    expect(aged?.message).toContain('(rest 50, max 180 bpm)');
  });

  it('gives the same candidate however often and in whatever order the heart rate is passed (one alert per set)', () => {
    const stretch = steady(150);
    const once = incompleteRecoveryAlerts(input(stretch));
    expect(incompleteRecoveryAlerts(input([...stretch].reverse()))).toEqual(once);
    expect(incompleteRecoveryAlerts(input([...stretch, ...stretch]))).toEqual(once);
  });
});

describe('incomplete_recovery properties', () => {
  const bpm = fc.double({ min: 25, max: 250, noNaN: true });
  const reading = fc.record({ ts: fc.integer({ min: FIRST_REP - 120_000, max: FIRST_REP + 120_000 }), bpm });
  const thresholds = fc.record({
    incompleteRecoveryHrReservePct: fc.double({ min: 0.01, max: 100, noNaN: true }),
    workingSetMinIntensityPct: fc.double({ min: 0, max: 100, noNaN: true }),
  });
  const profile = fc.record(
    { restingHr: fc.integer({ min: 30, max: 120 }), maxHr: fc.integer({ min: 100, max: 240 }), birthYear: fc.integer({ min: 1900, max: 2025 }) },
    { requiredKeys: [] },
  );

  it('never fires when disabled', () => {
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 60 }), thresholds, profile, (heartRate, overrides, hr) => {
        expect(incompleteRecoveryAlerts(input(heartRate, { enabled: false, thresholds: { ...DEFAULT_THRESHOLDS, ...overrides }, profile: { ...PROFILE, ...hr } }))).toEqual([]);
      }),
    );
  });

  it('never fires without readings at the set start', () => {
    const outside = fc.oneof(
      fc.integer({ min: FIRST_REP - 600_000, max: FIRST_REP - 10_001 }),
      fc.integer({ min: FIRST_REP + 1, max: FIRST_REP + 600_000 }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ ts: outside, bpm }), { maxLength: 60 }), thresholds, profile, (heartRate, overrides, hr) => {
        expect(incompleteRecoveryAlerts(input(heartRate, { thresholds: { ...DEFAULT_THRESHOLDS, ...overrides }, profile: { ...PROFILE, ...hr } }))).toEqual([]);
      }),
    );
  });

  it('fires exactly when the start heart rate is at or above the threshold, on a working set, with one scope per set', () => {
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 60 }), thresholds, (heartRate, overrides) => {
        const t = { ...DEFAULT_THRESHOLDS, ...overrides };
        const alerts = incompleteRecoveryAlerts(input(heartRate, { thresholds: t }));
        const start = setStartHeartRate(heartRate, FIRST_REP);
        const working = VIEW.current.model.relIntensity * 100 >= t.workingSetMinIntensityPct - 1e-9;
        const reserve = start === undefined ? undefined : Math.min(1, Math.max(0, (start - 60) / 130)) * 100;
        const expected = working && reserve !== undefined && reserve >= t.incompleteRecoveryHrReservePct - 1e-9;
        expect(alerts.length).toBe(expected ? 1 : 0);
        for (const alert of alerts) expect(alert).toMatchObject({ scope: 'set/st-1.t1', ts: FIRST_REP, severity: 'amber' });
      }),
    );
  });
});
