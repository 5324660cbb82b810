/**
 * The versioned constants table of the Neurotrophic Stimulus Index (NSI) model.
 *
 * Specification: `/work/shared/design/stimulus-model.md` (model spec v1, and its section "v1.1: heart rate" for the
 * heart-rate constants); background and evidence tags:
 * `/work/shared/research/stimulus-model.md` §1.3, §1.5, §5.3–5.4.
 *
 * The NSI is a heuristic stimulus-dose index. It is NOT a measured or predicted BDNF level.
 * Every constant carries its source and a status: `evidence` (a published value), `derived`
 * (computed from published data or transferred from a neighbouring case) or `assumption` (a design
 * choice, to be calibrated). Outputs carry {@link MODEL_VERSION} so dashboards can tell versions apart.
 *
 * This module holds the types, the default catalogue and {@link DEFAULT_CONSTANTS}, and is the table's entry
 * point: it re-exports the parts kept in their own files —
 *  - `exercise-ids.ts`: the catalogue ids and how any exercise id maps onto them;
 *  - `constant-sources.ts`: value, unit, source and status of every constant (the defaults come from there);
 *  - `overrides.ts`: validation and per-deployment overrides.
 */
import { CONSTANT_SOURCES } from './constant-sources.js';
import { resolveExerciseId, type ExerciseId } from './exercise-ids.js';
import { freezeConstants, validateConstants } from './overrides.js';

export { EXERCISE_IDS, isExerciseId, resolveExerciseId, type ExerciseId } from './exercise-ids.js';
export { CONSTANT_SOURCES, EXERCISE_SOURCES } from './constant-sources.js';
export { validateConstants, withOverrides, type ConstantOverrides } from './overrides.js';

/** Version tag written next to every value the model produces. */
export const MODEL_VERSION = 'nsi-1.1' as const;
/** Versions whose stored terms this code can read (a checkpoint of an earlier version is folded again: its basis differs). */
export const MODEL_VERSIONS = ['nsi-1', MODEL_VERSION] as const;
export type ModelVersion = (typeof MODEL_VERSIONS)[number];

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
  /**
   * Step of the acute window as written to the time series, minutes: a point at each set, then this grid
   * (decision 0015). A display resolution, not a model term.
   */
  readonly acuteSeriesStepMinutes: number;
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
  /** A₅₀, TRIMP units (weighted minutes): aerobic sum giving one unit of dose (D = … + A/A₅₀), model nsi-1.1. */
  readonly aerobicDoseHalf: number;
  /** Banister's TRIMP factor a of a counted sample's term (1/60)·r·a·e^(b·r). */
  readonly trimpFactor: number;
  /** Banister's TRIMP exponent b of a counted sample's term (1/60)·r·a·e^(b·r). */
  readonly trimpExponent: number;
  /** Least heart-rate reserve fraction r of a counted sample (r ≥ this), ≤ 1. */
  readonly hrCountThreshold: number;
  /** Start of a set's resistance interval before its first rep, ms ([first − this, last + hrResistanceAfterMs]). */
  readonly hrResistanceBeforeMs: number;
  /** End of a set's resistance interval after its last rep, ms. */
  readonly hrResistanceAfterMs: number;
  /** Start of the hr_peak window before a set's first rep, ms ([first − this, last + hrPeakAfterMs]). */
  readonly hrPeakBeforeMs: number;
  /** End of the hr_peak window after a set's last rep, ms. */
  readonly hrPeakAfterMs: number;
  /** Start of the hr_recovery_60s window after a set's last rep, ms ([last + this, last + hrRecoveryToMs]). */
  readonly hrRecoveryFromMs: number;
  /** End of the hr_recovery_60s window after a set's last rep, ms; the next set must start after it. */
  readonly hrRecoveryToMs: number;
  /** Resting heart rate used when the profile has none, bpm (outputs then carry a default_resting_hr flag). */
  readonly defaultRestingHr: number;
  /** Maximum heart rate used when the profile has neither maxHr nor birthYear, bpm (flag default_max_hr). */
  readonly defaultMaxHr: number;
  /** Intercept of the age-predicted maximum heart rate HRmax = intercept − slope·age, bpm. */
  readonly tanakaInterceptBpm: number;
  /** Slope of the age-predicted maximum heart rate, bpm per year of age. */
  readonly tanakaSlopeBpmPerYear: number;
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

function scalarDefaults(): Record<ScalarConstant, number> {
  const values = {} as Record<ScalarConstant, number>;
  for (const key of Object.keys(CONSTANT_SOURCES) as ScalarConstant[]) values[key] = CONSTANT_SOURCES[key].value;
  return values;
}

/** The default constants of model version {@link MODEL_VERSION}; deeply frozen. */
export const DEFAULT_CONSTANTS: ModelConstants = validateConstants(freezeConstants(scalarDefaults(), DEFAULT_EXERCISES));

/** The catalogue row of an exercise; unknown ids map to `other` (model spec catalogue). */
export function exerciseParams(constants: ModelConstants, exerciseId: string): Readonly<ExerciseParams> {
  return constants.exercises[resolveExerciseId(exerciseId)];
}
