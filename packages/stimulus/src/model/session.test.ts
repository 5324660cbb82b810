import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { computeSessions, nsiFromDose, type SessionSetInput } from './session.js';
import { DEFAULT_CONSTANTS } from './constants.js';

/*
 * Model spec "Per session": sessions split where a set's first rep comes more than 2 h after the previous set's
 * last rep; λ ← λ·exp(−Δt/19 min) + Δλ at each set end (Δt between last reps); B = Σ N; D = B/4 + λ_peak/5;
 * NSI = 100·D²/(1 + D²).
 */

const T0 = 1_793_030_400_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

function set(setId: string, firstTs: number, lastTs: number, impulse: number, lactateIncrement: number): SessionSetInput {
  return { setId, firstTs, lastTs, impulse, lactateIncrement };
}

describe('nsiFromDose', () => {
  it('is 100·D²/(1 + D²)', () => {
    expect(nsiFromDose(0)).toBe(0);
    expect(nsiFromDose(1)).toBeCloseTo(50, 12);
    expect(nsiFromDose(2)).toBeCloseTo(80, 12);
    expect(nsiFromDose(0.5)).toBeCloseTo(20, 12);
    expect(nsiFromDose(3)).toBeCloseTo(90, 12);
  });

  it('stays in [0, 100] at the extremes', () => {
    expect(nsiFromDose(-1)).toBe(0);
    expect(nsiFromDose(Number.NaN)).toBe(0);
    expect(nsiFromDose(1e200)).toBe(100);
    expect(nsiFromDose(Number.POSITIVE_INFINITY)).toBe(100);
    expect(nsiFromDose(1e-200)).toBe(0);
  });
});

describe('computeSessions: hand-computed', () => {
  // Set A ends at T0 + 30 s; set B's last rep is 3 min later; set C's 40 min after B's.
  const sets = [
    set('A', T0, T0 + 30_000, 1.0, 2.0),
    set('B', T0 + 2 * MIN, T0 + 30_000 + 3 * MIN, 0.5, 1.5),
    set('C', T0 + 42 * MIN, T0 + 30_000 + 43 * MIN, 0.2, 0.4),
  ];
  const [session] = computeSessions(sets);

  it('accumulates λ with first-order clearance and keeps its peak', () => {
    const p = session?.points ?? [];
    const lambdaB = 2 * Math.exp(-3 / 19) + 1.5; // 3.2071…
    const lambdaC = lambdaB * Math.exp(-40 / 19) + 0.4; // 0.7926…
    expect(p[0]?.lactate).toBeCloseTo(2, 12);
    expect(p[1]?.lactate).toBeCloseTo(lambdaB, 12);
    expect(p[2]?.lactate).toBeCloseTo(lambdaC, 12);
    expect(p.map((x) => x.lactatePeak)).toEqual([2, lambdaB, lambdaB].map((x) => expect.closeTo(x, 12) as number));
  });

  it('D = B/4 + λ_peak/5 and NSI = 100·D²/(1 + D²) after every set', () => {
    const p = session?.points ?? [];
    const lambdaB = 2 * Math.exp(-3 / 19) + 1.5;
    const expected = [
      { b: 1.0, peak: 2 },
      { b: 1.5, peak: lambdaB },
      { b: 1.7, peak: lambdaB },
    ];
    expected.forEach(({ b, peak }, k) => {
      const d = b / 4 + peak / 5;
      expect(p[k]?.impulseSum).toBeCloseTo(b, 12);
      expect(p[k]?.workDose).toBeCloseTo(b / 4, 12);
      expect(p[k]?.lactateDose).toBeCloseTo(peak / 5, 12);
      expect(p[k]?.dose).toBeCloseTo(d, 12);
      expect(p[k]?.nsi).toBeCloseTo((100 * d * d) / (1 + d * d), 12);
      expect(p[k]?.sets).toBe(k + 1);
    });
    // Set 3: λ_peak = 2·e^(−3/19) + 1.5 = 3.20790; D = 1.7/4 + 3.20790/5 = 1.06658 → NSI = 100·1.13760/2.13760 = 53.218.
    expect(session?.nsi).toBeCloseTo(53.218, 3);
  });

  it('names and times the session from its sets', () => {
    expect(session).toMatchObject({ modelVersion: 'nsi-1.1', sessionId: `s-${T0}-A`, startTs: T0, endTs: T0 + 30_000 + 43 * MIN });
    expect(session?.points.map((x) => [x.setId, x.ts])).toEqual([
      ['A', T0 + 30_000],
      ['B', T0 + 30_000 + 3 * MIN],
      ['C', T0 + 30_000 + 43 * MIN],
    ]);
  });
});

describe('computeSessions: splitting', () => {
  const a = set('A', T0, T0 + 20_000, 1, 1);

  it('keeps a set whose first rep is exactly 2 h after the previous set end in the session', () => {
    const b = set('B', a.lastTs + 2 * HOUR, a.lastTs + 2 * HOUR + 20_000, 1, 1);
    const sessions = computeSessions([a, b]);
    expect(sessions).toHaveLength(1);
    // The lactate proxy decays over the whole 2 h 20 s between the two last reps.
    expect(sessions[0]?.points[1]?.lactate).toBeCloseTo(Math.exp(-(120 + 20 / 60) / 19) + 1, 12);
  });

  it('starts a new session at 2 h + 1 ms, with λ back at 0', () => {
    const b = set('B', a.lastTs + 2 * HOUR + 1, a.lastTs + 2 * HOUR + 20_001, 1, 1);
    const sessions = computeSessions([b, a]);
    expect(sessions.map((s) => s.sessionId)).toEqual([`s-${T0}-A`, `s-${b.firstTs}-B`]);
    expect(sessions[1]?.points[0]).toMatchObject({ lactate: 1, lactatePeak: 1, impulseSum: 1, sets: 1 });
  });

  it('measures the gap from the previous set end to the next first rep, not between last reps', () => {
    // B's last rep is 2 h 10 min after A's, but its first rep only 1 h 50 min after: same session.
    const b = set('B', a.lastTs + 110 * MIN, a.lastTs + 130 * MIN, 1, 1);
    expect(computeSessions([a, b])).toHaveLength(1);
  });

  it('orders sets by last rep, then setId for ties', () => {
    const sessions = computeSessions([set('Z', T0, T0 + 5000, 1, 1), set('Y', T0 + 1000, T0 + 5000, 1, 1), set('X', T0 + 10_000, T0 + 20_000, 1, 1)]);
    expect(sessions[0]?.points.map((p) => p.setId)).toEqual(['Y', 'Z', 'X']);
    expect(sessions[0]?.sessionId).toBe(`s-${T0 + 1000}-Y`);
    expect(sessions[0]?.startTs).toBe(T0);
  });

  it('returns no session for no sets, and honours an overridden gap', () => {
    expect(computeSessions([])).toEqual([]);
    const b = set('B', a.lastTs + 31 * MIN, a.lastTs + 32 * MIN, 1, 1);
    const constants = { ...DEFAULT_CONSTANTS, sessionGapMs: 30 * MIN };
    expect(computeSessions([a, b], constants)).toHaveLength(2);
  });
});

/* ---------- properties ---------- */

/** Sets of one athlete: each starts 0–3 h after the previous one's end (so some runs split), lasting up to 2 min. */
const setsArb: fc.Arbitrary<SessionSetInput[]> = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 3 * HOUR }),
      duration: fc.integer({ min: 0, max: 2 * MIN }),
      impulse: fc.double({ min: 0, max: 5, noNaN: true }),
      lactateIncrement: fc.double({ min: 0, max: 8, noNaN: true }),
    }),
    { minLength: 1, maxLength: 15 },
  )
  .map((specs) => {
    let end = T0;
    return specs.map((s, k) => {
      const firstTs = end + s.gap;
      end = firstTs + s.duration;
      return set(`set-${String(k).padStart(2, '0')}`, firstTs, end, s.impulse, s.lactateIncrement);
    });
  });

describe('computeSessions: properties', () => {
  it('NSI ∈ [0, 100] and never falls within a session', () => {
    fc.assert(
      fc.property(setsArb, (sets) => {
        for (const session of computeSessions(sets)) {
          let previous = 0;
          for (const point of session.points) {
            expect(point.nsi).toBeGreaterThanOrEqual(0);
            expect(point.nsi).toBeLessThanOrEqual(100);
            expect(point.nsi).toBeGreaterThanOrEqual(previous);
            previous = point.nsi;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('NSI ∈ [0, 100] even for extreme or malformed set values', () => {
    const wild = fc.oneof(fc.double(), fc.constant(1e300), fc.constant(-1e300));
    fc.assert(
      fc.property(fc.array(fc.record({ impulse: wild, lactateIncrement: wild }), { minLength: 1, maxLength: 6 }), (values) => {
        const sets = values.map((v, k) => set(`s${k}`, T0 + k * MIN, T0 + k * MIN + 1000, v.impulse, v.lactateIncrement));
        for (const point of computeSessions(sets).flatMap((s) => s.points)) {
          expect(point.nsi).toBeGreaterThanOrEqual(0);
          expect(point.nsi).toBeLessThanOrEqual(100);
        }
      }),
    );
  });

  it("adding a set never lowers the session's NSI (appended or inserted, same session)", () => {
    fc.assert(
      fc.property(
        setsArb,
        fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), impulse: fc.double({ min: 0, max: 5, noNaN: true }), lactateIncrement: fc.double({ min: 0, max: 8, noNaN: true }) }),
        (sets, extra) => {
          const [first] = computeSessions(sets);
          if (!first) return;
          const members = sets.filter((s) => first.points.some((p) => p.setId === s.setId));
          // A new set somewhere between the session's first rep and 1 h after its end.
          const lastTs = Math.round(first.startTs + extra.at * (first.endTs + HOUR - first.startTs));
          const added = set('zz-new', lastTs - 1000, lastTs, extra.impulse, extra.lactateIncrement);
          const sessions = computeSessions([...members, added]);
          fc.pre(sessions.length === 1);
          // Inserting a set splits one decay interval in two; exp(−a)·exp(−b) vs exp(−(a+b)) may differ in the last bit.
          expect(sessions[0]?.nsi).toBeGreaterThanOrEqual(first.nsi - 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the sets', () => {
    fc.assert(
      fc.property(setsArb, fc.array(fc.nat(), { minLength: 15, maxLength: 15 }), (sets, keys) => {
        const shuffled = sets.map((s, k) => ({ s, key: keys[k] ?? 0 })).sort((x, y) => x.key - y.key).map((x) => x.s);
        expect(computeSessions(shuffled)).toEqual(computeSessions(sets));
      }),
      { numRuns: 300 },
    );
  });

  it('splits exactly where the gap exceeds 2 h', () => {
    fc.assert(
      fc.property(setsArb, (sets) => {
        const sessions = computeSessions(sets);
        expect(sessions.reduce((n, s) => n + s.points.length, 0)).toBe(sets.length);
        const byId = new Map(sets.map((s) => [s.setId, s]));
        sessions.forEach((session, k) => {
          const members = session.points.map((p) => byId.get(p.setId) as SessionSetInput);
          for (let i = 1; i < members.length; i++) {
            expect((members[i] as SessionSetInput).firstTs - (members[i - 1] as SessionSetInput).lastTs).toBeLessThanOrEqual(2 * HOUR);
          }
          const next = sessions[k + 1];
          if (next) expect((byId.get(next.points[0]?.setId ?? '') as SessionSetInput).firstTs - session.endTs).toBeGreaterThan(2 * HOUR);
        });
      }),
      { numRuns: 300 },
    );
  });
});
