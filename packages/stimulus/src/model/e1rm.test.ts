import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { estimateE1rm, epleyE1rm, genericCurvePct, loadVelocityProfile, type E1rmInput, type LvpHistoryEntry } from './e1rm.js';
import { DEFAULT_CONSTANTS } from './constants.js';
import { DAY_MS } from './time.js';

/*
 * Model spec "e1RM used for a set": (1) load–velocity profile over the last 28 days, excluding the current set,
 * with ≥ 3 distinct loads and r² ≥ 0.8; (2) coach 1RM; (3) generic curve (bench, squat variants) on the first rep;
 * (4) Epley L·(1 + n/30).
 */

const SET_TS = 1_793_030_400_000;

/** An earlier set `daysAgo` days before the current set, on the line v = 1.4 − 0.01·L unless v is given. */
function entry(setId: string, daysAgo: number, loadKg: number, bestVelocity = 1.4 - 0.01 * loadKg): LvpHistoryEntry {
  return { setId, ts: SET_TS - daysAgo * DAY_MS, loadKg, bestVelocity };
}

/** Three loads on the exact line v = 1.4 − 0.01·L: squat MVT 0.30 is reached at L = 110 kg. */
const LINE = [entry('h1', 3, 60), entry('h2', 2, 80), entry('h3', 1, 100)];

function input(overrides: Partial<E1rmInput> = {}): E1rmInput {
  return {
    exercise: 'back_squat',
    setId: 'current',
    setTs: SET_TS,
    setLoadKg: 100,
    reps: 5,
    firstRepVelocity: 0.55,
    history: LINE,
    coachOneRepMaxKg: 140,
    ...overrides,
  };
}

/**
 * Loads 60/80/100 kg with velocities 1.4 − 0.01·L + e·(1, −2, 1). The perturbation is orthogonal to the loads and
 * to a constant, so the slope stays −0.01 and r² = Sxx·b² / (Sxx·b² + 6e²) = 0.08 / (0.08 + 6e²).
 */
function historyWithR2(r2: number): LvpHistoryEntry[] {
  const e = Math.sqrt((0.08 * (1 - r2)) / (6 * r2));
  return [entry('r1', 3, 60, 0.8 + e), entry('r2', 2, 80, 0.6 - 2 * e), entry('r3', 1, 100, 0.4 + e)];
}

describe('loadVelocityProfile', () => {
  it('fits v = a + b·L by least squares and extrapolates to the MVT', () => {
    const profile = loadVelocityProfile(LINE, { setTs: SET_TS, mvt: 0.3 });
    expect(profile.points).toBe(3);
    expect(profile.distinctLoads).toBe(3);
    expect(profile.slope).toBeCloseTo(-0.01, 12);
    expect(profile.intercept).toBeCloseTo(1.4, 12);
    expect(profile.r2).toBeCloseTo(1, 12);
    expect(profile.e1rmKg).toBeCloseTo(110, 9); // (0.30 − 1.4) / −0.01
    expect(profile.rejected).toBeUndefined();
  });

  it('computes r² as designed by the fixture (0.9 → 0.9)', () => {
    expect(loadVelocityProfile(historyWithR2(0.9), { setTs: SET_TS, mvt: 0.3 }).r2).toBeCloseTo(0.9, 12);
  });

  it('hand-computed fit of four noisy points', () => {
    // x = 50, 70, 90, 110; y = 0.95, 0.80, 0.58, 0.47. x̄ = 80, ȳ = 0.7; Sxx = 2000;
    // Sxy = (−30)(0.25) + (−10)(0.10) + (10)(−0.12) + (30)(−0.23) = −16.6; b = −0.0083; a = 0.7 + 0.664 = 1.364;
    // Syy = 0.0625 + 0.01 + 0.0144 + 0.0529 = 0.1398; r² = 16.6² / (2000 · 0.1398) = 0.985515…; e1RM = (0.3 − 1.364)/−0.0083.
    const history = [entry('a', 4, 50, 0.95), entry('b', 3, 70, 0.8), entry('c', 2, 90, 0.58), entry('d', 1, 110, 0.47)];
    const profile = loadVelocityProfile(history, { setTs: SET_TS, mvt: 0.3 });
    expect(profile.slope).toBeCloseTo(-0.0083, 12);
    expect(profile.intercept).toBeCloseTo(1.364, 12);
    expect(profile.r2).toBeCloseTo((16.6 * 16.6) / (2000 * 0.1398), 12);
    expect(profile.e1rmKg).toBeCloseTo(1.064 / 0.0083, 9);
  });

  it('reports why a profile is not usable', () => {
    const q = { setTs: SET_TS, mvt: 0.3 };
    expect(loadVelocityProfile([], q).rejected).toBe('too_few_loads');
    expect(loadVelocityProfile([entry('a', 1, 80), entry('b', 2, 80)], q).rejected).toBe('too_few_loads');
    expect(loadVelocityProfile(LINE.slice(0, 2), q).rejected).toBe('too_few_loads');
    expect(loadVelocityProfile(historyWithR2(0.5), q).rejected).toBe('low_r2');
    const rising = [entry('a', 3, 60, 0.4), entry('b', 2, 80, 0.6), entry('c', 1, 100, 0.8)];
    expect(loadVelocityProfile(rising, q).rejected).toBe('non_negative_slope');
    // A falling line that is already below the MVT at load 0 has no positive e1RM.
    const slow = [entry('a', 3, 60, 0.22), entry('b', 2, 80, 0.2), entry('c', 1, 100, 0.18)]; // v = 0.28 − 0.001·L
    expect(loadVelocityProfile(slow, q).rejected).toBe('no_positive_e1rm');
  });
});

describe('estimateE1rm: order of the fallbacks', () => {
  it('(1) uses the load–velocity profile when it holds ≥ 3 distinct loads with r² ≥ 0.8', () => {
    expect(estimateE1rm(input())).toEqual({ e1rmKg: expect.closeTo(110, 9) as number, source: 'lvp' });
  });

  it('(1) window: an entry exactly 28 days old counts; 28 days + 1 ms does not', () => {
    const exactly = [entry('h1', 28, 60), entry('h2', 2, 80), entry('h3', 1, 100)];
    expect(estimateE1rm(input({ history: exactly })).source).toBe('lvp');
    const older = [{ ...entry('h1', 28, 60), ts: SET_TS - 28 * DAY_MS - 1 }, entry('h2', 2, 80), entry('h3', 1, 100)];
    expect(estimateE1rm(input({ history: older }))).toEqual({ e1rmKg: 140, source: 'profile' });
  });

  it('(1) excludes the current set (by id, and anything not before the set)', () => {
    // Without the current set only two loads remain → not usable → profile.
    const withCurrent = [entry('h2', 2, 80), entry('h3', 1, 100), { setId: 'current', ts: SET_TS - 1000, loadKg: 120, bestVelocity: 0.2 }];
    expect(estimateE1rm(input({ history: withCurrent })).source).toBe('profile');
    const atSetTs = [entry('h2', 2, 80), entry('h3', 1, 100), { setId: 'later', ts: SET_TS, loadKg: 120, bestVelocity: 0.2 }];
    expect(estimateE1rm(input({ history: atSetTs })).source).toBe('profile');
    const future = [entry('h2', 2, 80), entry('h3', 1, 100), { setId: 'later', ts: SET_TS + DAY_MS, loadKg: 120, bestVelocity: 0.2 }];
    expect(estimateE1rm(input({ history: future })).source).toBe('profile');
  });

  it('(1) needs 3 distinct loads: many sets at 2 loads fall through to the coach 1RM', () => {
    const twoLoads = [entry('a', 5, 60), entry('b', 4, 60), entry('c', 3, 100), entry('d', 2, 100), entry('e', 1, 100)];
    expect(estimateE1rm(input({ history: twoLoads }))).toEqual({ e1rmKg: 140, source: 'profile' });
  });

  it('(1) r² boundary: 0.8001 uses the profile, 0.7999 does not', () => {
    expect(estimateE1rm(input({ history: historyWithR2(0.8001) })).source).toBe('lvp');
    expect(estimateE1rm(input({ history: historyWithR2(0.7999) }))).toEqual({ e1rmKg: 140, source: 'profile' });
    // r² ≥ 0.8 is inclusive: lowering the threshold to exactly the fit's r² keeps it usable.
    const r2 = loadVelocityProfile(historyWithR2(0.85), { setTs: SET_TS, mvt: 0.3 }).r2;
    const constants = { ...DEFAULT_CONSTANTS, lvpMinR2: r2 };
    expect(estimateE1rm(input({ history: historyWithR2(0.85), constants })).source).toBe('lvp');
  });

  it('(1) a non-negative slope is not usable and falls through', () => {
    const rising = [entry('a', 3, 60, 0.4), entry('b', 2, 80, 0.6), entry('c', 1, 100, 0.8)];
    expect(estimateE1rm(input({ history: rising })).source).toBe('profile');
    const flat = [entry('a', 3, 60, 0.5), entry('b', 2, 80, 0.5), entry('c', 1, 100, 0.5)];
    expect(estimateE1rm(input({ history: flat })).source).toBe('profile');
  });

  it('(2) uses the coach 1RM only when it is a finite number > 0', () => {
    expect(estimateE1rm(input({ history: [] }))).toEqual({ e1rmKg: 140, source: 'profile' });
    for (const coach of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, undefined]) {
      expect(estimateE1rm(input({ history: [], coachOneRepMaxKg: coach })).source).toBe('generic_curve');
    }
  });

  it('(3) back squat: %1RM = 100 − (v − 0.29)/0.0132 (Conceição 2016), e1RM = L/(%/100)', () => {
    const est = estimateE1rm(input({ history: [], coachOneRepMaxKg: undefined, firstRepVelocity: 0.69, setLoadKg: 98 }));
    const pct = 100 - (0.69 - 0.29) / 0.0132; // 69.697 %
    expect(est.source).toBe('generic_curve');
    expect(est.e1rmKg).toBeCloseTo(98 / (pct / 100), 9); // ≈ 140.6 kg
  });

  it('(3) front squat uses the squat curve too', () => {
    const est = estimateE1rm(input({ exercise: 'front_squat', history: [], coachOneRepMaxKg: undefined, firstRepVelocity: 0.42, setLoadKg: 90 }));
    expect(est.source).toBe('generic_curve');
    expect(est.e1rmKg).toBeCloseTo(90 / ((100 - (0.42 - 0.29) / 0.0132) / 100), 9);
  });

  it('(3) bench press: %1RM = 8.4326·v² − 73.501·v + 112.33 (González-Badillo & Sánchez-Medina 2010)', () => {
    const v = 0.62;
    const pct = 8.4326 * v * v - 73.501 * v + 112.33; // ≈ 69.0 %
    const est = estimateE1rm(input({ exercise: 'bench_press', history: [], coachOneRepMaxKg: undefined, firstRepVelocity: v, setLoadKg: 70 }));
    expect(est.source).toBe('generic_curve');
    expect(est.e1rmKg).toBeCloseTo(70 / (pct / 100), 9);
  });

  it('(3) clamps %1RM to [30, 100]', () => {
    // Bench at 2 m/s: the parabola gives −0.9 % → 30 %.
    expect(genericCurvePct('bench_press', 2)).toBe(30);
    expect(genericCurvePct('bench_press', 5)).toBe(30);
    // Squat first rep slower than the 1RM velocity: 114 % → 100 %.
    expect(genericCurvePct('back_squat', 0.1)).toBe(100);
    expect(genericCurvePct('back_squat', 3)).toBe(30);
    expect(genericCurvePct('deadlift', 0.5)).toBeUndefined();
    const est = estimateE1rm(input({ exercise: 'bench_press', history: [], coachOneRepMaxKg: undefined, firstRepVelocity: 2, setLoadKg: 30 }));
    expect(est).toEqual({ e1rmKg: 100, source: 'generic_curve' });
  });

  it('(4) Epley for exercises without a curve, and for unknown ids', () => {
    for (const exercise of ['deadlift', 'row', 'leg_press', 'zercher_squat_v2']) {
      const est = estimateE1rm(input({ exercise, history: [], coachOneRepMaxKg: undefined, setLoadKg: 120, reps: 6 }));
      expect(est).toEqual({ e1rmKg: 120 * (1 + 6 / 30), source: 'epley' });
    }
    expect(epleyE1rm(100, 10)).toBeCloseTo(133.333333, 5);
  });

  it('(4) a set at load 0 without profile or coach 1RM gets e1RM 0 by Epley (the curve needs a load)', () => {
    expect(estimateE1rm(input({ exercise: 'bench_press', history: [], coachOneRepMaxKg: undefined, setLoadKg: 0 }))).toEqual({
      e1rmKg: 0,
      source: 'epley',
    });
  });
});

/** The fallback rule written independently of the implementation (r² as a squared Pearson correlation). */
function oracleSource(inp: E1rmInput): string {
  const mvt = inp.exercise === 'bench_press' ? 0.17 : inp.exercise === 'deadlift' ? 0.15 : 0.3;
  const pts = inp.history.filter((h) => h.setId !== inp.setId && h.ts < inp.setTs && inp.setTs - h.ts <= 28 * DAY_MS);
  const loads = new Set(pts.map((h) => h.loadKg));
  if (loads.size >= 3) {
    const n = pts.length;
    const mx = pts.reduce((s, h) => s + h.loadKg, 0) / n;
    const my = pts.reduce((s, h) => s + h.bestVelocity, 0) / n;
    const cov = pts.reduce((s, h) => s + (h.loadKg - mx) * (h.bestVelocity - my), 0);
    const vx = pts.reduce((s, h) => s + (h.loadKg - mx) ** 2, 0);
    const vy = pts.reduce((s, h) => s + (h.bestVelocity - my) ** 2, 0);
    const r = vy > 0 ? cov / Math.sqrt(vx * vy) : 0;
    const b = cov / vx;
    const e1rm = (mvt - (my - b * mx)) / b;
    if (r * r >= 0.8 && b < 0 && e1rm > 0) return 'lvp';
  }
  if (inp.coachOneRepMaxKg !== undefined && inp.coachOneRepMaxKg > 0) return 'profile';
  if (['bench_press', 'back_squat', 'front_squat'].includes(inp.exercise) && inp.setLoadKg > 0) return 'generic_curve';
  return 'epley';
}

const historyArb = fc.array(
  fc.record({
    setId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'current'),
    ts: fc.integer({ min: SET_TS - 35 * DAY_MS, max: SET_TS + DAY_MS }),
    loadKg: fc.constantFrom(40, 60, 80, 100, 120),
    // Mostly on a falling line with noise, so usable and unusable profiles both occur.
    bestVelocity: fc.double({ min: 0.05, max: 1.6, noNaN: true }),
  }),
  { maxLength: 12 },
);

const inputArb: fc.Arbitrary<E1rmInput> = fc.record({
  exercise: fc.constantFrom('back_squat', 'front_squat', 'bench_press', 'deadlift', 'unknown_lift'),
  setId: fc.constant('current'),
  setTs: fc.constant(SET_TS),
  setLoadKg: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })),
  reps: fc.integer({ min: 1, max: 30 }),
  firstRepVelocity: fc.double({ min: 0.01, max: 5, noNaN: true }),
  history: fc.oneof(
    historyArb,
    // Near-linear histories: v = 1.5 − 0.01·L + small noise.
    historyArb.map((h) => h.map((x) => ({ ...x, bestVelocity: 1.5 - 0.01 * x.loadKg + (x.bestVelocity - 0.8) * 0.05 }))),
  ),
  coachOneRepMaxKg: fc.option(fc.double({ min: 1, max: 1000, noNaN: true }), { nil: undefined }),
});

describe('estimateE1rm: properties', () => {
  it('chooses the source exactly as the spec orders the fallbacks', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(inputArb, (inp) => {
        const source = estimateE1rm(inp).source;
        expect(source).toBe(oracleSource(inp));
        seen.set(source, (seen.get(source) ?? 0) + 1);
      }),
      { numRuns: 1000 },
    );
    // The generator reaches every branch. The rarest, generic_curve, comes about 1 run in 26: 500 runs
    // fell to 10 or fewer about once in 60 (a flake); 1000 runs put that below one in a million.
    for (const source of ['lvp', 'profile', 'generic_curve', 'epley']) expect(seen.get(source) ?? 0).toBeGreaterThan(10);
  });

  it('does not depend on the order of the history', () => {
    fc.assert(
      fc.property(inputArb, fc.infiniteStream(fc.nat()), (inp, keys) => {
        const shuffled = inp.history.map((h) => ({ h, k: keys.next().value as number })).sort((x, y) => x.k - y.k).map((x) => x.h);
        expect(estimateE1rm({ ...inp, history: shuffled })).toEqual(estimateE1rm(inp));
      }),
      { numRuns: 300 },
    );
  });

  it('returns a finite e1RM ≥ 0 for every protocol input', () => {
    fc.assert(
      fc.property(inputArb, (inp) => {
        const { e1rmKg } = estimateE1rm(inp);
        expect(Number.isFinite(e1rmKg)).toBe(true);
        expect(e1rmKg).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});
