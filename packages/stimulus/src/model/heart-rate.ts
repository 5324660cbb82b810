/**
 * Heart rate in the NSI model (model spec "v1.1: heart rate"): the athlete's heart-rate profile, the
 * heart-rate-reserve fraction of a sample and the aerobic (TRIMP) term of a counted sample.
 *
 * The rest of the heart-rate part is in
 *  - `heart-rate-aerobic.ts`: resistance intervals and the aerobic sum of a minute bucket of samples;
 *  - `heart-rate-set.ts`: per-set `hr_peak` and `hr_recovery_60s`, and RMSSD of beat-to-beat intervals.
 *
 * All pure. The NSI is a heuristic stimulus-dose index, not a BDNF level; heart rate adds an aerobic channel
 * to its dose, D = B/B₅₀ + λ_peak/λ₅₀ + A/A₅₀ (session.ts, `sessionDose`).
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from './constants.js';

/** Milliseconds between two heart-rate samples: device protocol v1.1 sends bpm once a second. */
export const HR_SAMPLE_PERIOD_MS = 1000;

/** Output flags of a heart-rate profile that fell back on a default. */
export type HeartRateFlag = 'default_resting_hr' | 'default_max_hr';

/** The heart-rate fields of an athlete profile (contracts `AthleteProfile`), all optional. */
export interface HeartRateProfileInput {
  /** Resting heart rate, bpm. */
  readonly restingHr?: number | undefined;
  /** Measured maximum heart rate, bpm. */
  readonly maxHr?: number | undefined;
  /** Calendar year of birth. */
  readonly birthYear?: number | undefined;
}

/** Resting and maximum heart rate used for an athlete's session. */
export interface HeartRateProfile {
  /** HRrest, bpm. */
  readonly restingHr: number;
  /** HRmax, bpm. */
  readonly maxHr: number;
  /** Which values are defaults, in the order default_resting_hr, default_max_hr. */
  readonly flags: readonly HeartRateFlag[];
}

/**
 * Age in whole years at a date from a birth year alone: the date's UTC calendar year − birthYear, at least 0.
 * The birthday is unknown, so before the birthday in that year this is one year more than the true age
 * (HRmax 0.7 bpm lower); the choice keeps the age the same for every session of a calendar year.
 */
export function ageAtDate(birthYear: number, dateMs: number): number {
  return Math.max(0, new Date(dateMs).getUTCFullYear() - birthYear);
}

/**
 * The athlete's heart-rate profile at a session's date (epoch ms; any time of that UTC day gives the same result):
 *  - HRrest: the profile's `restingHr`, else `defaultRestingHr` (60) with the flag `default_resting_hr`;
 *  - HRmax: the profile's `maxHr`; else from `birthYear`, 208 − 0.7·age at the session's date (Tanaka et al. 2001;
 *    age: {@link ageAtDate}); else `defaultMaxHr` (190) with the flag `default_max_hr`.
 * Non-finite profile values count as absent. An HRmax not above HRrest (an implausible age) makes every sample's
 * reserve fraction 0 ({@link hrReserveFraction}): no sample counts.
 */
export function heartRateProfile(
  profile: HeartRateProfileInput,
  sessionDateMs: number,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): HeartRateProfile {
  const flags: HeartRateFlag[] = [];
  let restingHr = constants.defaultRestingHr;
  if (isFiniteNumber(profile.restingHr)) restingHr = profile.restingHr;
  else flags.push('default_resting_hr');
  let maxHr: number;
  if (isFiniteNumber(profile.maxHr)) maxHr = profile.maxHr;
  else if (isFiniteNumber(profile.birthYear) && Number.isFinite(sessionDateMs)) {
    maxHr = constants.tanakaInterceptBpm - constants.tanakaSlopeBpmPerYear * ageAtDate(profile.birthYear, sessionDateMs);
  } else {
    maxHr = constants.defaultMaxHr;
    flags.push('default_max_hr');
  }
  return { restingHr, maxHr, flags };
}

/**
 * Heart-rate reserve fraction of a sample (Karvonen 1957): r = clamp((bpm − HRrest)/(HRmax − HRrest), 0, 1).
 * 0 for a non-finite bpm and when HRmax ≤ HRrest, so r ∈ [0, 1] always.
 */
export function hrReserveFraction(bpm: number, hr: Pick<HeartRateProfile, 'restingHr' | 'maxHr'>): number {
  const reserve = hr.maxHr - hr.restingHr;
  if (!(reserve > 0) || !Number.isFinite(reserve) || !Number.isFinite(bpm)) return 0;
  const r = (bpm - hr.restingHr) / reserve;
  return r <= 0 ? 0 : r >= 1 ? 1 : r;
}

/** Whether a sample of reserve fraction r is intense enough to count (r ≥ hrCountThreshold, 0.5). */
export function isCountedIntensity(r: number, constants: ModelConstants = DEFAULT_CONSTANTS): boolean {
  return r >= constants.hrCountThreshold;
}

/**
 * The aerobic term of one one-second sample of reserve fraction r: Banister's TRIMP per minute over a 1/60
 * minute, (1/60)·r·0.64·e^(1.92·r), when r ≥ 0.5; else 0. Non-decreasing in r; r above 1 is taken as 1.
 * Whether the sample lies outside every resistance interval is the caller's test (heart-rate-aerobic.ts).
 */
export function aerobicTerm(r: number, constants: ModelConstants = DEFAULT_CONSTANTS): number {
  if (!isCountedIntensity(r, constants)) return 0;
  const x = Math.min(r, 1);
  return (x * constants.trimpFactor * Math.exp(constants.trimpExponent * x)) / 60;
}

function isFiniteNumber(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}
