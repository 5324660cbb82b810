import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_THRESHOLDS, alertId, highFatigueInSetAlerts, inSetAlerts, isLateRep, isLiveSet, nearFailureAlerts, partialRepAlerts, type InSetInput } from './index.js';
import { T0, REP_GAP_MS, repRecords, type RepSpec } from './test-fixtures.js';

function input(spec: RepSpec, extra: Partial<InSetInput> = {}): InSetInput {
  return { reps: repRecords(spec), mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS, ...extra };
}

describe('near_failure', () => {
  // One rep, no e1RM: the RIR fallback is large, so only v ≤ MVT + 0.05 can fire.
  it.each([
    ['at MVT + 0.05', 0.3, 0.35, true],
    ['just below', 0.3, 0.349, true],
    ['just above', 0.3, 0.351, false],
    ['at 0.17 + 0.05 (bench)', 0.17, 0.22, true],
    ['just above (bench)', 0.17, 0.221, false],
  ])('velocity %s: MVT %s, v %s → %s', (_, mvt, velocity, fires) => {
    const alerts = nearFailureAlerts(input({ velocities: [velocity] }, { mvtMps: mvt }));
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) expect(alerts[0]).toMatchObject({ rule: 'near_failure', severity: 'amber', unit: 'm/s', value: velocity, ts: T0 });
  });

  // v = v0, v0 − 0.1, v0 − 0.2: slope −0.1 m/s per rep, so the model's RIR after rep 3 is (v0 − 0.2 − 0.3)/0.1.
  it.each([
    ['at 1', 0.6, true],
    ['just below', 0.599, true],
    ['just above', 0.601, false],
  ])('RIR %s (v0 %s) → %s', (_, v0, fires) => {
    const alerts = nearFailureAlerts(input({ velocities: [v0, v0 - 0.1, v0 - 0.2] }));
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) {
      expect(alerts[0]).toMatchObject({ unit: 'reps', threshold: 1, ts: T0 + 2 * REP_GAP_MS });
      expect(alerts[0]?.value).toBeCloseTo((v0 - 0.5) / 0.1, 9);
      expect(alerts[0]?.message).toMatch(/^Athlete ath-b: rep 3 of set b-bp-1 \(bench_press\) near failure: about (1\.0|0\.99) reps in reserve \(model estimate\), at most 1\.00?$/);
    }
  });

  it('uses the e1RM for the inverse-Epley RIR of the first reps: load at e1RM → RIR 0', () => {
    const spec = { velocities: [0.5], loadKg: 100 };
    expect(nearFailureAlerts(input(spec))).toEqual([]);
    expect(nearFailureAlerts(input(spec, { e1rmKg: 100 }))[0]).toMatchObject({ unit: 'reps', value: 0 });
    // I = 0.96: RIR = 30·(1/0.96 − 1) = 1.25 > 1.
    expect(nearFailureAlerts(input(spec, { e1rmKg: 100 / 0.96 }))).toEqual([]);
  });

  it('reports the first rep that met the condition, with the velocity reading when both hold', () => {
    const alerts = nearFailureAlerts(input({ velocities: [0.6, 0.5, 0.34, 0.33] }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toBe('Athlete ath-b: rep 3 of set b-bp-1 (bench_press) near failure: 0.34 m/s, at or below 0.35 m/s (MVT 0.30 + 0.05)');
    expect(alerts[0]?.scope).toBe('set/st-1.b-bp-1');
  });
});

describe('partial_rep', () => {
  // Athlete median 0.60 m, threshold 85 % → 0.51 m.
  it.each([
    ['at 85 %', 0.51, false],
    ['just below', 0.5099, true],
    ['just above', 0.5101, false],
  ])('ROM %s of the athlete median (%s m) → %s', (_, rom, fires) => {
    const alerts = partialRepAlerts(input({ velocities: [0.6, 0.58], roms: [0.6, rom] }, { medianRomM: 0.6 }));
    expect(alerts).toHaveLength(fires ? 1 : 0);
    if (fires) {
      expect(alerts[0]).toMatchObject({ rule: 'partial_rep', severity: 'info', unit: 'percent', threshold: 85, ts: T0 + REP_GAP_MS });
      expect(alerts[0]?.value).toBeCloseTo((rom / 0.6) * 100, 9);
      expect(alerts[0]?.message).toBe(
        "Athlete ath-b: partial rep 2 in set b-bp-1 (bench_press), ROM 0.51 m = 84.98 % of the athlete's median for bench_press (0.60 m), below 85.00 %",
      );
    }
  });

  it('uses the set median so far when the athlete median is unknown', () => {
    // Reps 1–2: median 0.6; rep 3: median of 0.6, 0.6, 0.4 = 0.6 → 67 %.
    const alerts = partialRepAlerts(input({ velocities: [0.6, 0.6, 0.6], roms: [0.6, 0.6, 0.4] }));
    expect(alerts[0]).toMatchObject({ value: (0.4 / 0.6) * 100 });
    expect(alerts[0]?.message).toBe('Athlete ath-b: partial rep 3 in set b-bp-1 (bench_press), ROM 0.40 m = 67 % of the set median so far (0.60 m), below 85 %');
    // Two reps: the median includes the rep itself, as rep segmentation does: 0.4 / 0.5 = 80 %.
    expect(partialRepAlerts(input({ velocities: [0.6, 0.6], roms: [0.6, 0.4] }))[0]?.value).toBeCloseTo(80, 9);
  });

  it('honours the segmentation flag even when the ROM is not below the threshold', () => {
    const alerts = partialRepAlerts(input({ velocities: [0.6, 0.6], roms: [0.6, 0.58], partial: [2] }, { medianRomM: 0.6 }));
    expect(alerts[0]?.message).toMatch(/partial rep 2 .*, flagged partial by rep detection$/);
  });

  it('skips reps without a ROM and keeps reporting the first partial rep as the set grows', () => {
    expect(partialRepAlerts(input({ velocities: [0.6, 0.6], roms: [undefined, undefined], partial: [2] }))).toEqual([]);
    const early = partialRepAlerts(input({ velocities: [0.6, 0.6], roms: [0.6, 0.3] }, { medianRomM: 0.6 }));
    const later = partialRepAlerts(input({ velocities: [0.6, 0.6, 0.6, 0.6], roms: [0.6, 0.3, 0.2, 0.6] }, { medianRomM: 0.6 }));
    expect(later).toEqual(early);
  });
});

describe('high_fatigue during the set', () => {
  // Reference 1.00 m/s (fastest of the first three reps); the last rep's velocity gives the loss.
  it.each([
    ['at 30 %', 0.7, undefined],
    ['just below 30 %', 0.701, undefined],
    ['just above 30 %', 0.699, 'amber'],
    ['at 40 %', 0.6, 'amber'],
    ['just below 40 %', 0.601, 'amber'],
    ['just above 40 %', 0.599, 'red'],
  ])('%s (v %s) → %s', (_, last, severity) => {
    const alerts = highFatigueInSetAlerts(input({ velocities: [1.0, 0.95, 0.9, last] }));
    expect(alerts.map((alert) => alert.severity)).toEqual(severity === undefined ? [] : [severity]);
    if (severity !== undefined) expect(alerts[0]).toMatchObject({ rule: 'high_fatigue', scope: `set/st-1.b-bp-1/${severity}`, unit: 'percent', ts: T0 + 3 * REP_GAP_MS });
  });

  it('takes the reference from the fastest of the first three reps', () => {
    const [alert] = highFatigueInSetAlerts(input({ velocities: [0.9, 1.0, 0.95, 0.65] }));
    expect(alert?.value).toBeCloseTo(35, 9);
    expect(alert?.message).toBe('Athlete ath-b: velocity loss 35 % in set b-bp-1 (bench_press) at rep 4, above 30 %');
  });

  it('fires amber when crossed, then red with its own id; never a stale amber after a jump', () => {
    const velocities = [1.0, 0.9, 0.8, 0.67, 0.55, 0.7];
    const atRep = (n: number) => highFatigueInSetAlerts(input({ velocities: velocities.slice(0, n) }));
    expect(atRep(3)).toEqual([]);
    const amber = atRep(4);
    const red = atRep(5);
    expect(amber.map((alert) => alert.severity)).toEqual(['amber']);
    expect(red.map((alert) => alert.severity)).toEqual(['red']);
    expect(alertId(red[0] as (typeof red)[number])).not.toBe(alertId(amber[0] as (typeof amber)[number]));
    expect(atRep(6)).toEqual(red);
    expect(red[0]?.message).toBe('Athlete ath-b: velocity loss 45 % in set b-bp-1 (bench_press) at rep 5, above 40 %');
    // A set that jumps straight past 40 % only raises red.
    expect(highFatigueInSetAlerts(input({ velocities: [1.0, 0.9, 0.5] })).map((alert) => alert.severity)).toEqual(['red']);
  });

  it('shows a decimal when rounding would hide the crossing', () => {
    const [alert] = highFatigueInSetAlerts(input({ velocities: [1.0, 0.95, 0.597] }));
    expect(alert?.message).toBe('Athlete ath-b: velocity loss 40.3 % in set b-bp-1 (bench_press) at rep 3, above 40.0 %');
  });
});

describe('inSetAlerts', () => {
  it('returns nothing for an empty set', () => {
    expect(inSetAlerts(input({ velocities: [] }))).toEqual([]);
  });

  it('returns every rule that holds, with the set identity from the reps', () => {
    const spec = { velocities: [0.8, 0.7, 0.5, 0.33], roms: [0.4, 0.4, 0.4, 0.3], gymId: 'g2', stationId: 's9', athleteId: 'a7', setId: 'x1', exercise: 'back_squat' };
    const alerts = inSetAlerts(input(spec));
    expect(alerts.map((alert) => [alert.rule, alert.severity])).toEqual([
      ['near_failure', 'amber'],
      ['partial_rep', 'info'],
      ['high_fatigue', 'red'],
    ]);
    for (const alert of alerts) expect(alert).toMatchObject({ gymId: 'g2', stationId: 's9', athleteId: 'a7', setId: 'x1', exercise: 'back_squat' });
  });

  it('does not depend on the order reps are given in; a repeated repIndex counts once', () => {
    const reps = repRecords({ velocities: [0.8, 0.7, 0.5, 0.33], roms: [0.4, 0.4, 0.4, 0.3] });
    const forward = inSetAlerts({ reps, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS });
    expect(inSetAlerts({ reps: [...reps].reverse(), mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS })).toEqual(forward);
    expect(inSetAlerts({ reps: [...reps, ...reps], mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS })).toEqual(forward);
  });
});

describe('late reps raise no in-set alert (decision 0019)', () => {
  const MAX_AGE = 5 * 60_000;
  const spec = { velocities: [0.8, 0.7, 0.5, 0.33], roms: [0.4, 0.4, 0.4, 0.3], exercise: 'back_squat' };
  const reps = repRecords(spec);
  const lastTs = Math.max(...reps.map((rep) => rep.ts));

  it('a rep is late when it is more than the bound before the clock; a rep ahead of the clock is not', () => {
    expect(isLateRep(T0, { nowMs: T0 + MAX_AGE, maxAgeMs: MAX_AGE })).toBe(false);
    expect(isLateRep(T0, { nowMs: T0 + MAX_AGE + 1, maxAgeMs: MAX_AGE })).toBe(true);
    expect(isLateRep(T0 + 60_000, { nowMs: T0, maxAgeMs: MAX_AGE })).toBe(false);
    expect(isLateRep(T0, { nowMs: T0 + 1, maxAgeMs: 0 })).toBe(true);
  });

  it('a set uploaded 3 h late raises none; the same set live raises them all', () => {
    const live = inSetAlerts({ reps, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS, live: { nowMs: lastTs + 1000, maxAgeMs: MAX_AGE } });
    expect(live.map((alert) => alert.rule)).toEqual(['near_failure', 'partial_rep', 'high_fatigue']);
    expect(live).toEqual(inSetAlerts({ reps, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS }));
    expect(inSetAlerts({ reps, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS, live: { nowMs: lastTs + 3 * 3_600_000, maxAgeMs: MAX_AGE } })).toEqual([]);
  });

  it('drops a rule whose first qualifying rep is late, even when later reps are live', () => {
    // Red at rep 2 (T0 + 3 s, 43.75 % loss); reps 3 and 4 stay past it.
    const grinding = repRecords({ velocities: [0.8, 0.45, 0.44, 0.43], exercise: 'back_squat' });
    const [red] = highFatigueInSetAlerts({ reps: grinding, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS });
    expect(red).toMatchObject({ severity: 'red', ts: T0 + REP_GAP_MS });
    const bound = { nowMs: T0 + REP_GAP_MS + MAX_AGE + 1, maxAgeMs: MAX_AGE };
    expect(grinding.filter((rep) => !isLateRep(rep.ts, bound)).map((rep) => rep.repIndex)).toEqual([3, 4]);
    expect(inSetAlerts({ reps: grinding, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS, live: bound }).filter((alert) => alert.rule === 'high_fatigue')).toEqual([]);
  });

  it('a set is live on the console while its newest rep is not late', () => {
    expect(isLiveSet(reps, { nowMs: lastTs + MAX_AGE, maxAgeMs: MAX_AGE })).toBe(true);
    expect(isLiveSet(reps, { nowMs: lastTs + MAX_AGE + 1, maxAgeMs: MAX_AGE })).toBe(false);
    expect(isLiveSet([], { nowMs: T0, maxAgeMs: MAX_AGE })).toBe(false);
  });

  it('property: never an in-set alert about a late rep; reps within the bound give the rules unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 1.5, noNaN: true }), { maxLength: 12 }),
        fc.array(fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 7 * 86_400_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (velocities, roms, age, maxAgeMs) => {
          const records = repRecords({ velocities, roms, exercise: 'back_squat' });
          const bound = { nowMs: T0 + age, maxAgeMs };
          const alerts = inSetAlerts({ reps: records, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS, live: bound });
          for (const alert of alerts) expect(isLateRep(alert.ts, bound)).toBe(false);
          if (records.every((rep) => !isLateRep(rep.ts, bound))) expect(alerts).toEqual(inSetAlerts({ reps: records, mvtMps: 0.3, thresholds: DEFAULT_THRESHOLDS }));
          if (records.every((rep) => isLateRep(rep.ts, bound))) expect(alerts).toEqual([]);
        },
      ),
    );
  });
});
