/**
 * The versioned constants table of the Neurotrophic Stimulus Index (NSI) model.
 *
 * Specification: `/work/shared/design/stimulus-model.md` (model spec v1); background and evidence tags:
 * `/work/shared/research/stimulus-model.md` §1.3, §1.5, §5.3–5.4.
 *
 * The NSI is a heuristic stimulus-dose index. It is NOT a measured or predicted BDNF level.
 * Every constant below carries its source and a status: `evidence` (a published value), `derived`
 * (computed from published data or transferred from a neighbouring case) or `assumption` (a design
 * choice, to be calibrated). Outputs carry {@link MODEL_VERSION} so dashboards can tell versions apart.
 */

/** Version tag written next to every value the model produces. */
export const MODEL_VERSION = 'nsi-1' as const;
export type ModelVersion = typeof MODEL_VERSION;

/** Exercise ids with their own catalogue row. Any other id is modelled as `other`. */
export const EXERCISE_IDS = [
  'back_squat',
  'front_squat',
  'deadlift',
  'leg_press',
  'bench_press',
  'overhead_press',
  'row',
  'pull_up',
  'lat_pulldown',
  'other',
] as const;
export type ExerciseId = (typeof EXERCISE_IDS)[number];

/** One row of the exercise catalogue. */
export interface ExerciseParams {
  /** Minimum velocity threshold: mean concentric velocity of a 1RM, m/s. */
  readonly mvt: number;
  /** Muscle-mass factor M, dimensionless (share of the body's muscle the lift involves, squat = 1). */
  readonly muscleMass: number;
  /** Nominal concentric range of motion, m; used when a rep carries no measured ROM. */
  readonly nominalRom: number;
}

/** The model's scalar constants plus the exercise catalogue. Units are in the property names or TSDoc. */
export interface ModelConstants {
  /** g, standard gravity, m/s². Cancels out of the normalised work w = L·g·r / (BM·g·1 m); kept for force outputs. */
  readonly gravity: number;
  /** κ, reps: effort weight ψ = exp(−RIR/κ). */
  readonly effortKappa: number;
  /** k_λ, mmol/L per unit (fraction) of velocity loss: lactate-proxy increment Δλ = k_λ·M·VL_set. */
  readonly lactatePerVelocityLoss: number;
  /** τ_λ, minutes: first-order clearance of the lactate proxy between sets. */
  readonly lactateTauMin: number;
  /** B₅₀, dimensionless: work impulse giving half of the dose scale (D = B/B₅₀ + λ_peak/λ₅₀). */
  readonly workDoseHalf: number;
  /** λ₅₀, mmol/L: lactate-proxy peak giving half of the dose scale. */
  readonly lactateHalf: number;
  /** h, dimensionless: Hill exponent of NSI = 100·D^h/(1 + D^h). */
  readonly hill: number;
  /** τ_b, minutes: decay of the acute window NSI_acute(t) = NSI·exp(−(t − t_end)/τ_b). */
  readonly acuteTauMin: number;
  /** Largest gap, ms, between one set's last rep and the next set's first rep inside one session. */
  readonly sessionGapMs: number;
  /** Cap of the daily load L_d = Σ session NSI of the day. */
  readonly dailyLoadCap: number;
  /** Body mass used when the athlete profile has none, kg (outputs then carry a default-body-mass flag). */
  readonly defaultBodyMassKg: number;
  /** N of the acute exposure EWMA A7, days (λ = 2/(N+1)). */
  readonly acuteEwmaDays: number;
  /** N of the chronic exposure EWMA C28, days (λ = 2/(N+1)). */
  readonly chronicEwmaDays: number;
  /** Look-back window of the load–velocity profile, days before the set. */
  readonly lvpWindowDays: number;
  /** Least number of distinct loads the load–velocity profile needs. */
  readonly lvpMinDistinctLoads: number;
  /** Least r² of the load–velocity line for the profile to be used. */
  readonly lvpMinR2: number;
  /** Upper bound of relative intensity I = min(L/e1RM, cap). */
  readonly intensityCap: number;
  /** Length of the acute-window curve after a session, minutes. */
  readonly acuteCurveMinutes: number;
  /** Step of the acute-window curve, minutes. */
  readonly acuteCurveStepMinutes: number;
  /** The 30 of the inverse-Epley RIR fallback RIR_i = max(0, 30·(1/max(I, I_min) − 1) + 1 − i), reps. */
  readonly rirFallbackReps: number;
  /** I_min of the inverse-Epley RIR fallback (keeps 1/I finite), dimensionless. */
  readonly rirFallbackMinIntensity: number;
  /** Velocity slope magnitude, m/s per rep: the linear RIR extrapolation is used only when b < −this. */
  readonly rirSlopeThreshold: number;
  /** The 30 of Epley's 1RM = L·(1 + n/30), reps. */
  readonly epleyDivisor: number;
  /** a₂ of the bench curve %1RM = a₂·v² − a₁·v + a₀ (v in m/s). */
  readonly benchCurveA2: number;
  /** a₁ of the bench curve (magnitude of the negative linear coefficient). */
  readonly benchCurveA1: number;
  /** a₀ of the bench curve, %1RM. */
  readonly benchCurveA0: number;
  /** Squat curve MPV ≈ v₁ + s·(100 − %1RM): v₁, the velocity at 1RM, m/s. */
  readonly squatCurveV1rm: number;
  /** Squat curve slope s, m/s per %1RM. */
  readonly squatCurveSlope: number;
  /** Lower clamp of the %1RM a generic curve may return. */
  readonly genericCurveMinPct: number;
  /** Upper clamp of the %1RM a generic curve may return. */
  readonly genericCurveMaxPct: number;
  /** The exercise catalogue; unknown ids map to `other`. */
  readonly exercises: Readonly<Record<ExerciseId, Readonly<ExerciseParams>>>;
}

/** Keys of the scalar (non-catalogue) constants. */
export type ScalarConstant = Exclude<keyof ModelConstants, 'exercises'>;

/** How well a constant is anchored. */
export type ConstantStatus = 'evidence' | 'derived' | 'assumption';

/** Where a constant's value comes from. */
export interface SourceNote {
  readonly source: string;
  readonly status: ConstantStatus;
}

/** One row of the machine-readable constants table. */
export interface ConstantSource extends SourceNote {
  readonly value: number;
  readonly unit: string;
}

/**
 * The machine-readable constants table: value, unit, source and status of every scalar constant.
 * {@link DEFAULT_CONSTANTS} takes its values from here.
 */
export const CONSTANT_SOURCES: Readonly<Record<ScalarConstant, Readonly<ConstantSource>>> = Object.freeze({
  gravity: {
    value: 9.81,
    unit: 'm/s²',
    source: 'standard gravity 9.80665 m/s² rounded, as the model spec states (g = 9.81)',
    status: 'evidence',
  },
  effortKappa: {
    value: 3,
    unit: 'reps',
    source: 'model spec "Per rep" 5; research §5.3 (encodes the proximity-to-failure hypothesis of Quiles et al. 2020)',
    status: 'assumption',
  },
  lactatePerVelocityLoss: {
    value: 8,
    unit: 'mmol/L per unit VL',
    source:
      'model spec "Per set"; order-of-magnitude calibration (research §5.3) resting on VL–lactate r = 0.93–0.97 ' +
      '(Sánchez-Medina & González-Badillo 2011, Med Sci Sports Exerc 43:1725); to be fitted to capillary lactate',
    status: 'assumption',
  },
  lactateTauMin: {
    value: 19,
    unit: 'min',
    source: 'fitted to post-set lactate clearance 5.2 → 3.2 → 1.9 mmol/L at 2, 15, 30 min (Vargas-Molina et al. 2020, PLoS ONE 15:e0227640)',
    status: 'derived',
  },
  workDoseHalf: {
    value: 4,
    unit: 'dimensionless',
    source: 'model spec "Per session" (B₅₀); set so ~4 hard sets of a large-muscle lift ≈ one half-dose (research §5.3)',
    status: 'assumption',
  },
  lactateHalf: {
    value: 5,
    unit: 'mmol/L',
    source: 'model spec "Per session" (λ₅₀); above typical lactate-threshold values, cf. Ferris et al. 2007, MSSE 39:728 (research §5.3)',
    status: 'assumption',
  },
  hill: {
    value: 2,
    unit: 'dimensionless',
    source: 'model spec "Per session" (h); threshold + saturation after Church et al. 2016 and Quiles et al. 2020 (research §5.1)',
    status: 'assumption',
  },
  acuteTauMin: {
    value: 40,
    unit: 'min',
    source: 'model spec "Over time" (τ_b); evidence range 15–60 min (Nofuji et al. 2012; Church et al. 2016)',
    status: 'assumption',
  },
  sessionGapMs: {
    value: 2 * 60 * 60 * 1000,
    unit: 'ms',
    source: 'model spec "Per session": no gap over 2 h between one set\'s end and the next set\'s first rep',
    status: 'assumption',
  },
  dailyLoadCap: {
    value: 150,
    unit: 'NSI per day',
    source: 'model spec "Over time" (cap of L_d); research §5.3',
    status: 'assumption',
  },
  defaultBodyMassKg: {
    value: 75,
    unit: 'kg',
    source: 'model spec "Inputs" (default body mass; outputs then carry a default_body_mass flag)',
    status: 'assumption',
  },
  acuteEwmaDays: {
    value: 7,
    unit: 'days',
    source: 'EWMA λ = 2/(N+1), N = 7 (Williams et al. 2017, BJSM 51:209)',
    status: 'evidence',
  },
  chronicEwmaDays: {
    value: 28,
    unit: 'days',
    source: 'EWMA λ = 2/(N+1), N = 28 (Williams et al. 2017, BJSM 51:209)',
    status: 'evidence',
  },
  lvpWindowDays: {
    value: 28,
    unit: 'days',
    source: 'model spec "e1RM used for a set" (1); window length is a design choice (research §5.4)',
    status: 'assumption',
  },
  lvpMinDistinctLoads: {
    value: 3,
    unit: 'loads',
    source: 'model spec "e1RM used for a set" (1); method after the RepOne/OpenBarbell regression (research §1.3)',
    status: 'assumption',
  },
  lvpMinR2: {
    value: 0.8,
    unit: 'r²',
    source: 'model spec "e1RM used for a set" (1)',
    status: 'assumption',
  },
  intensityCap: {
    value: 1.05,
    unit: 'fraction of e1RM',
    source: 'model spec "Per rep" 1 (I = min(L/e1RM, 1.05)); research §5.3',
    status: 'assumption',
  },
  acuteCurveMinutes: {
    value: 180,
    unit: 'min',
    source: 'dashboard display choice: 3 h after the session end (≈ 4.5 τ_b)',
    status: 'assumption',
  },
  acuteCurveStepMinutes: {
    value: 1,
    unit: 'min',
    source: 'dashboard display choice: minute resolution (research §5.3 "Acute time series")',
    status: 'assumption',
  },
  rirFallbackReps: {
    value: 30,
    unit: 'reps',
    source: 'inverse Epley reps_max ≈ 30·(1/%1RM − 1), +1 so 100 %1RM gives one rep (research §1.5; Epley via Chronojump encoder/RM.R)',
    status: 'derived',
  },
  rirFallbackMinIntensity: {
    value: 0.3,
    unit: 'fraction of e1RM',
    source: 'model spec "Per rep" 3 (max(I, 0.3)); keeps the fallback finite at load 0',
    status: 'assumption',
  },
  rirSlopeThreshold: {
    value: 0.001,
    unit: 'm/s per rep',
    source: 'model spec "Per rep" 3 (b < −0.001)',
    status: 'assumption',
  },
  epleyDivisor: {
    value: 30,
    unit: 'reps',
    source: 'Epley 1RM = w·(1 + r/30) (research §1.5; Chronojump encoder/RM.R)',
    status: 'evidence',
  },
  benchCurveA2: {
    value: 8.4326,
    unit: '%1RM·s²/m²',
    source: 'bench %1RM = 8.4326·v² − 73.501·v + 112.33 (González-Badillo & Sánchez-Medina 2010, Int J Sports Med 31:347)',
    status: 'evidence',
  },
  benchCurveA1: {
    value: 73.501,
    unit: '%1RM·s/m',
    source: 'bench %1RM = 8.4326·v² − 73.501·v + 112.33 (González-Badillo & Sánchez-Medina 2010, Int J Sports Med 31:347)',
    status: 'evidence',
  },
  benchCurveA0: {
    value: 112.33,
    unit: '%1RM',
    source: 'bench %1RM = 8.4326·v² − 73.501·v + 112.33 (González-Badillo & Sánchez-Medina 2010, Int J Sports Med 31:347)',
    status: 'evidence',
  },
  squatCurveV1rm: {
    value: 0.29,
    unit: 'm/s',
    source: 'full squat MPV ≈ 0.29 + 0.0132·(100 − %1RM) (Conceição et al. 2016, J Sports Sci 34:1099)',
    status: 'evidence',
  },
  squatCurveSlope: {
    value: 0.0132,
    unit: 'm/s per %1RM',
    source: 'full squat MPV ≈ 0.29 + 0.0132·(100 − %1RM) (Conceição et al. 2016, J Sports Sci 34:1099)',
    status: 'evidence',
  },
  genericCurveMinPct: {
    value: 30,
    unit: '%1RM',
    source: 'clamp: lightest relative load of the bench curve data (30–100 %1RM, González-Badillo & Sánchez-Medina 2010)',
    status: 'assumption',
  },
  genericCurveMaxPct: {
    value: 100,
    unit: '%1RM',
    source: 'clamp: a first rep at or below the 1RM velocity is treated as a 1RM effort',
    status: 'assumption',
  },
});

const SQUAT_MVT = 'MV at 1RM 0.32 ± 0.03 m/s (Sánchez-Medina et al. 2017, Sports Med Int Open 1:E80); general MVT 0.30 m/s (Chen et al. 2025, JSCR 39:e530)';
const M_ASSUMED = 'muscle-mass factor: model spec catalogue (all M factors are assumptions)';
const ROM_ASSUMED = 'nominal ROM: model spec catalogue default';

/** Source and status of each catalogue value. */
export const EXERCISE_SOURCES: Readonly<Record<ExerciseId, Readonly<Record<keyof ExerciseParams, SourceNote>>>> = Object.freeze({
  back_squat: {
    mvt: { source: SQUAT_MVT, status: 'evidence' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  front_squat: {
    mvt: { source: `back-squat value transferred to the variant: ${SQUAT_MVT}`, status: 'derived' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  deadlift: {
    mvt: { source: 'practitioner tables, primary source not verified (research §1.3); model spec marks it an assumption', status: 'assumption' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  leg_press: {
    mvt: { source: 'MPV at 1RM 0.21 ± 0.06 m/s (Conceição et al. 2016, J Sports Sci 34:1099)', status: 'evidence' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  bench_press: {
    mvt: {
      source: 'general MVT 0.17 m/s (IES 2021); MV at 1RM 0.16 ± 0.04 m/s (González-Badillo & Sánchez-Medina 2010, Int J Sports Med 31:347)',
      status: 'evidence',
    },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  overhead_press: {
    mvt: { source: 'model spec catalogue (assumption)', status: 'assumption' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  row: {
    mvt: { source: 'model spec catalogue (assumption)', status: 'assumption' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  pull_up: {
    mvt: { source: 'model spec catalogue (assumption)', status: 'assumption' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  lat_pulldown: {
    mvt: { source: 'model spec catalogue, same row as pull_up (assumption)', status: 'assumption' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
  other: {
    mvt: { source: 'model spec catalogue default for any unknown id (assumption)', status: 'assumption' },
    muscleMass: { source: M_ASSUMED, status: 'assumption' },
    nominalRom: { source: ROM_ASSUMED, status: 'assumption' },
  },
});

/** The default exercise catalogue (model spec "Exercise catalogue"). */
const DEFAULT_EXERCISES: Record<ExerciseId, ExerciseParams> = {
  back_squat: { mvt: 0.3, muscleMass: 1.0, nominalRom: 0.6 },
  front_squat: { mvt: 0.3, muscleMass: 0.9, nominalRom: 0.55 },
  deadlift: { mvt: 0.15, muscleMass: 1.0, nominalRom: 0.55 },
  leg_press: { mvt: 0.21, muscleMass: 0.9, nominalRom: 0.5 },
  bench_press: { mvt: 0.17, muscleMass: 0.6, nominalRom: 0.4 },
  overhead_press: { mvt: 0.19, muscleMass: 0.5, nominalRom: 0.5 },
  row: { mvt: 0.4, muscleMass: 0.5, nominalRom: 0.45 },
  pull_up: { mvt: 0.3, muscleMass: 0.55, nominalRom: 0.5 },
  lat_pulldown: { mvt: 0.3, muscleMass: 0.55, nominalRom: 0.5 },
  other: { mvt: 0.3, muscleMass: 0.4, nominalRom: 0.4 },
};

const SCALAR_KEYS = Object.keys(CONSTANT_SOURCES) as ScalarConstant[];
const EXERCISE_ID_SET: ReadonlySet<string> = new Set(EXERCISE_IDS);
const EXERCISE_PARAM_KEYS: readonly (keyof ExerciseParams)[] = ['mvt', 'muscleMass', 'nominalRom'];

function scalarDefaults(): Record<ScalarConstant, number> {
  const values = {} as Record<ScalarConstant, number>;
  for (const key of SCALAR_KEYS) values[key] = CONSTANT_SOURCES[key].value;
  return values;
}

function freezeConstants(scalars: Record<ScalarConstant, number>, exercises: Record<ExerciseId, ExerciseParams>): ModelConstants {
  const frozenExercises = {} as Record<ExerciseId, Readonly<ExerciseParams>>;
  for (const id of EXERCISE_IDS) frozenExercises[id] = Object.freeze({ ...exercises[id] });
  return Object.freeze({ ...scalars, exercises: Object.freeze(frozenExercises) });
}

/**
 * Checks a constants object; throws a RangeError naming the first bad value. Every value must be a finite
 * number > 0; in addition lvpMinR2 ≤ 1, lvpMinDistinctLoads an integer ≥ 2, EWMA N ≥ 1,
 * genericCurveMinPct < genericCurveMaxPct, acuteCurveStepMinutes ≤ acuteCurveMinutes.
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
  if (constants.acuteCurveStepMinutes > constants.acuteCurveMinutes) {
    throw new RangeError(
      `model constants: acuteCurveStepMinutes (${constants.acuteCurveStepMinutes}) must not exceed acuteCurveMinutes (${constants.acuteCurveMinutes})`,
    );
  }
  return constants;
}

function requirePositive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`model constants: ${name} must be a finite number > 0, got ${String(value)}`);
  }
}

/** The default constants of model version {@link MODEL_VERSION}; deeply frozen. */
export const DEFAULT_CONSTANTS: ModelConstants = validateConstants(freezeConstants(scalarDefaults(), DEFAULT_EXERCISES));

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

/** True when the id has its own catalogue row (`other` included). */
export function isExerciseId(id: string): id is ExerciseId {
  return EXERCISE_ID_SET.has(id);
}

/** The catalogue id an exercise id is modelled as: itself when catalogued, else `other`. */
export function resolveExerciseId(id: string): ExerciseId {
  return isExerciseId(id) ? id : 'other';
}

/** The catalogue row of an exercise; unknown ids map to `other` (model spec catalogue). */
export function exerciseParams(constants: ModelConstants, exerciseId: string): Readonly<ExerciseParams> {
  return constants.exercises[resolveExerciseId(exerciseId)];
}
