/**
 * e1RM (estimated one-repetition maximum) used for a set — model spec "e1RM used for a set".
 *
 * Order (first that applies):
 *  1. `lvp`: the athlete's load–velocity profile for the exercise over the last 28 days before the set,
 *     excluding the set itself, when it holds sets at ≥ 3 distinct loads and r² ≥ 0.8. Least-squares line
 *     v = a + b·L through each earlier set's (load, fastest rep mean velocity); e1RM = the load where the
 *     line reaches the exercise's MVT, (MVT − a)/b (RepOne/OpenBarbell method, research §1.3; error of
 *     such estimates 5–7 %, Banyard et al. 2017, JSCR 31:1897).
 *  2. `profile`: the coach-entered 1RM.
 *  3. `generic_curve`: bench press (González-Badillo & Sánchez-Medina 2010) or squat variants
 *     (Conceição et al. 2016) applied to the first rep's mean velocity.
 *  4. `epley`: L·(1 + n/30) on the set (research §1.5).
 */
import { DAY_MS } from './time.js';
import { DEFAULT_CONSTANTS, exerciseParams, resolveExerciseId, type ModelConstants } from './constants.js';

/** Which rule produced an e1RM. */
export type E1rmSource = 'lvp' | 'profile' | 'generic_curve' | 'epley';

/** The e1RM used for a set, kg, and the rule that produced it. */
export interface E1rmEstimate {
  readonly e1rmKg: number;
  readonly source: E1rmSource;
}

/**
 * One earlier set of the same athlete and exercise (the caller filters by athlete and exercise).
 * `bestVelocity` is the set's fastest rep mean concentric velocity, m/s; `loadKg` its load, kg;
 * `ts` its time, epoch ms (the set's last rep is the natural choice).
 */
export interface LvpHistoryEntry {
  readonly setId: string;
  readonly ts: number;
  readonly loadKg: number;
  readonly bestVelocity: number;
}

/** A least-squares load–velocity line and whether the model may use it. */
export interface LoadVelocityProfile {
  /** Sets inside the window that entered the fit. */
  readonly points: number;
  /** Distinct loads among them (exact equality of kg values). */
  readonly distinctLoads: number;
  /** a of v = a + b·L, m/s (NaN when fewer than 2 distinct loads). */
  readonly intercept: number;
  /** b of v = a + b·L, m/s per kg (NaN when fewer than 2 distinct loads). */
  readonly slope: number;
  /** Coefficient of determination of the fit, 0–1 (0 when undefined). */
  readonly r2: number;
  /** Load at which the line reaches MVT, kg; present only when the profile is usable. */
  readonly e1rmKg?: number;
  /** Why the profile is not usable; absent when it is. */
  readonly rejected?: 'too_few_loads' | 'low_r2' | 'non_negative_slope' | 'no_positive_e1rm';
}

export interface LvpQuery {
  /** Time of the set the e1RM is for, epoch ms (the set's first rep). */
  readonly setTs: number;
  /** Id of that set: history entries with this id are excluded even inside the window. */
  readonly setId?: string | undefined;
  /** Minimum velocity threshold the line is extrapolated to, m/s. */
  readonly mvt: number;
  readonly constants?: ModelConstants | undefined;
}

/**
 * Fits the load–velocity profile over the window `setTs − lvpWindowDays·24 h ≤ ts < setTs` (an entry exactly
 * 28 days old is inside; an entry at or after setTs is not "before the set"), excluding entries whose setId is
 * the current set's and entries with a non-finite load or velocity, a negative load or a velocity ≤ 0.
 *
 * Usable when: distinct loads ≥ lvpMinDistinctLoads, r² ≥ lvpMinR2, slope b < 0 (velocity must fall as load
 * rises; b ≥ 0 cannot be extrapolated to the MVT, so the profile is not usable and the caller falls through)
 * and the extrapolated load (MVT − a)/b is finite and > 0.
 *
 * Pure and independent of the order of `history`: entries are put in a canonical order (ts, setId, load,
 * velocity) before summing, so even floating-point rounding does not depend on arrival order.
 */
export function loadVelocityProfile(history: readonly LvpHistoryEntry[], query: LvpQuery): LoadVelocityProfile {
  const constants = query.constants ?? DEFAULT_CONSTANTS;
  const windowStart = query.setTs - constants.lvpWindowDays * DAY_MS;
  const points = history
    .filter(
      (entry) =>
        entry.setId !== query.setId &&
        entry.ts < query.setTs &&
        entry.ts >= windowStart &&
        Number.isFinite(entry.loadKg) &&
        entry.loadKg >= 0 &&
        Number.isFinite(entry.bestVelocity) &&
        entry.bestVelocity > 0,
    )
    .sort(compareEntries);
  const distinctLoads = new Set(points.map((entry) => entry.loadKg)).size;
  const base = { points: points.length, distinctLoads };
  if (distinctLoads < 2) {
    return { ...base, intercept: Number.NaN, slope: Number.NaN, r2: 0, rejected: 'too_few_loads' };
  }

  // Mean-centred least squares (numerically stable): b = Sxy/Sxx, a = ȳ − b·x̄, r² = Sxy²/(Sxx·Syy).
  const n = points.length;
  let sumX = 0;
  let sumY = 0;
  for (const entry of points) {
    sumX += entry.loadKg;
    sumY += entry.bestVelocity;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const entry of points) {
    const dx = entry.loadKg - meanX;
    const dy = entry.bestVelocity - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const r2 = syy > 0 ? Math.min(1, (sxy * sxy) / (sxx * syy)) : 0;
  const fit = { ...base, intercept, slope, r2 };

  if (distinctLoads < constants.lvpMinDistinctLoads) return { ...fit, rejected: 'too_few_loads' };
  if (!(slope < 0)) return { ...fit, rejected: 'non_negative_slope' };
  if (r2 < constants.lvpMinR2) return { ...fit, rejected: 'low_r2' };
  const e1rmKg = (query.mvt - intercept) / slope;
  if (!Number.isFinite(e1rmKg) || e1rmKg <= 0) return { ...fit, rejected: 'no_positive_e1rm' };
  return { ...fit, e1rmKg };
}

function compareEntries(a: LvpHistoryEntry, b: LvpHistoryEntry): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.setId !== b.setId) return a.setId < b.setId ? -1 : 1;
  if (a.loadKg !== b.loadKg) return a.loadKg - b.loadKg;
  return a.bestVelocity - b.bestVelocity;
}

/**
 * %1RM from a first rep's mean velocity by the generic curve of the exercise, clamped to
 * [genericCurveMinPct, genericCurveMaxPct] (default 30–100 %). Undefined for exercises without a curve.
 *
 * - bench_press: %1RM = 8.4326·v² − 73.501·v + 112.33 (González-Badillo & Sánchez-Medina 2010,
 *   Int J Sports Med 31:347). The parabola falls over the whole protocol range v ≤ 4.36 m/s; above
 *   ≈ 1.3 m/s it goes below 30 % (negative above ≈ 1.9 m/s), hence the lower clamp.
 * - back_squat, front_squat: MPV ≈ 0.29 + 0.0132·(100 − %1RM) (Conceição et al. 2016, J Sports Sci 34:1099)
 *   inverted: %1RM = 100 − (v − 0.29)/0.0132. Front squat uses the full-squat curve (assumption).
 *
 * Clamp: below 30 %1RM the curves are extrapolated beyond their data (and turn meaningless or negative);
 * above 100 % the first rep was at or below the 1RM velocity, which the model reads as a 1RM effort.
 */
export function genericCurvePct(exercise: string, firstRepVelocity: number, constants: ModelConstants = DEFAULT_CONSTANTS): number | undefined {
  const id = resolveExerciseId(exercise);
  const v = firstRepVelocity;
  let pct: number;
  if (id === 'bench_press') {
    pct = constants.benchCurveA2 * v * v - constants.benchCurveA1 * v + constants.benchCurveA0;
  } else if (id === 'back_squat' || id === 'front_squat') {
    pct = 100 - (v - constants.squatCurveV1rm) / constants.squatCurveSlope;
  } else {
    return undefined;
  }
  return Math.min(constants.genericCurveMaxPct, Math.max(constants.genericCurveMinPct, pct));
}

/** Epley 1RM = L·(1 + n/30) (research §1.5), L kg, n reps in the set (negative counts read as 0). */
export function epleyE1rm(loadKg: number, reps: number, constants: ModelConstants = DEFAULT_CONSTANTS): number {
  return loadKg * (1 + Math.max(0, reps) / constants.epleyDivisor);
}

export interface E1rmInput {
  /** Exercise id; unknown ids are modelled as `other` (no generic curve). */
  readonly exercise: string;
  /** Id of the current set, excluded from the profile even if it appears in `history`. */
  readonly setId?: string | undefined;
  /** Time of the current set, epoch ms (its first rep); the profile window ends just before it. */
  readonly setTs: number;
  /** Load of the current set, kg (0–1000). */
  readonly setLoadKg: number;
  /** Number of reps in the current set (for Epley). */
  readonly reps: number;
  /** Mean concentric velocity of the set's first rep (lowest repIndex), m/s (for the generic curve). */
  readonly firstRepVelocity: number;
  /** Earlier sets of this athlete and exercise; any order. */
  readonly history: readonly LvpHistoryEntry[];
  /** 1RM entered by a coach in the athlete profile, kg. */
  readonly coachOneRepMaxKg?: number | undefined;
  readonly constants?: ModelConstants | undefined;
}

/**
 * The e1RM used for a set, in the spec's order: load–velocity profile → coach 1RM → generic curve → Epley.
 *
 * A coach 1RM is used when finite and > 0. The generic curve is used for bench_press, back_squat and
 * front_squat when the set's load is > 0 and the first rep's velocity is finite and > 0 (e1RM = L / (%1RM/100)).
 * Epley always applies; a set at load 0 therefore gets e1RM 0 (and relative intensity 0) when no earlier rule applied.
 * Pure, deterministic, independent of the order of `history`.
 */
export function estimateE1rm(input: E1rmInput): E1rmEstimate {
  const constants = input.constants ?? DEFAULT_CONSTANTS;
  const { mvt } = exerciseParams(constants, input.exercise);
  const profile = loadVelocityProfile(input.history, { setTs: input.setTs, setId: input.setId, mvt, constants });
  if (profile.e1rmKg !== undefined) return { e1rmKg: profile.e1rmKg, source: 'lvp' };

  const coach = input.coachOneRepMaxKg;
  if (coach !== undefined && Number.isFinite(coach) && coach > 0) return { e1rmKg: coach, source: 'profile' };

  if (input.setLoadKg > 0 && Number.isFinite(input.firstRepVelocity) && input.firstRepVelocity > 0) {
    const pct = genericCurvePct(input.exercise, input.firstRepVelocity, constants);
    if (pct !== undefined) return { e1rmKg: input.setLoadKg / (pct / 100), source: 'generic_curve' };
  }

  return { e1rmKg: epleyE1rm(input.setLoadKg, input.reps, constants), source: 'epley' };
}
