/**
 * The machine-readable source table of the NSI constants: value, unit, source and status of every scalar
 * constant, and source and status of every catalogue value. Part of the constants table: see `constants.ts`.
 */
import type { ConstantSource, ExerciseParams, ScalarConstant, SourceNote } from './constants.js';
import type { ExerciseId } from './exercise-ids.js';

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
  acuteSeriesStepMinutes: {
    value: 30,
    unit: 'min',
    source:
      'dashboard display choice (decision 0015): the acute window as stored, a point at each set and a 30-minute grid ' +
      'after it, drawn as a smooth line; finer than a panel pixel at the athlete dashboard\'s ranges of a day or more',
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
  aerobicDoseHalf: {
    value: 60,
    unit: 'TRIMP (weighted min)',
    source:
      'model spec "v1.1: heart rate" (A₅₀ ≈ 30 min at 75 % HR reserve); aerobic exercise raises BDNF more with intensity ' +
      'and duration (Szuhany et al. 2015, J Psychiatr Res 60:56; Dinoff et al. 2017, Eur J Neurosci; Ferris et al. 2007, ' +
      'Med Sci Sports Exerc 39:728; Schmolesky et al. 2013, J Sports Sci Med 12:502); the size of A₅₀ is a design choice',
    status: 'assumption',
  },
  trimpFactor: {
    value: 0.64,
    unit: 'dimensionless',
    source: "Banister's TRIMP weighting 0.64·e^(1.92·r) (Banister 1991, men's coefficients); used for every athlete: an assumption",
    status: 'assumption',
  },
  trimpExponent: {
    value: 1.92,
    unit: 'per unit of HR reserve fraction',
    source: "Banister's TRIMP weighting 0.64·e^(1.92·r) (Banister 1991, men's coefficients); used for every athlete: an assumption",
    status: 'assumption',
  },
  hrCountThreshold: {
    value: 0.5,
    unit: 'fraction of HR reserve',
    source:
      'model spec "v1.1: heart rate" (a sample counts when r ≥ 0.5; HR reserve after Karvonen 1957); moderate intensity ' +
      'and above, where the acute BDNF rise is reported (Ferris et al. 2007; Schmolesky et al. 2013); threshold is a design choice',
    status: 'assumption',
  },
  hrResistanceBeforeMs: {
    value: 30_000,
    unit: 'ms',
    source: 'model spec "v1.1: heart rate" (resistance interval [first rep − 30 s, last rep + 180 s]: setting up for the set)',
    status: 'assumption',
  },
  hrResistanceAfterMs: {
    value: 180_000,
    unit: 'ms',
    source: 'model spec "v1.1: heart rate" (the rest after a set is part of the resistance work, already in λ)',
    status: 'assumption',
  },
  hrPeakBeforeMs: {
    value: 5_000,
    unit: 'ms',
    source: 'model spec "v1.1: heart rate" (hr_peak window [first rep − 5 s, last rep + 30 s])',
    status: 'assumption',
  },
  hrPeakAfterMs: {
    value: 30_000,
    unit: 'ms',
    source: 'model spec "v1.1: heart rate" (hr_peak window; heart rate keeps rising for some seconds after the last rep)',
    status: 'assumption',
  },
  hrRecoveryFromMs: {
    value: 55_000,
    unit: 'ms',
    source: 'model spec "v1.1: heart rate" (hr_recovery_60s: mean bpm in [last rep + 55 s, last rep + 65 s])',
    status: 'assumption',
  },
  hrRecoveryToMs: {
    value: 65_000,
    unit: 'ms',
    source: 'model spec "v1.1: heart rate" (hr_recovery_60s window end; the next set must start after it)',
    status: 'assumption',
  },
  defaultRestingHr: {
    value: 60,
    unit: 'bpm',
    source: 'model spec "v1.1: heart rate" (default resting heart rate; outputs then carry a default_resting_hr flag)',
    status: 'assumption',
  },
  defaultMaxHr: {
    value: 190,
    unit: 'bpm',
    source: 'model spec "v1.1: heart rate" (default maximum without maxHr or birthYear; flag default_max_hr)',
    status: 'assumption',
  },
  tanakaInterceptBpm: {
    value: 208,
    unit: 'bpm',
    source: 'HRmax = 208 − 0.7·age (Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153)',
    status: 'evidence',
  },
  tanakaSlopeBpmPerYear: {
    value: 0.7,
    unit: 'bpm per year',
    source: 'HRmax = 208 − 0.7·age (Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153)',
    status: 'evidence',
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
