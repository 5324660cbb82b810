import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { computeSetModel, relativeIntensity, repsInReserve, type ModelRep, type SetModel, type SetModelInput } from './set-model.js';
import { velocityLosses } from '../velocity-loss.js';
import type { E1rmEstimate } from './e1rm.js';
import { DEFAULT_CONSTANTS } from './constants.js';

/*
 * Model spec "Per rep" 1–6 and "Per set":
 *   I = min(L/e1RM, 1.05); VL_i = 1 − v_i/max(v_1..v_min(3,i));
 *   RIR_i: i ≥ 3 and LS slope b of v over 1..i < −0.001 → max(0, (v_i − MVT)/(−b)), else max(0, 30·(1/max(I,0.3) − 1) + 1 − i);
 *   w_i = L·r_i/BM; ψ_i = exp(−RIR_i/3); n_i = M·w_i·I·ψ_i; N = Σ n_i; VL_set = VL_n; Δλ = 8·M·VL_set.
 */

const T0 = 1_793_030_400_000;
const PROFILE_125: E1rmEstimate = { e1rmKg: 125, source: 'profile' };

function reps(velocities: readonly number[], extra: Partial<ModelRep> = {}): ModelRep[] {
  return velocities.map((meanVelocity, k) => ({
    repIndex: k + 1,
    ts: T0 + k * 3000,
    loadKg: 100,
    meanVelocity,
    rom: 0.6,
    concentricMs: 900,
    eccentricMs: 1800,
    ...extra,
  }));
}

function model(input: Partial<SetModelInput> & { reps: readonly ModelRep[] }): SetModel {
  const result = computeSetModel({ exercise: 'back_squat', bodyMassKg: 80, e1rm: PROFILE_125, ...input });
  if (result === undefined) throw new Error('expected a set model');
  return result;
}

describe('computeSetModel: hand-computed back squat 4 reps at 100 kg, e1RM 125 kg, BM 80 kg, ROM 0.6 m', () => {
  // I = 0.8, w = 100·0.6/80 = 0.75, M = 1, MVT = 0.30.
  const set = model({ reps: reps([0.6, 0.58, 0.52, 0.45]) });
  const r = set.perRep;

  it('relative intensity and work', () => {
    for (const rep of r) {
      expect(rep.relIntensity).toBeCloseTo(0.8, 12);
      expect(rep.work).toBeCloseTo(0.75, 12);
    }
  });

  it('velocity loss against the fastest of the first three reps (0.60)', () => {
    expect(r.map((rep) => rep.velocityLoss)).toEqual([0, 1 - 0.58 / 0.6, 1 - 0.52 / 0.6, 1 - 0.45 / 0.6].map((x) => expect.closeTo(x, 12) as number));
  });

  it('RIR: inverse Epley for reps 1–2, velocity extrapolation to the MVT from rep 3', () => {
    // Rep 1: 30·(1/0.8 − 1) + 1 − 1 = 7.5; rep 2: 6.5.
    // Rep 3: slope over (1, .60), (2, .58), (3, .52): Sxy = −0.08, Sxx = 2 → b = −0.04 → (0.52 − 0.30)/0.04 = 5.5.
    // Rep 4: x̄ = 2.5, ȳ = 0.5375, Sxy = −0.255, Sxx = 5 → b = −0.051 → (0.45 − 0.30)/0.051 = 2.941…
    expect(r[0]?.rir).toBeCloseTo(7.5, 12);
    expect(r[1]?.rir).toBeCloseTo(6.5, 12);
    expect(r[2]?.rir).toBeCloseTo(5.5, 12);
    expect(r[3]?.rir).toBeCloseTo(0.15 / 0.051, 12);
    expect(set.rirLast).toBeCloseTo(0.15 / 0.051, 12);
  });

  it('effort ψ = exp(−RIR/3) and impulse n = M·w·I·ψ, N = Σ n', () => {
    const rirs = [7.5, 6.5, 5.5, 0.15 / 0.051];
    rirs.forEach((rir, k) => {
      expect(r[k]?.effort).toBeCloseTo(Math.exp(-rir / 3), 12);
      expect(r[k]?.impulse).toBeCloseTo(1 * 0.75 * 0.8 * Math.exp(-rir / 3), 12);
    });
    expect(set.impulse).toBeCloseTo(rirs.reduce((sum, rir) => sum + 0.6 * Math.exp(-rir / 3), 0), 12);
    // 0.6·(e^−2.5 + e^−2.1667 + e^−1.8333 + e^−0.98039) = 0.6·(0.082085 + 0.114559 + 0.159880 + 0.375180) = 0.43902
    expect(set.impulse).toBeCloseTo(0.43902, 4);
  });

  it('set terms: VL_set = VL_n, Δλ = 8·M·VL_set, set intensity, times, TUT, source', () => {
    expect(set.velocityLoss).toBeCloseTo(0.25, 12);
    expect(set.lactateIncrement).toBeCloseTo(2, 12);
    expect(set.relIntensity).toBeCloseTo(0.8, 12);
    expect(set).toMatchObject({
      modelVersion: 'nsi-1.1',
      exercise: 'back_squat',
      e1rmKg: 125,
      e1rmSource: 'profile',
      firstTs: T0,
      lastTs: T0 + 9000,
      reps: 4,
      tutMs: 4 * 2700,
      volumeKg: 400,
      loadKg: 100,
      bestVelocity: 0.6,
      bodyMassKg: 80,
      defaultBodyMass: false,
    });
    expect(set.meanVelocity).toBeCloseTo(0.5375, 12);
  });
});

describe('computeSetModel: rules and edge cases', () => {
  it('falls back to inverse Epley when velocity does not fall (slope ≥ −0.001)', () => {
    const flat = model({ reps: reps([0.5, 0.5, 0.5, 0.4995, 0.4992]) }); // slope > −0.001 throughout
    flat.perRep.forEach((rep, k) => expect(rep.rir).toBeCloseTo(30 * (1 / 0.8 - 1) + 1 - (k + 1), 12));
    const rising = model({ reps: reps([0.4, 0.45, 0.5, 0.55]) });
    rising.perRep.forEach((rep, k) => expect(rep.rir).toBeCloseTo(7.5 - k, 12));
  });

  it('uses the velocity extrapolation only for b < −0.001 m/s per rep', () => {
    // Slopes −0.0009 and −0.0011 m/s per rep over reps 1..3.
    expect(repsInReserve([0.5, 0.4991, 0.4982], [0.8, 0.8, 0.8], 0.3)[2]).toBeCloseTo(30 * 0.25 + 1 - 3, 9);
    expect(repsInReserve([0.5, 0.4989, 0.4978], [0.8, 0.8, 0.8], 0.3)[2]).toBeCloseTo((0.4978 - 0.3) / 0.0011, 6);
  });

  it('the slope threshold is strict: b equal to −threshold is not below it (exact binary values)', () => {
    const constants = { ...DEFAULT_CONSTANTS, rirSlopeThreshold: 0.25 };
    // Velocities 1.5, 1.25, 1.0: b = −0.25 exactly → inverse Epley (I = 0.8): 7.5 + 1 − 3 = 5.5.
    expect(repsInReserve([1.5, 1.25, 1.0], [0.8, 0.8, 0.8], 0.3, constants)[2]).toBe(5.5);
    // Velocities 1.5, 1.0, 0.5: b = −0.5 → (0.5 − 0.3)/0.5 = 0.4.
    expect(repsInReserve([1.5, 1.0, 0.5], [0.8, 0.8, 0.8], 0.3, constants)[2]).toBeCloseTo(0.4, 12);
  });

  it('caps intensity at 1.05 and never gives a negative RIR', () => {
    const heavy = model({ reps: reps([0.3, 0.29], { loadKg: 150 }), e1rm: { e1rmKg: 120, source: 'lvp' } });
    for (const rep of heavy.perRep) {
      expect(rep.relIntensity).toBe(1.05);
      expect(rep.rir).toBe(0); // 30·(1/1.05 − 1) + 1 − i < 0
    }
    expect(heavy.relIntensity).toBe(1.05);
  });

  it('load 0 gives I = 0, zero work and impulse; the RIR fallback uses I = 0.3', () => {
    const empty = model({ reps: reps([0.9, 0.9], { loadKg: 0 }), e1rm: { e1rmKg: 0, source: 'epley' } });
    expect(empty.impulse).toBe(0);
    expect(empty.relIntensity).toBe(0);
    expect(empty.perRep.map((rep) => rep.rir)).toEqual([expect.closeTo(70, 9) as number, expect.closeTo(69, 9) as number]);
    expect(relativeIntensity(0, 100)).toBe(0);
    expect(relativeIntensity(100, 0)).toBe(0);
  });

  it('uses the nominal ROM of the exercise when a rep has none', () => {
    const bench = model({ exercise: 'bench_press', reps: reps([0.6, 0.55], { rom: undefined, loadKg: 70 }), e1rm: { e1rmKg: 100, source: 'profile' } });
    expect(bench.perRep[0]?.work).toBeCloseTo((70 * 0.4) / 80, 12);
  });

  it('uses the default body mass of 75 kg, flagged, when the profile has none', () => {
    for (const bodyMassKg of [undefined, 0, -70, Number.NaN]) {
      const set = model({ reps: reps([0.6]), bodyMassKg });
      expect(set.bodyMassKg).toBe(75);
      expect(set.defaultBodyMass).toBe(true);
      expect(set.perRep[0]?.work).toBeCloseTo((100 * 0.6) / 75, 12);
    }
  });

  it('models an unknown exercise as `other` (M 0.4, MVT 0.30, ROM 0.40)', () => {
    const set = model({ exercise: 'zercher_squat_v2', reps: reps([0.6, 0.55, 0.5], { rom: undefined }) });
    expect(set.exercise).toBe('other');
    expect(set.perRep[0]?.work).toBeCloseTo((100 * 0.4) / 80, 12);
    expect(set.lactateIncrement).toBeCloseTo(8 * 0.4 * (1 - 0.5 / 0.6), 12);
    expect(set.perRep[2]?.rir).toBeCloseTo((0.5 - 0.3) / 0.05, 12);
  });

  it('a last rep faster than the reference reports a negative VL but adds no lactate', () => {
    const set = model({ reps: reps([0.5, 0.5, 0.5, 0.6]) });
    expect(set.velocityLoss).toBeCloseTo(-0.2, 12);
    expect(set.lactateIncrement).toBe(0);
  });

  it('returns undefined for a set without reps', () => {
    expect(computeSetModel({ reps: [], exercise: 'back_squat', e1rm: PROFILE_125 })).toBeUndefined();
  });

  it('orders reps by repIndex, and rep i is the i-th present rep (gaps in repIndex ignored)', () => {
    const gappy = model({ reps: [5, 2, 9].map((repIndex, k) => ({ repIndex, ts: T0 + repIndex * 1000, loadKg: 100, meanVelocity: [0.45, 0.6, 0.3][k] as number })) });
    expect(gappy.perRep.map((rep) => rep.repIndex)).toEqual([2, 5, 9]);
    // Positions 1..3: velocities 0.6, 0.45, 0.3 → slope −0.15 → RIR_3 = (0.3 − 0.3)/0.15 = 0.
    expect(gappy.perRep[2]?.rir).toBe(0);
    expect(gappy.velocityLoss).toBeCloseTo(0.5, 12);
  });
});

/* ---------- properties ---------- */

const repArb = (repIndex: number): fc.Arbitrary<ModelRep> =>
  fc.record(
    {
      repIndex: fc.constant(repIndex),
      ts: fc.integer({ min: T0, max: T0 + 600_000 }),
      loadKg: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })),
      meanVelocity: fc.double({ min: Number.MIN_VALUE, max: 5, noNaN: true }),
      rom: fc.double({ min: Number.MIN_VALUE, max: 3, noNaN: true }),
      concentricMs: fc.integer({ min: 1, max: 60_000 }),
      eccentricMs: fc.integer({ min: 0, max: 60_000 }),
    },
    { requiredKeys: ['repIndex', 'ts', 'loadKg', 'meanVelocity'] },
  );

const setArb: fc.Arbitrary<ModelRep[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 25 })
  .chain((indexes) => fc.tuple(...indexes.map(repArb)));

const e1rmArb: fc.Arbitrary<E1rmEstimate> = fc.record({
  e1rmKg: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e4, noNaN: true })),
  source: fc.constantFrom('lvp', 'profile', 'generic_curve', 'epley'),
});

const exerciseArb = fc.constantFrom('back_squat', 'bench_press', 'deadlift', 'pull_up', 'anything_else');

function shuffle<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items.map((item, k) => ({ item, key: keys[k % Math.max(1, keys.length)] ?? 0, k })).sort((a, b) => a.key - b.key || b.k - a.k).map((x) => x.item);
}

describe('computeSetModel: properties', () => {
  it('is finite everywhere for any input the protocol allows', () => {
    fc.assert(
      fc.property(setArb, e1rmArb, exerciseArb, fc.option(fc.double({ min: 20, max: 400, noNaN: true }), { nil: undefined }), (set, e1rm, exercise, bodyMassKg) => {
        const result = computeSetModel({ reps: set, e1rm, exercise, bodyMassKg });
        expect(result).toBeDefined();
        if (!result) return;
        for (const value of [result.impulse, result.velocityLoss, result.lactateIncrement, result.relIntensity, result.rirLast, result.tutMs]) {
          expect(Number.isFinite(value)).toBe(true);
        }
        expect(result.impulse).toBeGreaterThanOrEqual(0);
        expect(result.lactateIncrement).toBeGreaterThanOrEqual(0);
        for (const rep of result.perRep) {
          for (const value of [rep.relIntensity, rep.velocityLoss, rep.rir, rep.work, rep.effort, rep.impulse]) expect(Number.isFinite(value)).toBe(true);
          expect(rep.relIntensity).toBeGreaterThanOrEqual(0);
          expect(rep.relIntensity).toBeLessThanOrEqual(1.05);
          expect(rep.rir).toBeGreaterThanOrEqual(0);
          expect(rep.effort).toBeGreaterThanOrEqual(0);
          expect(rep.effort).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order the reps arrive in', () => {
    fc.assert(
      fc.property(setArb, e1rmArb, exerciseArb, fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), (set, e1rm, exercise, keys) => {
        const a = computeSetModel({ reps: set, e1rm, exercise, bodyMassKg: 80 });
        const b = computeSetModel({ reps: shuffle(set, keys), e1rm, exercise, bodyMassKg: 80 });
        expect(b).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('uses the existing velocityLosses for VL_i', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const result = computeSetModel({ reps: set, e1rm: PROFILE_125, exercise: 'back_squat' });
        const losses = velocityLosses(set);
        for (const rep of result?.perRep ?? []) expect(rep.velocityLoss).toBe(losses.get(rep.repIndex));
      }),
      { numRuns: 200 },
    );
  });

  it('adding a rep closer to failure (slower than the last) never lowers the set impulse (e1RM given)', () => {
    fc.assert(
      fc.property(setArb, e1rmArb, exerciseArb, fc.double({ min: 0, max: 1, noNaN: true }), (set, e1rm, exercise, fraction) => {
        const before = computeSetModel({ reps: set, e1rm, exercise, bodyMassKg: 80 });
        if (!before) return;
        const lastRep = [...set].sort((x, y) => x.repIndex - y.repIndex).at(-1) as ModelRep;
        fc.pre(lastRep.repIndex < 1000);
        const slower: ModelRep = { ...lastRep, repIndex: lastRep.repIndex + 1, ts: lastRep.ts + 3000, meanVelocity: Math.max(Number.MIN_VALUE, lastRep.meanVelocity * fraction) };
        const after = computeSetModel({ reps: [...set, slower], e1rm, exercise, bodyMassKg: 80 });
        expect(after?.impulse).toBeGreaterThanOrEqual(before.impulse);
        // The earlier reps' terms do not change: RIR_i looks at reps 1..i only.
        expect(after?.perRep.slice(0, -1)).toEqual(before.perRep);
      }),
      { numRuns: 300 },
    );
  });
});
