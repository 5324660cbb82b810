import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CONSTANT_SOURCES, DEFAULT_CONSTANTS, withOverrides, type ConstantOverrides } from './constants.js';
import { aerobicTerm, ageAtDate, heartRateProfile, hrReserveFraction, isCountedIntensity } from './heart-rate.js';
import { aerobicOfSamples, hrSamplesOfBlock, resistanceInterval } from './heart-rate-aerobic.js';
import { hrPeak } from './heart-rate-set.js';
import { estimateE1rm, type LvpHistoryEntry } from './e1rm.js';
import { computeSetModel, type ModelRep, type SetModel } from './set-model.js';
import { advanceSession, computeSessions, nsiFromDose, sessionDose, type SessionPoint, type SessionSetInput, type SessionState } from './session.js';
import { MINUTE_MS } from './time.js';

/* Model spec "v1.1: heart rate" (/work/shared/design/stimulus-model.md). */

const T0 = 1_793_030_400_000; // 2026-10-26T16:00:00Z
const HR = { restingHr: 60, maxHr: 190 };

describe('heart-rate constants', () => {
  it('hold the spec values', () => {
    expect(DEFAULT_CONSTANTS).toMatchObject({
      aerobicDoseHalf: 60,
      trimpFactor: 0.64,
      trimpExponent: 1.92,
      hrCountThreshold: 0.5,
      hrResistanceBeforeMs: 30_000,
      hrResistanceAfterMs: 180_000,
      hrPeakBeforeMs: 5_000,
      hrPeakAfterMs: 30_000,
      hrRecoveryFromMs: 55_000,
      hrRecoveryToMs: 65_000,
      defaultRestingHr: 60,
      defaultMaxHr: 190,
      tanakaInterceptBpm: 208,
      tanakaSlopeBpmPerYear: 0.7,
    });
  });

  it('mark the design choices as assumptions and Tanaka as evidence', () => {
    for (const key of [
      'aerobicDoseHalf', 'trimpFactor', 'trimpExponent', 'hrCountThreshold', 'hrResistanceBeforeMs', 'hrResistanceAfterMs',
      'hrPeakBeforeMs', 'hrPeakAfterMs', 'hrRecoveryFromMs', 'hrRecoveryToMs', 'defaultRestingHr', 'defaultMaxHr',
    ] as const) {
      expect(CONSTANT_SOURCES[key].status, key).toBe('assumption');
    }
    expect(CONSTANT_SOURCES.tanakaInterceptBpm).toMatchObject({ status: 'evidence', source: expect.stringContaining('Tanaka') as string });
    expect(CONSTANT_SOURCES.tanakaSlopeBpmPerYear.status).toBe('evidence');
    expect(CONSTANT_SOURCES.trimpFactor.source).toContain('Banister 1991');
    expect(CONSTANT_SOURCES.aerobicDoseHalf.source).toMatch(/Szuhany.*Dinoff.*Ferris.*Schmolesky/);
    expect(CONSTANT_SOURCES.hrCountThreshold.source).toContain('Karvonen 1957');
  });

  it('are overridable and validated', () => {
    const custom = withOverrides(DEFAULT_CONSTANTS, { aerobicDoseHalf: 45, defaultMaxHr: 185, hrCountThreshold: 0.6 });
    expect([custom.aerobicDoseHalf, custom.defaultMaxHr, custom.hrCountThreshold]).toEqual([45, 185, 0.6]);
    expect(DEFAULT_CONSTANTS.aerobicDoseHalf).toBe(60);
    const bad: [ConstantOverrides, RegExp][] = [
      [{ aerobicDoseHalf: 0 }, /aerobicDoseHalf must be a finite number > 0/],
      [{ hrCountThreshold: 1.1 }, /hrCountThreshold must be ≤ 1/],
      [{ hrRecoveryFromMs: 65_000 }, /hrRecoveryFromMs \(65000\) must be below hrRecoveryToMs/],
      [{ defaultRestingHr: 200 }, /defaultRestingHr \(200\) must be below defaultMaxHr/],
      [{ trimpExponent: Number.NaN }, /trimpExponent must be a finite number > 0/],
    ];
    for (const [overrides, message] of bad) expect(() => withOverrides(DEFAULT_CONSTANTS, overrides)).toThrow(message);
  });
});

describe('heartRateProfile', () => {
  const date = Date.UTC(2026, 2, 1); // 2026-03-01

  it('uses the profile values, no flags', () => {
    expect(heartRateProfile({ restingHr: 52, maxHr: 188, birthYear: 1980 }, date)).toEqual({ restingHr: 52, maxHr: 188, flags: [] });
  });

  it('HRmax from birthYear: 208 − 0.7·age, age = the session UTC year − birthYear', () => {
    const hr = heartRateProfile({ restingHr: 50, birthYear: 1990 }, date);
    expect(hr.maxHr).toBeCloseTo(208 - 0.7 * 36, 12);
    expect(hr.flags).toEqual([]);
    // Birthday unknown: the whole calendar year uses the same age (first and last ms of 2026).
    expect(heartRateProfile({ birthYear: 1990 }, Date.UTC(2026, 0, 1)).maxHr).toBe(heartRateProfile({ birthYear: 1990 }, Date.UTC(2027, 0, 1) - 1).maxHr);
    expect(heartRateProfile({ birthYear: 1990 }, Date.UTC(2027, 0, 1)).maxHr).toBeCloseTo(208 - 0.7 * 37, 12);
    expect(ageAtDate(1990, date)).toBe(36);
    expect(ageAtDate(2030, date)).toBe(0); // a birth year after the session: age 0, not negative
  });

  it('defaults: rest 60 (default_resting_hr), max 190 (default_max_hr)', () => {
    expect(heartRateProfile({}, date)).toEqual({ restingHr: 60, maxHr: 190, flags: ['default_resting_hr', 'default_max_hr'] });
    expect(heartRateProfile({ maxHr: 200 }, date)).toEqual({ restingHr: 60, maxHr: 200, flags: ['default_resting_hr'] });
    expect(heartRateProfile({ restingHr: 70 }, date)).toEqual({ restingHr: 70, maxHr: 190, flags: ['default_max_hr'] });
    const custom = withOverrides(DEFAULT_CONSTANTS, { defaultRestingHr: 65, defaultMaxHr: 185 });
    expect(heartRateProfile({}, date, custom)).toMatchObject({ restingHr: 65, maxHr: 185 });
  });

  it('maxHr wins over birthYear', () => {
    expect(heartRateProfile({ maxHr: 175, birthYear: 1950 }, date).maxHr).toBe(175);
  });
});

describe('hrReserveFraction', () => {
  it('is (bpm − rest)/(max − rest), clamped to [0, 1]', () => {
    expect(hrReserveFraction(150, HR)).toBeCloseTo(90 / 130, 15);
    expect(hrReserveFraction(60, HR)).toBe(0);
    expect(hrReserveFraction(40, HR)).toBe(0);
    expect(hrReserveFraction(190, HR)).toBe(1);
    expect(hrReserveFraction(230, HR)).toBe(1);
    expect(hrReserveFraction(125, HR)).toBe(0.5);
  });

  it('is 0 for a non-finite bpm and when max ≤ rest', () => {
    expect(hrReserveFraction(Number.NaN, HR)).toBe(0);
    expect(hrReserveFraction(150, { restingHr: 120, maxHr: 119.8 })).toBe(0);
    expect(hrReserveFraction(150, { restingHr: 100, maxHr: 100 })).toBe(0);
  });

  it('property: r ∈ [0, 1] for any bpm and profile', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.double(), fc.double(), (bpm, restingHr, maxHr) => {
        const r = hrReserveFraction(bpm, { restingHr, maxHr });
        return r >= 0 && r <= 1;
      }),
    );
  });

  it('property: non-decreasing in bpm', () => {
    fc.assert(
      fc.property(fc.double({ min: 25, max: 250, noNaN: true }), fc.double({ min: 25, max: 250, noNaN: true }), (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        return hrReserveFraction(lo, HR) <= hrReserveFraction(hi, HR);
      }),
    );
  });
});

describe('aerobicTerm', () => {
  it('is (1/60)·r·0.64·e^(1.92·r) from r = 0.5, else 0', () => {
    expect(aerobicTerm(0.49999)).toBe(0);
    expect(aerobicTerm(0)).toBe(0);
    expect(aerobicTerm(0.5)).toBeCloseTo((0.5 * 0.64 * Math.exp(0.96)) / 60, 15);
    expect(aerobicTerm(1)).toBeCloseTo((0.64 * Math.exp(1.92)) / 60, 15);
    expect(aerobicTerm(Number.NaN)).toBe(0);
    expect(isCountedIntensity(0.5)).toBe(true);
    expect(isCountedIntensity(0.4999)).toBe(false);
  });

  it('property: monotone (non-decreasing) in r and ≥ 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        return aerobicTerm(lo) >= 0 && aerobicTerm(lo) <= aerobicTerm(hi);
      }),
    );
  });
});

describe('session dose with the aerobic channel', () => {
  it('worked example: 30 min at a steady 150 bpm, HRrest 60, HRmax 190 → r 0.692, A 50.2, D 0.837, NSI ≈ 41.2', () => {
    const r = hrReserveFraction(150, HR);
    expect(r).toBeCloseTo(0.692, 3);
    const samples = hrSamplesOfBlock(T0, new Array<number>(30 * 60).fill(150));
    const aerobic = aerobicOfSamples(samples, [], HR);
    expect(aerobic.counted).toBe(1800);
    expect(aerobic.a).toBeCloseTo(50.2, 1);
    expect(aerobic.firstCountedTs).toBe(T0);
    expect(aerobic.lastCountedTs).toBe(T0 + 1799 * 1000);
    const dose = sessionDose({ impulseSum: 0, lactatePeak: 0, aerobicSum: aerobic.a });
    expect(dose.workDose).toBe(0);
    expect(dose.lactateDose).toBe(0);
    expect(dose.aerobicDose).toBe(aerobic.a / 60);
    expect(dose.dose).toBeCloseTo(0.837, 3);
    expect(dose.nsi).toBeCloseTo(41.2, 1);
  });

  it('D = B/B₅₀ + λ_peak/λ₅₀ + A/A₅₀', () => {
    const dose = sessionDose({ impulseSum: 2, lactatePeak: 3, aerobicSum: 30 });
    expect(dose).toMatchObject({ workDose: 0.5, lactateDose: 0.6, aerobicDose: 0.5 });
    expect(dose.dose).toBeCloseTo(1.6, 15);
    expect(dose.nsi).toBe(nsiFromDose(dose.dose));
    expect(sessionDose({ impulseSum: 0, lactatePeak: 0, aerobicSum: 30 }, withOverrides(DEFAULT_CONSTANTS, { aerobicDoseHalf: 30 })).dose).toBe(1);
  });

  it('property: A = 0 or absent gives the nsi-1 dose and NSI bit for bit', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1e3, noNaN: true }), (b, lambdaPeak) => {
        const nsi1Dose = b / 4 + lambdaPeak / 5;
        const withZero = sessionDose({ impulseSum: b, lactatePeak: lambdaPeak, aerobicSum: 0 });
        const absent = sessionDose({ impulseSum: b, lactatePeak: lambdaPeak });
        return (
          Object.is(withZero.dose, nsi1Dose) &&
          Object.is(absent.dose, nsi1Dose) &&
          Object.is(withZero.nsi, nsiFromDose(nsi1Dose)) &&
          Object.is(absent.nsi, withZero.nsi)
        );
      }),
    );
  });

  it('property: NSI rises with A; negative or non-finite A counts as 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), (b, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        return sessionDose({ impulseSum: b, lactatePeak: 1, aerobicSum: lo }).nsi <= sessionDose({ impulseSum: b, lactatePeak: 1, aerobicSum: hi }).nsi;
      }),
    );
    const base = sessionDose({ impulseSum: 1, lactatePeak: 1 });
    for (const aerobicSum of [-5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(sessionDose({ impulseSum: 1, lactatePeak: 1, aerobicSum }).dose).toBe(base.dose);
    }
  });

  it('advanceSession adds A/A₅₀ to dose and NSI only; default A = 0', () => {
    const set: SessionSetInput = { setId: 's', firstTs: T0, lastTs: T0 + 20_000, impulse: 1, lactateIncrement: 2 };
    const plain = advanceSession(undefined, set);
    const withA = advanceSession(undefined, set, DEFAULT_CONSTANTS, 30);
    expect(withA.dose).toBeCloseTo(plain.dose + 0.5, 15);
    expect(withA.nsi).toBeGreaterThan(plain.nsi);
    expect({ ...withA, dose: 0, nsi: 0 }).toEqual({ ...plain, dose: 0, nsi: 0 });
    expect(advanceSession(undefined, set, DEFAULT_CONSTANTS, 0)).toEqual(plain);
  });
});

/* The nsi-1 worked examples (worked-examples.test.ts builds the same fixture): with A = 0 their session values stay bit-identical. */

type Lift = 'back_squat' | 'bench_press';
interface Example {
  readonly exercise: Lift;
  readonly oneRmKg: number;
  readonly pct: number;
  readonly sets: number;
  readonly reps: number;
  readonly restMin: number;
  readonly vl: number;
  readonly nsi: number;
}
const EXAMPLES: readonly Example[] = [
  { exercise: 'back_squat', oneRmKg: 140, pct: 90, sets: 4, reps: 4, restMin: 3, vl: 0.2, nsi: 86 },
  { exercise: 'back_squat', oneRmKg: 140, pct: 70, sets: 4, reps: 11, restMin: 1, vl: 0.44, nsi: 90 },
  { exercise: 'back_squat', oneRmKg: 140, pct: 75, sets: 5, reps: 5, restMin: 2, vl: 0.155, nsi: 54 },
  { exercise: 'bench_press', oneRmKg: 100, pct: 70, sets: 4, reps: 10, restMin: 1.5, vl: 0.56, nsi: 79 },
  { exercise: 'back_squat', oneRmKg: 140, pct: 60, sets: 3, reps: 3, restMin: 3, vl: 0.0425, nsi: 3 },
];

function firstRepVelocity(exercise: Lift, pct: number): number {
  if (exercise === 'back_squat') return 0.29 + 0.0132 * (100 - pct);
  const [a, b, c] = [8.4326, -73.501, 112.33 - pct];
  return (-b - Math.sqrt(b * b - 4 * a * c)) / (2 * a);
}

function exampleSets(example: Example): (SetModel & { setId: string })[] {
  const loadKg = (example.oneRmKg * example.pct) / 100;
  const v1 = firstRepVelocity(example.exercise, example.pct);
  const history: LvpHistoryEntry[] = [];
  const sets: (SetModel & { setId: string })[] = [];
  let start = T0;
  for (let s = 0; s < example.sets; s++) {
    const setId = `set-${s + 1}`;
    const reps: ModelRep[] = Array.from({ length: example.reps }, (_, k) => ({
      repIndex: k + 1,
      ts: start + k * 4000,
      loadKg,
      meanVelocity: v1 * (1 - example.vl * Math.pow(k / (example.reps - 1), 1.3)),
      concentricMs: 1000,
      eccentricMs: 2000,
    }));
    const e1rm = estimateE1rm({
      exercise: example.exercise, setId, setTs: start, setLoadKg: loadKg, reps: reps.length, firstRepVelocity: v1, history, coachOneRepMaxKg: example.oneRmKg,
    });
    const set = computeSetModel({ reps, exercise: example.exercise, bodyMassKg: 80, e1rm });
    if (set === undefined) throw new Error('a set with reps has a model');
    sets.push({ ...set, setId });
    history.push({ setId, ts: set.lastTs, loadKg, bestVelocity: set.bestVelocity });
    start = set.lastTs + example.restMin * MINUTE_MS;
  }
  return sets;
}

/** The nsi-1 session fold as it was before the aerobic channel: D = B/B₅₀ + λ_peak/λ₅₀. */
function nsi1Points(sets: readonly SessionSetInput[]): { dose: number; nsi: number; workDose: number; lactateDose: number }[] {
  let lactate = 0;
  let lactatePeak = 0;
  let impulseSum = 0;
  let lastTs: number | undefined;
  return sets.map((set) => {
    if (lastTs !== undefined) lactate *= Math.exp(-((set.lastTs - lastTs) / MINUTE_MS) / 19);
    lactate += set.lactateIncrement;
    lactatePeak = Math.max(lactatePeak, lactate);
    impulseSum += set.impulse;
    lastTs = set.lastTs;
    const workDose = impulseSum / 4;
    const lactateDose = lactatePeak / 5;
    const dose = workDose + lactateDose;
    return { dose, nsi: 100 / (1 + Math.pow(dose, -2)), workDose, lactateDose };
  });
}

describe('the nsi-1 worked examples with no counted heart rate (A = 0)', () => {
  for (const example of EXAMPLES) {
    const name = `${example.exercise} ${example.sets}×${example.reps} @ ${example.pct} %`;
    it(`${name}: dose and NSI bit-identical to nsi-1, NSI ≈ ${example.nsi}`, () => {
      const sets = exampleSets(example);
      const expected = nsi1Points(sets);
      const [session] = computeSessions(sets);
      expect(session?.points).toHaveLength(example.sets);
      let state: SessionState | undefined;
      session?.points.forEach((point: SessionPoint, k) => {
        const reference = expected[k];
        expect(Object.is(point.dose, reference?.dose)).toBe(true);
        expect(Object.is(point.nsi, reference?.nsi)).toBe(true);
        expect(Object.is(point.workDose, reference?.workDose) && Object.is(point.lactateDose, reference?.lactateDose)).toBe(true);
        const withZero = advanceSession(state, sets[k] as SessionSetInput, DEFAULT_CONSTANTS, 0);
        expect(withZero).toEqual(point);
        expect(Object.is(withZero.dose, point.dose) && Object.is(withZero.nsi, point.nsi)).toBe(true);
        state = { ...point, lastTs: point.ts };
      });
      expect(Math.abs((session?.nsi ?? 0) / example.nsi - 1)).toBeLessThanOrEqual(0.03);
    });
  }

  it('4×4 squat with a strap on (150–175 bpm throughout): no sample counts, NSI unchanged, every set has hr_peak', () => {
    const example = EXAMPLES[0] as Example;
    const sets = exampleSets(example);
    const start = T0 - 30_000; // the first interval starts 30 s before the first rep
    const end = (sets.at(-1) as SetModel).lastTs + 3 * MINUTE_MS;
    const bpm = Array.from({ length: (end - start) / 1000 }, (_, k) => 150 + 25 * Math.abs(Math.sin(k / 40)));
    const samples = hrSamplesOfBlock(start, bpm);
    const intervals = sets.map((set) => resistanceInterval(set.firstTs, set.lastTs));
    const aerobic = aerobicOfSamples(samples, intervals, HR);
    expect(aerobic.counted).toBe(0);
    expect(aerobic.a).toBe(0);
    const [session] = computeSessions(sets);
    const strapOn = sessionDose({ impulseSum: session?.points.at(-1)?.impulseSum ?? 0, lactatePeak: session?.points.at(-1)?.lactatePeak ?? 0, aerobicSum: aerobic.a });
    expect(Object.is(strapOn.nsi, session?.nsi)).toBe(true);
    expect(session?.nsi).toBeGreaterThan(83);
    for (const set of sets) expect(hrPeak(samples, set.firstTs, set.lastTs)).toBeGreaterThanOrEqual(150);
  });
});
