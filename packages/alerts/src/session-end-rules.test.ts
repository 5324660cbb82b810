import { describe, expect, it } from 'vitest';
import type { AthleteProfileInput, AthleteSet } from '@neurolift/stimulus';
import {
  DEFAULT_THRESHOLDS,
  athleteHistory,
  lowEffortAlerts,
  nsiBelowTargetAlerts,
  sessionEndAlerts,
  sessionLabel,
  sessionsOf,
  type SessionEndInput,
  type SessionView,
  type Thresholds,
} from './index.js';
import { HOUR, MIN, T0, athleteSet, fatigue } from './test-fixtures.js';

// 80 kg athlete, squat 1RM 140 kg: a set at 84 kg is 60 % (a working set), at 60 kg 43 % (a warm-up).
const PROFILE: AthleteProfileInput = { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 } };

function only(sets: readonly AthleteSet[]): SessionView {
  const sessions = sessionsOf(athleteHistory({ sets, profile: PROFILE }));
  expect(sessions).toHaveLength(1);
  return sessions[0] as SessionView;
}

function endInput(session: SessionView, thresholds: Thresholds = DEFAULT_THRESHOLDS): SessionEndInput {
  return { athleteId: 'ath-a', session, asOfMs: session.endTs + 2 * HOUR + 1, thresholds };
}

const set = (id: string, minutes: number, velocities: readonly number[], loadKg = 84) => athleteSet({ id, start: T0 + minutes * MIN, loadKg, velocities });

describe('low_effort', () => {
  // v = 0.4, 0.4 − d, 0.4 − 2d with MVT 0.30: RIR after rep 3 = (0.4 − 2d − 0.3)/d, so d = 0.1/(RIR + 2); VL ≈ 7 %.
  it.each([
    ['at 5 RIR', 5, false],
    ['just below', 4.9, false],
    ['just above', 5.1, true],
  ])('last-rep RIR %s (%s) → %s', (_, rir, fires) => {
    const session = only([set('s1', 0, fatigue(0.4, 3, 0.1 / (rir + 2)))]);
    expect(session.sets[0]?.model.rirLast).toBeCloseTo(rir, 9);
    expect(lowEffortAlerts(endInput(session))).toHaveLength(fires ? 1 : 0);
  });

  // Reference 1.0 m/s; last rep x: VL = 1 − x. RIR ≈ 12.
  it.each([
    ['at 10 %', 0.9, false],
    ['just below', 0.901, true],
    ['just above', 0.899, false],
  ])('set velocity loss %s (last rep %s) → %s', (_, last, fires) => {
    const alerts = lowEffortAlerts(endInput(only([set('s1', 0, [1.0, 0.95, last])])));
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) expect(alerts[0]).toMatchObject({ rule: 'low_effort', severity: 'info', unit: 'percent', threshold: 10 });
  });

  it('needs every working set to be easy; warm-ups do not count', () => {
    const easy = [1.0, 0.98, 0.96];
    const hard = fatigue(0.6, 6, 0.05);
    expect(lowEffortAlerts(endInput(only([set('w', 0, hard, 60), set('a', 3, easy), set('b', 6, easy)])))).toHaveLength(1);
    expect(lowEffortAlerts(endInput(only([set('a', 0, easy), set('b', 3, hard)])))).toEqual([]);
    // Only warm-ups: nothing to judge.
    expect(lowEffortAlerts(endInput(only([set('w', 0, easy, 60)])))).toEqual([]);
  });

  it('tells the coach what it saw', () => {
    const session = only([set('a', 0, [1.0, 0.98, 0.96]), set('b', 3, [1.0, 0.99, 0.97])]);
    const [alert] = lowEffortAlerts(endInput(session));
    expect(alert).toMatchObject({ scope: `session/${session.sessionId}`, sessionId: session.sessionId, ts: session.endTs, gymId: 'gym-01' });
    expect(alert?.value).toBeCloseTo(4, 9);
    expect(alert?.message).toMatch(
      /^Athlete ath-a: low effort for the neuro goal in the session of 2025-03-03 10:00 UTC: all 2 working sets stayed under 10 % velocity loss \(highest 4 %\) with more than 5 reps in reserve \(fewest \d+\.\d\)$/,
    );
  });
});

describe('nsi_below_target', () => {
  const session = only([set('a', 0, fatigue(0.6, 5, 0.03)), set('b', 3, fatigue(0.6, 5, 0.03))]);
  it.each([
    ['at the target', 0, false],
    ['just below (target above the NSI)', 0.01, true],
    ['just above (target below the NSI)', -0.01, false],
  ])('NSI %s → %s', (_, offset, fires) => {
    const thresholds = { ...DEFAULT_THRESHOLDS, nsiTarget: session.nsi + offset };
    expect(nsiBelowTargetAlerts(endInput(session, thresholds))).toHaveLength(fires ? 1 : 0);
  });

  it('flags an easy session and not a hard one with the default target 40', () => {
    const easy = only([0, 3, 6].map((minutes, index) => set(`e${index}`, minutes, [0.8, 0.79, 0.78])));
    const hard = only([0, 1.5, 3, 4.5].map((minutes, index) => set(`h${index}`, minutes, fatigue(0.72, 11, 0.038), 98)));
    expect(easy.nsi).toBeLessThan(40);
    expect(hard.nsi).toBeGreaterThan(80);
    const [alert] = nsiBelowTargetAlerts(endInput(easy));
    expect(alert).toMatchObject({ rule: 'nsi_below_target', unit: 'nsi', threshold: 40, value: easy.nsi });
    expect(alert?.message).toMatch(/^Athlete ath-a: the session of 2025-03-03 10:00 UTC ended with a neurotrophic stimulus index \(model\) of \d+, below the target 40$/);
    expect(nsiBelowTargetAlerts(endInput(hard))).toEqual([]);
  });
});

describe('session end', () => {
  const session = only([set('a', 0, [0.8, 0.79, 0.78])]);
  it.each([
    ['before the gap has passed', 2 * HOUR, 0],
    ['once it has', 2 * HOUR + 1, 2],
  ])('%s → %s alerts', (_, after, count) => {
    expect(sessionEndAlerts({ ...endInput(session), asOfMs: session.endTs + after })).toHaveLength(count);
  });

  it('labels a session by its start in UTC', () => {
    expect(sessionLabel(Date.UTC(2025, 0, 5, 7, 3, 59))).toBe('2025-01-05 07:03 UTC');
  });
});
