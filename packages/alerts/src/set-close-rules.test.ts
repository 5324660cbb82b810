import { describe, expect, it } from 'vitest';
import type { AthleteProfileInput, AthleteSet } from '@neurolift/stimulus';
import {
  DEFAULT_THRESHOLDS,
  athleteHistory,
  e1rmRecordAlerts,
  highFatigueAtCloseAlerts,
  highFatigueInSetAlerts,
  readinessDropAlerts,
  setCloseAlerts,
  type SetCloseInput,
  type Thresholds,
} from './index.js';
import { DAY, MIN, T0, athleteSet, fatigue, repRecords } from './test-fixtures.js';

function closeInput(sets: readonly AthleteSet[], closed: AthleteSet, extra: Partial<SetCloseInput> = {}, profile: AthleteProfileInput = {}): SetCloseInput {
  return { athleteId: 'ath-a', setKey: closed.key, history: athleteHistory({ sets, profile }), profile, thresholds: DEFAULT_THRESHOLDS, ...extra };
}

describe('high_fatigue at set close', () => {
  it('gives exactly the in-set candidate for the same reps, so the publisher keeps one', () => {
    const velocities = [1.0, 0.95, 0.9, 0.8, 0.65, 0.55];
    const set = athleteSet({ id: 'b-1', start: T0, loadKg: 100, velocities, exercise: 'back_squat' });
    const atClose = highFatigueAtCloseAlerts(closeInput([set], set));
    const inSet = highFatigueInSetAlerts({
      reps: repRecords({ velocities, athleteId: 'ath-a', setId: 'b-1', exercise: 'back_squat', loadKg: 100 }),
      mvtMps: 0.3,
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(atClose).toHaveLength(1);
    expect(atClose).toEqual(inSet);
    expect(atClose[0]).toMatchObject({ severity: 'red', scope: 'set/st-1.b-1/red' });
  });

  it('returns nothing for a set that is not in the history', () => {
    const set = athleteSet({ id: 'b-1', start: T0, loadKg: 100, velocities: [1, 0.5] });
    expect(setCloseAlerts({ ...closeInput([set], set), setKey: 'st-1.nope' })).toEqual([]);
  });
});

// Back squat; every earlier set's fastest rep lies on v = 1.3 − 0.007·L (MVT 0.30 m/s), so the 28-day
// profile's e1RM is (0.3 − 1.3)/(−0.007) ≈ 142.86 kg with no scatter (typical error 0).
const line = (load: number): number => 1.3 - 0.007 * load;
const BASELINE = 1 / 0.007;
const earlierOnLine = [60, 80, 100].map((load, index) => athleteSet({ id: `e${index}`, start: T0 - (3 - index) * DAY, loadKg: load, velocities: fatigue(line(load), 3, 0.02) }));
/** Fastest-rep velocity of a 100 kg set whose e1RM along the profile's slope is `dropPct` below the baseline. */
const velocityForDrop = (dropPct: number, baseline = BASELINE): number => 0.3 + 0.007 * (baseline * (1 - dropPct / 100) - 100);

describe('readiness_drop with a load–velocity profile', () => {
  it.each([
    [4.9, undefined, 5],
    [5, undefined, 5],
    [5.1, 'amber', 5],
    [10, 'amber', 5],
    [10.1, 'red', 10],
  ])('drop %s %% → %s', (drop, severity, threshold) => {
    const today = athleteSet({ id: 't1', start: T0, loadKg: 100, velocities: fatigue(velocityForDrop(drop), 3, 0.02) });
    const alerts = readinessDropAlerts(closeInput([...earlierOnLine, today], today));
    expect(alerts.map((alert) => alert.severity)).toEqual(severity === undefined ? [] : [severity]);
    if (severity !== undefined) {
      expect(alerts[0]?.value).toBeCloseTo(drop, 9);
      expect(alerts[0]).toMatchObject({ rule: 'readiness_drop', threshold, unit: 'percent', setId: 't1', exercise: 'back_squat' });
      expect(alerts[0]?.scope).toBe(`session/${alerts[0]?.sessionId}/back_squat`);
    }
  });

  it('says what it compared', () => {
    const today = athleteSet({ id: 't1', start: T0, loadKg: 100, velocities: fatigue(velocityForDrop(12), 3, 0.02) });
    expect(readinessDropAlerts(closeInput([...earlierOnLine, today], today))[0]?.message).toBe(
      'Athlete ath-a: back_squat e1RM 125.7 kg in set t1 is 12.0 % below the 28-day baseline of 142.9 kg (load–velocity profile), above 10.0 %',
    );
  });

  it('raises the amber threshold to 2 × the profile typical error when that is larger than 5 %', () => {
    // Residuals ±0.03 m/s, orthogonal to load: same line, SEE = √(4·0.03²/2) m/s, TE = SEE/0.007 kg.
    const noise = [0.03, -0.03, -0.03, 0.03];
    const earlier = [60, 80, 100, 120].map((load, index) =>
      athleteSet({ id: `n${index}`, start: T0 - (4 - index) * DAY, loadKg: load, velocities: fatigue(line(load) + (noise[index] ?? 0), 3, 0.02) }),
    );
    const typicalErrorPct = (Math.sqrt((4 * 0.03 ** 2) / 2) / 0.007 / BASELINE) * 100;
    const amber = 2 * typicalErrorPct;
    expect(amber).toBeGreaterThan(5);
    const run = (drop: number) => {
      const today = athleteSet({ id: 't1', start: T0, loadKg: 100, velocities: fatigue(velocityForDrop(drop), 3, 0.02) });
      return readinessDropAlerts(closeInput([...earlier, today], today));
    };
    expect(run(amber - 0.1)).toEqual([]);
    expect(run(amber + 0.1)[0]).toMatchObject({ severity: 'amber' });
    expect(run(amber + 0.1)[0]?.threshold).toBeCloseTo(amber, 9);
    expect(run(10.1)[0]).toMatchObject({ severity: 'red', threshold: 10 });
  });

  it('judges only the first working set of the exercise in the session, after warm-ups', () => {
    const slow = fatigue(velocityForDrop(12), 3, 0.02);
    const warmUp = athleteSet({ id: 'w1', start: T0, loadKg: 40, velocities: fatigue(line(40), 3, 0.02) });
    const first = athleteSet({ id: 't1', start: T0 + 3 * MIN, loadKg: 100, velocities: slow });
    const second = athleteSet({ id: 't2', start: T0 + 6 * MIN, loadKg: 100, velocities: slow });
    const all = [...earlierOnLine, warmUp, first, second];
    expect(readinessDropAlerts(closeInput(all, warmUp))).toEqual([]);
    expect(readinessDropAlerts(closeInput(all, first))).toHaveLength(1);
    expect(readinessDropAlerts(closeInput(all, second))).toEqual([]);
  });
});

describe('readiness_drop without a profile (generic curve, one load)', () => {
  // Squat curve %1RM = 100 − (v₁ − 0.29)/0.0132: the first-rep velocity of a 100 kg set with e1RM E.
  const v1For = (e1rm: number): number => 0.29 + 0.0132 * (100 - (100 * 100) / e1rm);
  const earlier = (count: number) => Array.from({ length: count }, (_, index) => athleteSet({ id: `g${index}`, start: T0 - (index + 1) * DAY, loadKg: 100, velocities: fatigue(v1For(120), 3, 0.02) }));
  const today = (drop: number) => athleteSet({ id: 't1', start: T0, loadKg: 100, velocities: fatigue(v1For(120 * (1 - drop / 100)), 3, 0.02) });

  it.each([
    [5, undefined],
    [5.1, 'amber'],
    [10, 'amber'],
    [10.1, 'red'],
  ])('drop %s %% against 3 earlier sessions → %s', (drop, severity) => {
    const set = today(drop);
    const alerts = readinessDropAlerts(closeInput([...earlier(3), set], set));
    expect(alerts.map((alert) => alert.severity)).toEqual(severity === undefined ? [] : [severity]);
    if (severity !== undefined) expect(alerts[0]?.message).toMatch(/below the 28-day baseline of 120\.0 kg \(generic velocity curve\)/);
  });

  it('needs readinessMinBaselineSessions earlier sessions', () => {
    const set = today(20);
    expect(readinessDropAlerts(closeInput([...earlier(2), set], set))).toEqual([]);
    const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, readinessMinBaselineSessions: 2 };
    expect(readinessDropAlerts(closeInput([...earlier(2), set], set, { thresholds }))).toHaveLength(1);
  });

  it('is not evaluated for an exercise with neither a profile nor a curve (Epley depends on the reps chosen)', () => {
    const sets = [...earlier(3), today(30)].map((set) => ({ ...set, exercise: 'deadlift' }));
    expect(readinessDropAlerts(closeInput(sets, sets[3] as AthleteSet))).toEqual([]);
  });
});

describe('e1rm_record', () => {
  // Generic squat curve at one load: e1RM rises with the first rep's velocity; 0.51 m/s at 100 kg ↔ 120 kg.
  const before = athleteSet({ id: 'r0', start: T0 - DAY, loadKg: 100, velocities: fatigue(0.51, 3, 0.02) });
  const run = (v1: number, extra: Partial<SetCloseInput> = {}, profile: AthleteProfileInput = {}) => {
    const set = athleteSet({ id: 'r1', start: T0, loadKg: 100, velocities: fatigue(v1, 3, 0.02) });
    return e1rmRecordAlerts(closeInput([before, set], set, extra, profile));
  };

  it.each([
    ['equal to the best', 0.51, false],
    ['just below', 0.509, false],
    ['just above', 0.511, true],
  ])('%s → %s', (_, v1, fires) => {
    const alerts = run(v1);
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) {
      expect(alerts[0]).toMatchObject({ rule: 'e1rm_record', severity: 'info', unit: 'kg', exercise: 'back_squat', setId: 'r1' });
      expect(alerts[0]?.threshold).toBeCloseTo(120, 9);
      expect(alerts[0]?.message).toBe('Athlete ath-a: new back_squat e1RM record, 120.1 kg in set r1 (model estimate, generic velocity curve), above the previous best 120.0 kg');
    }
  });

  it('applies the minimum gain', () => {
    const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, e1rmRecordMinGainPct: 5 };
    // 0.57 m/s ↔ ≈ 126.9 kg (> 120 × 1.05 = 126 kg); 0.56 m/s ↔ ≈ 125.7 kg (< 126 kg).
    expect(run(0.57, { thresholds })[0]?.threshold).toBeCloseTo(126, 9);
    expect(run(0.57, { thresholds })[0]?.message).toMatch(/above the previous best 120\.0 kg by more than 5\.0 %$/);
    expect(run(0.56, { thresholds })).toEqual([]);
  });

  it('needs an earlier estimate, and counts a best the caller kept from older sets', () => {
    const only = athleteSet({ id: 'r1', start: T0, loadKg: 100, velocities: fatigue(0.6, 3, 0.02) });
    expect(e1rmRecordAlerts(closeInput([only], only))).toEqual([]);
    expect(e1rmRecordAlerts(closeInput([only], only, { priorBestE1rmKg: { back_squat: 125 } }))).toHaveLength(1);
    expect(run(0.6, { priorBestE1rmKg: { back_squat: 200 } })).toEqual([]);
  });

  it('ignores a coach-entered 1RM: it is not an estimate', () => {
    expect(run(0.7, {}, { oneRepMaxKg: { back_squat: 140 } })).toEqual([]);
  });

  it('shares one scope per exercise and session, whichever set of it broke the record', () => {
    const a = athleteSet({ id: 'r1', start: T0, loadKg: 100, velocities: fatigue(0.55, 3, 0.02) });
    const b = athleteSet({ id: 'r2', start: T0 + 3 * MIN, loadKg: 100, velocities: fatigue(0.6, 3, 0.02) });
    const first = e1rmRecordAlerts(closeInput([before, a, b], a));
    const second = e1rmRecordAlerts(closeInput([before, a, b], b));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second[0]?.scope).toBe(first[0]?.scope);
  });
});
