import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_CONSTANTS, dailyLoads, foldSets, laterSetInSession, lvpEntry, type FoldedSet, type LvpHistoryEntry } from '@neurolift/stimulus';
import {
  ALERT_RULES,
  DEFAULT_THRESHOLDS,
  THRESHOLD_NAMES,
  THRESHOLD_SPECS,
  alertId,
  athleteHistory,
  dailyAlerts,
  highFatigueAtCloseAlerts,
  highFatigueInSetAlerts,
  inSetAlerts,
  mvtFor,
  nearFailureAlerts,
  partialRepAlerts,
  sessionEndAlerts,
  sessionsOf,
  readinessSetOf,
  setCloseAlerts,
  setCloseViewFromFold,
  type AlertCandidate,
  type Thresholds,
} from './index.js';
import { DAY, MIN, T0, athleteSet, repRecords } from './test-fixtures.js';

const thresholdsArb: fc.Arbitrary<Thresholds> = fc.record(
  Object.fromEntries(
    THRESHOLD_NAMES.map((name) => {
      const spec: { min: number; max: number; integer?: boolean; minExclusive?: boolean } = THRESHOLD_SPECS[name];
      return [name, spec.integer === true ? fc.integer({ min: spec.min, max: spec.max }) : fc.double({ min: spec.min, max: spec.max, noNaN: true, minExcluded: spec.minExclusive === true })];
    }),
  ) as Record<keyof Thresholds, fc.Arbitrary<number>>,
);

/** Protocol ranges: v in (0, 5] m/s, ROM in (0, 3] m, load 0–1000 kg. */
const velocity = fc.double({ min: 0.01, max: 5, noNaN: true });
const repsArb = fc.array(fc.record({ v: velocity, rom: fc.option(fc.double({ min: 0.01, max: 3, noNaN: true }), { nil: undefined }), partial: fc.boolean() }), { maxLength: 15 });
const loadArb = fc.integer({ min: 0, max: 1000 });

function recordsOf(reps: ReadonlyArray<{ v: number; rom: number | undefined; partial: boolean }>, loadKg: number) {
  return repRecords({
    velocities: reps.map((rep) => rep.v),
    roms: reps.map((rep) => rep.rom),
    partial: reps.flatMap((rep, index) => (rep.partial ? [index + 1] : [])),
    loadKg,
  });
}

function expectReadable(alerts: readonly AlertCandidate[]): void {
  for (const alert of alerts) {
    expect(alert.message).not.toMatch(/undefined|NaN|Infinity|n\/a|null|\[object/);
    expect(Number.isFinite(alert.value) && Number.isFinite(alert.threshold) && Number.isFinite(alert.ts)).toBe(true);
    expect(alertId(alert)).toMatch(/^[0-9a-f]{32}$/);
  }
}

describe('alert ids', () => {
  const part = fc.string({ minLength: 1, maxLength: 40 });
  const rule = fc.constantFrom(...ALERT_RULES);

  it('depend on athlete, rule and scope only, and are stable', () => {
    fc.assert(
      fc.property(part, rule, part, fc.double({ noNaN: true }), fc.string(), (athleteId, r, scope, value, message) => {
        const id = alertId({ athleteId, rule: r, scope });
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        expect(alertId({ athleteId, rule: r, scope })).toBe(id);
        const candidate: AlertCandidate = { rule: r, severity: 'info', gymId: 'g', athleteId, scope, value, threshold: 0, unit: 'none', message, ts: 0 };
        expect(alertId(candidate)).toBe(id);
      }),
    );
  });

  it('differ when any of the three differs, even when the parts could be re-split', () => {
    fc.assert(
      fc.property(fc.tuple(part, rule, part), fc.tuple(part, rule, part), ([a1, r1, s1], [a2, r2, s2]) => {
        fc.pre(a1 !== a2 || r1 !== r2 || s1 !== s2);
        expect(alertId({ athleteId: a1, rule: r1, scope: s1 })).not.toBe(alertId({ athleteId: a2, rule: r2, scope: s2 }));
      }),
    );
    expect(alertId({ athleteId: 'a.b', rule: 'near_failure', scope: 'c' })).not.toBe(alertId({ athleteId: 'a', rule: 'near_failure', scope: 'b.c' }));
  });
});

describe('in-set rules', () => {
  it('never fire on an empty set', () => {
    fc.assert(
      fc.property(thresholdsArb, fc.double({ min: 0.01, max: 2, noNaN: true }), fc.option(fc.double({ min: 0.01, max: 3, noNaN: true }), { nil: undefined }), (thresholds, mvtMps, medianRomM) => {
        expect(inSetAlerts({ reps: [], mvtMps, medianRomM, e1rmKg: 100, thresholds })).toEqual([]);
      }),
    );
  });

  it('give readable messages and finite values, whatever the order of the reps', () => {
    fc.assert(
      fc.property(repsArb, loadArb, thresholdsArb, fc.option(fc.double({ min: 1, max: 1000, noNaN: true }), { nil: undefined }), (reps, load, thresholds, e1rmKg) => {
        const records = recordsOf(reps, load);
        const input = { reps: records, mvtMps: mvtFor('bench_press'), e1rmKg, thresholds };
        const alerts = inSetAlerts(input);
        expectReadable(alerts);
        expect(inSetAlerts({ ...input, reps: [...records].reverse() })).toEqual(alerts);
      }),
    );
  });

  it('keep the candidate of an earlier rep as the set grows (same id, same content)', () => {
    fc.assert(
      fc.property(repsArb, loadArb, fc.nat(), (reps, load, cut) => {
        const records = recordsOf(reps, load);
        const prefix = records.slice(0, reps.length === 0 ? 0 : cut % (reps.length + 1));
        const base = { mvtMps: 0.3, medianRomM: 0.5, thresholds: DEFAULT_THRESHOLDS };
        for (const rule of [nearFailureAlerts, partialRepAlerts]) {
          const early = rule({ ...base, reps: prefix });
          if (early.length > 0) expect(rule({ ...base, reps: records })).toEqual(early);
        }
        const fatigueEarly = highFatigueInSetAlerts({ ...base, reps: prefix });
        const fatigueLate = highFatigueInSetAlerts({ ...base, reps: records });
        if (fatigueEarly[0]?.severity === 'red') expect(fatigueLate).toEqual(fatigueEarly);
        if (fatigueEarly.length > 0) expect(fatigueLate).toHaveLength(1);
      }),
    );
  });
});

describe('set-close, session-end and daily rules over random histories', () => {
  const setArb = fc.record({
    offsetMin: fc.integer({ min: 0, max: 5 * 24 * 60 }),
    load: fc.integer({ min: 0, max: 300 }),
    velocities: fc.array(fc.double({ min: 0.05, max: 2, noNaN: true }), { minLength: 1, maxLength: 10 }),
    exercise: fc.constantFrom('back_squat', 'bench_press', 'deadlift', 'zercher'),
  });

  it('give readable messages, finite values, and at close the in-set high_fatigue candidate', () => {
    fc.assert(
      fc.property(fc.array(setArb, { minLength: 1, maxLength: 8 }), thresholdsArb, fc.boolean(), (specs, thresholds, withProfile) => {
        const sets = specs.map((spec, index) => athleteSet({ id: `s${index}`, start: T0 + spec.offsetMin * MIN, loadKg: spec.load, velocities: spec.velocities, exercise: spec.exercise }));
        const profile = withProfile ? { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 }, mvtMps: { bench_press: 0.15 } } : {};
        const history = athleteHistory({ sets, profile });
        for (const set of sets) {
          const input = { athleteId: 'ath-a', setKey: set.key, history, profile, thresholds };
          expectReadable(setCloseAlerts(input));
          const inSet = highFatigueInSetAlerts({
            reps: repRecords({ velocities: set.reps.map((rep) => rep.meanVelocity), athleteId: 'ath-a', setId: set.setId, exercise: set.exercise, loadKg: set.reps[0]?.loadKg ?? 0, start: set.reps[0]?.ts ?? 0 }),
            mvtMps: 0.3,
            thresholds,
          });
          expect(highFatigueAtCloseAlerts(input)).toEqual(inSet);
        }
        const sessions = sessionsOf(history);
        for (const session of sessions) expectReadable(sessionEndAlerts({ athleteId: 'ath-a', session, asOfMs: session.endTs + DAY, thresholds }));
        const asOfMs = T0 + 40 * DAY;
        expectReadable(dailyAlerts({ athleteId: 'ath-a', gymId: 'gym-01', asOfMs, sessions, dailyLoads: dailyLoads(sessions), thresholds }));
      }),
      { numRuns: 60 },
    );
  });

  it('judge a set from the worker\'s folded record as they judge it from the whole history', () => {
    let readiness = 0;
    fc.assert(
      fc.property(fc.array(setArb, { minLength: 1, maxLength: 10 }), thresholdsArb, fc.boolean(), (specs, thresholds, withProfile) => {
        const unordered = specs.map((spec, index) => athleteSet({ id: `s${index}`, start: T0 + spec.offsetMin * MIN, loadKg: spec.load, velocities: spec.velocities, exercise: spec.exercise }));
        const sets = [...unordered].sort((a, b) => Math.max(...a.reps.map((r) => r.ts)) - Math.max(...b.reps.map((r) => r.ts)) || (a.key < b.key ? -1 : 1));
        const profile = withProfile ? { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 } } : {};
        const history = athleteHistory({ sets, profile });
        const lvp = new Map<string, LvpHistoryEntry[]>();
        for (const set of sets) lvp.set(set.exercise, [...(lvp.get(set.exercise) ?? []), lvpEntry(set)]);
        const folded = foldSets({ start: {}, sets, history: lvp, profile }).folded as FoldedSet[];
        const earlierOf = (record: FoldedSet) =>
          folded
            .filter((other) => other.set.exercise === record.set.exercise && other.model.lastTs < record.checkpoint.sessionStartTs)
            .map((other) => ({ ...readinessSetOf(other), relIntensity: other.model.relIntensity, sessionIntensityBefore: other.sessionIntensityBefore }));
        for (const record of folded) {
          const fromHistory = setCloseAlerts({ athleteId: 'ath-a', setKey: record.set.key, history, profile, thresholds });
          const fromRecord = setCloseAlerts({ view: setCloseViewFromFold('ath-a', record, earlierOf(record)), profile, thresholds });
          expect(fromRecord).toEqual(fromHistory);
          if (fromHistory.some((alert) => alert.rule === 'readiness_drop')) readiness++;
        }
      }),
      { numRuns: 200 },
    );
    expect(readiness).toBeGreaterThan(0);
  });

  it('laterSetInSession (times only) is false for exactly one set of each modelled session, one ending last', () => {
    // Sets within a few hours of each other on two stations, on a 10-minute grid so that sets often end at
    // the same instant (ties): sessions join, split and overlap.
    const timedArb = fc.record({ slot: fc.integer({ min: 0, max: 48 }), reps: fc.integer({ min: 0, max: 4 }), station: fc.constantFrom('st-1', 'st-2') });
    fc.assert(
      fc.property(fc.array(timedArb, { minLength: 1, maxLength: 10 }), fc.integer({ min: 30, max: 180 }), (specs, gapMin) => {
        const constants = { ...DEFAULT_CONSTANTS, sessionGapMs: gapMin * MIN };
        const sets = specs.map((spec, index) =>
          athleteSet({ id: `s${index}`, station: spec.station, start: T0 + spec.slot * 10 * MIN, loadKg: 100, velocities: Array.from({ length: spec.reps }, () => 0.6) }),
        );
        const sessions = sessionsOf(athleteHistory({ sets, profile: {}, constants }));
        const judged = new Set(sets.filter((set) => !laterSetInSession(sets, set.key, constants.sessionGapMs)).map((set) => set.key));
        for (const session of sessions) {
          // The set whose check judges the session: exactly one, and none ends later.
          const judges = session.sets.filter(({ set }) => judged.has(set.key));
          expect(judges).toHaveLength(1);
          expect(Math.max(...judges[0]!.set.reps.map((rep) => rep.ts))).toBe(session.endTs);
        }
        // A set without reps is in no session: no shortcut, and the full check finds no session to judge.
        for (const set of sets.filter((s) => s.reps.length === 0)) {
          expect(judged.has(set.key)).toBe(true);
          expect(sessions.some(({ sets: entries }) => entries.some((entry) => entry.set.key === set.key))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
