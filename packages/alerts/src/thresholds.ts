/**
 * Alert thresholds: one table gives each threshold's default (model spec v1 "Coach alert rules"), its
 * allowed range and its unit, so the defaults, the config schema and the docs cannot drift apart.
 */
import { z } from 'zod';

interface ThresholdSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (counts, days). */
  readonly integer?: boolean;
  /** Excludes `min` itself (a ratio of 0 is meaningless). */
  readonly minExclusive?: boolean;
  readonly unit: string;
}

/**
 * Every threshold. Defaults are the spec's except where marked (assumption): those are choices the spec
 * leaves open, documented in the README.
 */
export const THRESHOLD_SPECS = {
  /** near_failure: v ≤ MVT + this. */
  nearFailureVelocityMarginMps: { default: 0.05, min: 0, max: 1, unit: 'm/s' },
  /** near_failure: estimated RIR ≤ this. */
  nearFailureMaxRir: { default: 1, min: 0, max: 30, unit: 'reps' },
  /** partial_rep: ROM < this % of the median ROM. */
  partialRomPct: { default: 85, min: 0, max: 100, unit: '%' },
  /** high_fatigue amber: velocity loss > this. */
  highFatigueAmberPct: { default: 30, min: 0, max: 100, unit: '%' },
  /** high_fatigue red: velocity loss > this. */
  highFatigueRedPct: { default: 40, min: 0, max: 100, unit: '%' },
  /** low_effort: every working set's velocity loss < this … */
  lowEffortMaxVelocityLossPct: { default: 10, min: 0, max: 100, unit: '%' },
  /** … and its last-rep RIR > this. */
  lowEffortMinRir: { default: 5, min: 0, max: 30, unit: 'reps' },
  /** A set is a working set when its relative intensity (load / e1RM) ≥ this (assumption). */
  workingSetMinIntensityPct: { default: 50, min: 0, max: 100, unit: '% e1RM' },
  /** nsi_below_target: session NSI < this. */
  nsiTarget: { default: 40, min: 0, max: 100, unit: 'NSI' },
  /** readiness_drop amber: drop > max(this, factor × typical error). */
  readinessAmberPct: { default: 5, min: 0, max: 100, unit: '%' },
  /** readiness_drop: the typical-error factor of the amber threshold. */
  readinessTypicalErrorFactor: { default: 2, min: 0, max: 10, unit: '×' },
  /** readiness_drop red: drop > max(this, the amber threshold). */
  readinessRedPct: { default: 10, min: 0, max: 100, unit: '%' },
  /** readiness_drop without a usable load–velocity profile: earlier sessions the baseline needs (assumption). */
  readinessMinBaselineSessions: { default: 3, min: 2, max: 100, integer: true, unit: 'sessions' },
  /** e1rm_record: e1RM > every earlier estimate × (1 + this/100); the spec's "above" is 0. */
  e1rmRecordMinGainPct: { default: 0, min: 0, max: 100, unit: '%' },
  /** low_exposure: fewer than this many sessions … */
  lowExposureMinSessions: { default: 2, min: 1, max: 100, integer: true, unit: 'sessions' },
  /** … with NSI ≥ this … */
  lowExposureSessionNsi: { default: 50, min: 0, max: 100, unit: 'NSI' },
  /** … in this many days. */
  lowExposureWindowDays: { default: 7, min: 1, max: 365, integer: true, unit: 'days' },
  /** exposure_change: A7/C28 > this. */
  exposureRatioHigh: { default: 1.5, min: 0, max: 100, minExclusive: true, unit: 'ratio' },
  /** exposure_change: A7/C28 < this. */
  exposureRatioLow: { default: 0.8, min: 0, max: 100, minExclusive: true, unit: 'ratio' },
  /**
   * incomplete_recovery (off unless enabled): a working set starts with heart rate ≥ this % of the heart-rate
   * reserve (assumption: 60 %, where vigorous exercise starts by the usual Karvonen bands).
   */
  incompleteRecoveryHrReservePct: { default: 60, min: 0, max: 100, minExclusive: true, unit: '% HRR' },
} as const satisfies Record<string, ThresholdSpec>;

export type ThresholdName = keyof typeof THRESHOLD_SPECS;

/** A complete set of thresholds (units: see {@link THRESHOLD_SPECS}). */
export type Thresholds = { readonly [K in ThresholdName]: number };

export const THRESHOLD_NAMES = Object.keys(THRESHOLD_SPECS) as ThresholdName[];

function defaults(): Thresholds {
  const values = {} as Record<ThresholdName, number>;
  for (const name of THRESHOLD_NAMES) values[name] = THRESHOLD_SPECS[name].default;
  return Object.freeze(values);
}

/** The spec's thresholds; frozen. */
export const DEFAULT_THRESHOLDS: Thresholds = defaults();

/** The error text of a threshold out of range, e.g. "expected a number between 0 and 100". */
export function rangeMessage(spec: ThresholdSpec): string {
  const kind = spec.integer === true ? 'an integer' : 'a number';
  const low = spec.minExclusive === true ? `above ${spec.min}` : `between ${spec.min}`;
  return spec.minExclusive === true ? `expected ${kind} ${low} and at most ${spec.max}` : `expected ${kind} ${low} and ${spec.max}`;
}

function thresholdSchema(spec: ThresholdSpec): z.ZodNumber {
  const error = rangeMessage(spec);
  let schema = z.number({ error });
  if (spec.integer === true) schema = schema.int({ error });
  schema = spec.minExclusive === true ? schema.gt(spec.min, { error }) : schema.min(spec.min, { error });
  return schema.max(spec.max, { error });
}

/** Zod shape of every threshold, each optional (a file gives only what it changes). */
export function partialThresholdShape(): { [K in ThresholdName]: z.ZodOptional<z.ZodNumber> } {
  const shape = {} as { [K in ThresholdName]: z.ZodOptional<z.ZodNumber> };
  for (const name of THRESHOLD_NAMES) shape[name] = thresholdSchema(THRESHOLD_SPECS[name]).optional();
  return shape;
}

/** Pairs that must keep their order after merging: [lower, higher, strict]. */
const ORDERED_PAIRS: ReadonlyArray<readonly [ThresholdName, ThresholdName, boolean]> = [
  ['highFatigueAmberPct', 'highFatigueRedPct', true],
  ['readinessAmberPct', 'readinessRedPct', false],
  ['exposureRatioLow', 'exposureRatioHigh', true],
];

/** Cross-threshold problems of a merged set, as [threshold name, message] (empty when consistent). */
export function thresholdOrderProblems(thresholds: Thresholds): Array<readonly [ThresholdName, string]> {
  const problems: Array<readonly [ThresholdName, string]> = [];
  for (const [lower, higher, strict] of ORDERED_PAIRS) {
    const bad = strict ? thresholds[higher] <= thresholds[lower] : thresholds[higher] < thresholds[lower];
    if (bad) problems.push([higher, `must be ${strict ? 'above' : 'at least'} ${lower} (${thresholds[lower]}), got ${thresholds[higher]}`]);
  }
  return problems;
}
