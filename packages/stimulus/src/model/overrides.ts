/**
 * Validation of a constants table and per-deployment overrides. Part of the constants table: see `constants.ts`.
 */
import type { ExerciseParams, ModelConstants, ScalarConstant } from './constants.js';
import { CONSTANT_SOURCES } from './constant-sources.js';
import { EXERCISE_IDS, isExerciseId, type ExerciseId } from './exercise-ids.js';

const SCALAR_KEYS = Object.keys(CONSTANT_SOURCES) as ScalarConstant[];
const EXERCISE_PARAM_KEYS: readonly (keyof ExerciseParams)[] = ['mvt', 'muscleMass', 'nominalRom'];

/** A deeply frozen constants object from scalar values and catalogue rows (not validated). */
export function freezeConstants(scalars: Record<ScalarConstant, number>, exercises: Record<ExerciseId, ExerciseParams>): ModelConstants {
  const frozenExercises = {} as Record<ExerciseId, Readonly<ExerciseParams>>;
  for (const id of EXERCISE_IDS) frozenExercises[id] = Object.freeze({ ...exercises[id] });
  return Object.freeze({ ...scalars, exercises: Object.freeze(frozenExercises) });
}

/**
 * Checks a constants object; throws a RangeError naming the first bad value. Every value must be a finite
 * number > 0; in addition lvpMinR2 ≤ 1, lvpMinDistinctLoads an integer ≥ 2, EWMA N ≥ 1,
 * genericCurveMinPct < genericCurveMaxPct, acuteCurveStepMinutes and acuteSeriesStepMinutes ≤ acuteCurveMinutes,
 * hrCountThreshold ≤ 1, hrRecoveryFromMs < hrRecoveryToMs, defaultRestingHr < defaultMaxHr.
 */
export function validateConstants(constants: ModelConstants): ModelConstants {
  for (const key of SCALAR_KEYS) requirePositive(key, constants[key]);
  for (const id of EXERCISE_IDS) {
    const row = (constants.exercises as Partial<Record<ExerciseId, ExerciseParams>>)[id];
    if (row === undefined) throw new RangeError(`model constants: exercises.${id} is missing`);
    for (const param of EXERCISE_PARAM_KEYS) requirePositive(`exercises.${id}.${param}`, row[param]);
  }
  if (constants.lvpMinR2 > 1) throw new RangeError(`model constants: lvpMinR2 must be ≤ 1, got ${constants.lvpMinR2}`);
  if (!Number.isInteger(constants.lvpMinDistinctLoads) || constants.lvpMinDistinctLoads < 2) {
    throw new RangeError(`model constants: lvpMinDistinctLoads must be an integer ≥ 2, got ${constants.lvpMinDistinctLoads}`);
  }
  for (const key of ['acuteEwmaDays', 'chronicEwmaDays'] as const) {
    if (constants[key] < 1) throw new RangeError(`model constants: ${key} must be ≥ 1 (EWMA λ = 2/(N+1) ≤ 1), got ${constants[key]}`);
  }
  if (constants.genericCurveMinPct >= constants.genericCurveMaxPct) {
    throw new RangeError(
      `model constants: genericCurveMinPct (${constants.genericCurveMinPct}) must be below genericCurveMaxPct (${constants.genericCurveMaxPct})`,
    );
  }
  for (const key of ['acuteCurveStepMinutes', 'acuteSeriesStepMinutes'] as const) {
    if (constants[key] > constants.acuteCurveMinutes) {
      throw new RangeError(`model constants: ${key} (${constants[key]}) must not exceed acuteCurveMinutes (${constants.acuteCurveMinutes})`);
    }
  }
  if (constants.hrCountThreshold > 1) {
    throw new RangeError(`model constants: hrCountThreshold must be ≤ 1 (a fraction of HR reserve), got ${constants.hrCountThreshold}`);
  }
  if (constants.hrRecoveryFromMs >= constants.hrRecoveryToMs) {
    throw new RangeError(
      `model constants: hrRecoveryFromMs (${constants.hrRecoveryFromMs}) must be below hrRecoveryToMs (${constants.hrRecoveryToMs})`,
    );
  }
  if (constants.defaultRestingHr >= constants.defaultMaxHr) {
    throw new RangeError(
      `model constants: defaultRestingHr (${constants.defaultRestingHr}) must be below defaultMaxHr (${constants.defaultMaxHr})`,
    );
  }
  return constants;
}

function requirePositive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`model constants: ${name} must be a finite number > 0, got ${String(value)}`);
  }
}

/** A per-deployment override: any scalar constant, and any field of any catalogue row. */
export type ConstantOverrides = Partial<Record<ScalarConstant, number>> & {
  readonly exercises?: Partial<Record<ExerciseId, Partial<ExerciseParams>>>;
};

/**
 * Returns a new, validated, deeply frozen constants object: `base` with `overrides` applied. `base` is not
 * changed. Throws a RangeError for an unknown key, a non-finite or non-positive value, or a combination
 * {@link validateConstants} rejects. Undefined values leave the base value in place.
 */
export function withOverrides(base: ModelConstants, overrides: ConstantOverrides): ModelConstants {
  const scalars = {} as Record<ScalarConstant, number>;
  for (const key of SCALAR_KEYS) scalars[key] = base[key];
  const exercises = {} as Record<ExerciseId, ExerciseParams>;
  for (const id of EXERCISE_IDS) exercises[id] = { ...base.exercises[id] };

  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (key === 'exercises') continue;
    if (!isScalarConstant(key)) throw new RangeError(`withOverrides: unknown constant "${key}"`);
    requirePositive(key, value);
    scalars[key] = value as number;
  }
  const exerciseOverrides: unknown = overrides.exercises;
  if (exerciseOverrides !== undefined && !isPlainObject(exerciseOverrides)) {
    throw new RangeError('withOverrides: exercises must be an object of catalogue id → { mvt?, muscleMass?, nominalRom? }');
  }
  for (const [id, row] of Object.entries(exerciseOverrides ?? {})) {
    if (row === undefined) continue;
    if (!isExerciseId(id)) throw new RangeError(`withOverrides: unknown exercise "${id}" (add overrides to a catalogue id)`);
    if (!isPlainObject(row)) throw new RangeError(`withOverrides: exercises.${id} must be an object`);
    for (const [param, value] of Object.entries(row)) {
      if (value === undefined) continue;
      if (!(EXERCISE_PARAM_KEYS as readonly string[]).includes(param)) {
        throw new RangeError(`withOverrides: unknown exercise parameter "${id}.${param}"`);
      }
      requirePositive(`exercises.${id}.${param}`, value);
      exercises[id] = { ...exercises[id], [param]: value };
    }
  }
  return validateConstants(freezeConstants(scalars, exercises));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalarConstant(key: string): key is ScalarConstant {
  return Object.prototype.hasOwnProperty.call(CONSTANT_SOURCES, key);
}
