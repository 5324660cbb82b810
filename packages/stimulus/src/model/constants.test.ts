import { describe, it, expect } from 'vitest';
import {
  CONSTANT_SOURCES,
  DEFAULT_CONSTANTS,
  EXERCISE_IDS,
  EXERCISE_SOURCES,
  MODEL_VERSION,
  exerciseParams,
  resolveExerciseId,
  validateConstants,
  withOverrides,
  type ConstantOverrides,
  type ModelConstants,
  type ScalarConstant,
} from './constants.js';

/* Expected values: the model spec (/work/shared/design/stimulus-model.md), "Computation", "Exercise catalogue". */

describe('constants table', () => {
  it('is model version nsi-1', () => {
    expect(MODEL_VERSION).toBe('nsi-1.1');
  });

  it('holds the spec values', () => {
    expect(DEFAULT_CONSTANTS).toMatchObject({
      gravity: 9.81,
      effortKappa: 3,
      lactatePerVelocityLoss: 8,
      lactateTauMin: 19,
      workDoseHalf: 4,
      lactateHalf: 5,
      hill: 2,
      acuteTauMin: 40,
      sessionGapMs: 7_200_000,
      dailyLoadCap: 150,
      defaultBodyMassKg: 75,
      acuteEwmaDays: 7,
      chronicEwmaDays: 28,
      lvpWindowDays: 28,
      lvpMinDistinctLoads: 3,
      lvpMinR2: 0.8,
      intensityCap: 1.05,
      acuteCurveMinutes: 180,
      acuteCurveStepMinutes: 1,
      rirFallbackReps: 30,
      rirFallbackMinIntensity: 0.3,
      rirSlopeThreshold: 0.001,
      epleyDivisor: 30,
      benchCurveA2: 8.4326,
      benchCurveA1: 73.501,
      benchCurveA0: 112.33,
      squatCurveV1rm: 0.29,
      squatCurveSlope: 0.0132,
    });
  });

  it('holds the spec exercise catalogue (MVT m/s, M, nominal ROM m)', () => {
    const table: Record<string, [number, number, number]> = {
      back_squat: [0.3, 1.0, 0.6],
      front_squat: [0.3, 0.9, 0.55],
      deadlift: [0.15, 1.0, 0.55],
      leg_press: [0.21, 0.9, 0.5],
      bench_press: [0.17, 0.6, 0.4],
      overhead_press: [0.19, 0.5, 0.5],
      row: [0.4, 0.5, 0.45],
      pull_up: [0.3, 0.55, 0.5],
      lat_pulldown: [0.3, 0.55, 0.5],
      other: [0.3, 0.4, 0.4],
    };
    expect(Object.keys(DEFAULT_CONSTANTS.exercises).sort()).toEqual(Object.keys(table).sort());
    for (const [id, [mvt, muscleMass, nominalRom]] of Object.entries(table)) {
      expect(exerciseParams(DEFAULT_CONSTANTS, id)).toEqual({ mvt, muscleMass, nominalRom });
    }
  });

  it('documents every scalar constant: value = default, a source, a status', () => {
    const keys = Object.keys(DEFAULT_CONSTANTS).filter((key) => key !== 'exercises').sort();
    expect(Object.keys(CONSTANT_SOURCES).sort()).toEqual(keys);
    for (const key of keys as ScalarConstant[]) {
      const row = CONSTANT_SOURCES[key];
      expect(row.value).toBe(DEFAULT_CONSTANTS[key]);
      expect(row.source.length).toBeGreaterThan(10);
      expect(row.unit.length).toBeGreaterThan(0);
      expect(['evidence', 'derived', 'assumption']).toContain(row.status);
    }
  });

  it('marks the constants the spec calls assumed as assumptions', () => {
    for (const key of ['effortKappa', 'lactatePerVelocityLoss', 'workDoseHalf', 'lactateHalf', 'hill', 'acuteTauMin', 'dailyLoadCap'] as const) {
      expect(CONSTANT_SOURCES[key].status).toBe('assumption');
    }
    expect(CONSTANT_SOURCES.lactateTauMin.status).toBe('derived');
    expect(CONSTANT_SOURCES.chronicEwmaDays.status).toBe('evidence');
    for (const id of EXERCISE_IDS) expect(EXERCISE_SOURCES[id].muscleMass.status).toBe('assumption');
    for (const id of ['deadlift', 'row', 'pull_up', 'lat_pulldown', 'overhead_press', 'other'] as const) {
      expect(EXERCISE_SOURCES[id].mvt.status).toBe('assumption');
    }
    for (const id of ['back_squat', 'bench_press', 'leg_press'] as const) expect(EXERCISE_SOURCES[id].mvt.status).toBe('evidence');
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(DEFAULT_CONSTANTS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONSTANTS.exercises)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONSTANTS.exercises.back_squat)).toBe(true);
    expect(Object.isFrozen(CONSTANT_SOURCES)).toBe(true);
    expect(() => {
      (DEFAULT_CONSTANTS as { effortKappa: number }).effortKappa = 4;
    }).toThrow(TypeError);
    expect(() => {
      (DEFAULT_CONSTANTS.exercises.back_squat as { mvt: number }).mvt = 0.5;
    }).toThrow(TypeError);
  });
});

describe('withOverrides', () => {
  it('returns a new frozen object with the override, leaving the base alone', () => {
    const custom = withOverrides(DEFAULT_CONSTANTS, { effortKappa: 4, exercises: { bench_press: { mvt: 0.15 } } });
    expect(custom).not.toBe(DEFAULT_CONSTANTS);
    expect(custom.effortKappa).toBe(4);
    expect(custom.exercises.bench_press).toEqual({ mvt: 0.15, muscleMass: 0.6, nominalRom: 0.4 });
    expect(custom.lactateTauMin).toBe(19);
    expect(DEFAULT_CONSTANTS.effortKappa).toBe(3);
    expect(DEFAULT_CONSTANTS.exercises.bench_press.mvt).toBe(0.17);
    expect(Object.isFrozen(custom) && Object.isFrozen(custom.exercises.bench_press)).toBe(true);
  });

  it('applies overrides on top of an already overridden base', () => {
    const once = withOverrides(DEFAULT_CONSTANTS, { hill: 3 });
    const twice = withOverrides(once, { workDoseHalf: 5 });
    expect([twice.hill, twice.workDoseHalf]).toEqual([3, 5]);
  });

  it.each([
    ['NaN', { effortKappa: Number.NaN }, /effortKappa must be a finite number > 0, got NaN/],
    ['Infinity', { lactateTauMin: Number.POSITIVE_INFINITY }, /lactateTauMin must be a finite number > 0, got Infinity/],
    ['zero', { workDoseHalf: 0 }, /workDoseHalf must be a finite number > 0, got 0/],
    ['negative', { hill: -2 }, /hill must be a finite number > 0, got -2/],
    ['a catalogue zero', { exercises: { row: { muscleMass: 0 } } }, /exercises\.row\.muscleMass must be a finite number > 0/],
    ['a catalogue NaN', { exercises: { deadlift: { mvt: Number.NaN } } }, /exercises\.deadlift\.mvt must be a finite number > 0/],
    ['r² above 1', { lvpMinR2: 1.2 }, /lvpMinR2 must be ≤ 1/],
    ['a fractional load count', { lvpMinDistinctLoads: 2.5 }, /lvpMinDistinctLoads must be an integer ≥ 2/],
    ['an EWMA N below 1', { acuteEwmaDays: 0.5 }, /acuteEwmaDays must be ≥ 1/],
    ['curve clamps crossed', { genericCurveMinPct: 100 }, /genericCurveMinPct \(100\) must be below genericCurveMaxPct/],
  ] as const)('rejects %s with a clear error', (_label, overrides, message) => {
    expect(() => withOverrides(DEFAULT_CONSTANTS, overrides as ConstantOverrides)).toThrow(message);
  });

  it('rejects unknown keys and unknown exercises (typos must not pass silently)', () => {
    expect(() => withOverrides(DEFAULT_CONSTANTS, { kappa: 3 } as unknown as ConstantOverrides)).toThrow(/unknown constant "kappa"/);
    expect(() => withOverrides(DEFAULT_CONSTANTS, { exercises: { zercher: { mvt: 0.3 } } } as unknown as ConstantOverrides)).toThrow(
      /unknown exercise "zercher"/,
    );
    expect(() => withOverrides(DEFAULT_CONSTANTS, { exercises: { row: { MVT: 0.3 } } } as unknown as ConstantOverrides)).toThrow(
      /unknown exercise parameter "row.MVT"/,
    );
  });

  it('rejects malformed exercise overrides (as parsed from a JSON file)', () => {
    for (const exercises of [5, 'row', null, [1]]) {
      expect(() => withOverrides(DEFAULT_CONSTANTS, { exercises } as unknown as ConstantOverrides)).toThrow(/exercises must be an object/);
    }
    expect(() => withOverrides(DEFAULT_CONSTANTS, { exercises: { row: 0.4 } } as unknown as ConstantOverrides)).toThrow(/exercises\.row must be an object/);
    expect(() => withOverrides(DEFAULT_CONSTANTS, { hill: null } as unknown as ConstantOverrides)).toThrow(/hill must be a finite number > 0, got null/);
    expect(() => withOverrides(DEFAULT_CONSTANTS, { hill: '2' } as unknown as ConstantOverrides)).toThrow(/hill must be a finite number > 0/);
  });

  it('validateConstants rejects a hand-built object with a bad value', () => {
    const bad = { ...DEFAULT_CONSTANTS, lactateHalf: -1 } as ModelConstants;
    expect(() => validateConstants(bad)).toThrow(/lactateHalf/);
    expect(validateConstants(DEFAULT_CONSTANTS)).toBe(DEFAULT_CONSTANTS);
  });
});

describe('exerciseParams', () => {
  it('maps unknown ids to other', () => {
    expect(exerciseParams(DEFAULT_CONSTANTS, 'zercher_squat_v2')).toBe(DEFAULT_CONSTANTS.exercises.other);
    expect(resolveExerciseId('zercher_squat_v2')).toBe('other');
    expect(resolveExerciseId('Back_Squat')).toBe('other'); // ids are case-sensitive
  });

  it('does not mistake object-prototype names for catalogue ids', () => {
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(exerciseParams(DEFAULT_CONSTANTS, id)).toBe(DEFAULT_CONSTANTS.exercises.other);
    }
  });

  it('has one row for pull_up and lat_pulldown each, with the same values', () => {
    expect(exerciseParams(DEFAULT_CONSTANTS, 'pull_up')).toEqual(exerciseParams(DEFAULT_CONSTANTS, 'lat_pulldown'));
    expect(resolveExerciseId('lat_pulldown')).toBe('lat_pulldown');
  });
});
