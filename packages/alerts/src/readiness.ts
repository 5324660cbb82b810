/**
 * The two e1RM figures readiness_drop compares: today's, from the session's first working set of an exercise,
 * and the athlete's 28-day baseline, with the baseline's typical error.
 *
 * Why not the model's e1RM of the set: with a usable load–velocity profile (source `lvp`) it is fitted on the
 * sets *before* this one, and a coach-entered 1RM (`profile`) is a constant, so neither moves with today's
 * performance. Readiness needs a figure that does:
 *  1. `load_velocity_profile`: the model's profile over the 28 days before the session (loadVelocityProfile,
 *     same window, thresholds and MVT). Baseline = its e1RM. Today = the load at which a line of the profile's
 *     slope through today's (load, fastest rep) reaches the MVT. Typical error = the profile's standard error of
 *     estimate (residual SD of velocity) divided by |slope|, i.e. the scatter of one set's e1RM around the line.
 *  2. `generic_curve` (no usable profile; bench press and squat variants): the model's generic curve applied
 *     to the first rep, for today and for the first working set of each earlier session of the exercise in the
 *     window. Baseline = their mean; typical error = their SD (needs readinessMinBaselineSessions sessions).
 * Otherwise (other exercises without a profile) readiness is not evaluated: Epley depends on how many reps
 * the athlete chose to do, not on readiness.
 */
import { DAY_MS, genericCurvePct, loadVelocityProfile, type ModelConstants, type ModelledSet } from '@neurolift/stimulus';

/** What readiness reads of a set: its times, load, fastest and first rep (the model's terms of the set). */
export interface ReadinessSet {
  /** `<station>.<set>`. */
  readonly key: string;
  readonly exercise: string;
  readonly firstTs: number;
  readonly lastTs: number;
  /** Mean rep load, kg. */
  readonly loadKg: number;
  /** Fastest rep's mean velocity, m/s. */
  readonly bestVelocity: number;
  /** Mean velocity of the rep with the lowest index, m/s. */
  readonly firstRepVelocity: number;
}

/** A modelled set as readiness reads it. */
export function readinessSetOf(entry: ModelledSet): ReadinessSet {
  const first = [...entry.set.reps].sort((a, b) => a.repIndex - b.repIndex)[0];
  const { firstTs, lastTs, loadKg, bestVelocity } = entry.model;
  return { key: entry.set.key, exercise: entry.set.exercise, firstTs, lastTs, loadKg, bestVelocity, firstRepVelocity: first?.meanVelocity ?? Number.NaN };
}

export type ReadinessMethod = 'load_velocity_profile' | 'generic_curve';

export interface ReadinessEstimate {
  readonly method: ReadinessMethod;
  /** Today's e1RM, kg. */
  readonly todayKg: number;
  /** The 28-day baseline e1RM, kg (> 0). */
  readonly baselineKg: number;
  /** (baseline − today) / baseline, percent; positive when today is below the baseline. */
  readonly dropPct: number;
  /** Typical error of one estimate, percent of the baseline. */
  readonly typicalErrorPct: number;
  /** Sets (profile) or sessions (generic curve) behind the baseline. */
  readonly baselineCount: number;
}

export interface ReadinessInput {
  /** The session's first working set of the exercise. */
  readonly current: ReadinessSet;
  /** The first working set of the exercise in each earlier session (generic-curve baseline), any order. */
  readonly earlierFirstWorking: readonly ReadinessSet[];
  /** Every set of the exercise that ended before the session started (profile baseline), any order. */
  readonly earlierSets: readonly ReadinessSet[];
  /** The session's first rep, epoch ms: nothing of the session itself enters the baseline. */
  readonly sessionStartTs: number;
  readonly mvtMps: number;
  readonly minBaselineSessions: number;
  readonly constants: ModelConstants;
}

/** The model's generic-curve e1RM of a set (as estimateE1rm computes it), kg; undefined without a curve. */
function genericE1rm(entry: ReadinessSet, constants: ModelConstants): number | undefined {
  const velocity = entry.firstRepVelocity;
  if (!(entry.loadKg > 0) || !(velocity > 0)) return undefined;
  const pct = genericCurvePct(entry.exercise, velocity, constants);
  return pct === undefined ? undefined : entry.loadKg / (pct / 100);
}

function estimate(method: ReadinessMethod, todayKg: number, baselineKg: number, typicalErrorKg: number, baselineCount: number): ReadinessEstimate | undefined {
  if (![todayKg, baselineKg, typicalErrorKg].every(Number.isFinite) || !(baselineKg > 0)) return undefined;
  const dropPct = ((baselineKg - todayKg) / baselineKg) * 100;
  return { method, todayKg, baselineKg, dropPct, typicalErrorPct: (typicalErrorKg / baselineKg) * 100, baselineCount };
}

function fromProfile(input: ReadinessInput): ReadinessEstimate | undefined {
  const { current, constants, mvtMps } = input;
  const windowStart = current.firstTs - constants.lvpWindowDays * DAY_MS;
  // The planner's history entries: mean rep load, fastest rep, last rep time.
  const entries = input.earlierSets
    .filter((entry) => entry.lastTs < input.sessionStartTs && entry.lastTs >= windowStart)
    .map((entry) => ({ setId: entry.key, ts: entry.lastTs, loadKg: entry.loadKg, bestVelocity: entry.bestVelocity }));
  const profile = loadVelocityProfile(entries, { setTs: current.firstTs, setId: current.key, mvt: mvtMps, constants });
  if (profile.e1rmKg === undefined || !(profile.slope < 0)) return undefined;
  let squares = 0;
  for (const entry of entries) squares += (entry.bestVelocity - profile.intercept - profile.slope * entry.loadKg) ** 2;
  const residualSd = profile.points > 2 ? Math.sqrt(squares / (profile.points - 2)) : 0;
  const todayKg = current.loadKg + (current.bestVelocity - mvtMps) / -profile.slope;
  return estimate('load_velocity_profile', todayKg, profile.e1rmKg, residualSd / -profile.slope, profile.points);
}

function fromGenericCurve(input: ReadinessInput): ReadinessEstimate | undefined {
  const todayKg = genericE1rm(input.current, input.constants);
  if (todayKg === undefined) return undefined;
  const windowStart = input.current.firstTs - input.constants.lvpWindowDays * DAY_MS;
  const baseline = input.earlierFirstWorking
    .filter((entry) => entry.lastTs < input.sessionStartTs && entry.firstTs >= windowStart)
    .map((entry) => genericE1rm(entry, input.constants))
    .filter((value): value is number => value !== undefined);
  if (baseline.length < Math.max(2, input.minBaselineSessions)) return undefined;
  const mean = baseline.reduce((sum, value) => sum + value, 0) / baseline.length;
  const variance = baseline.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (baseline.length - 1);
  return estimate('generic_curve', todayKg, mean, Math.sqrt(variance), baseline.length);
}

/** Today's e1RM against the 28-day baseline, or undefined when neither method applies. */
export function readinessEstimate(input: ReadinessInput): ReadinessEstimate | undefined {
  return fromProfile(input) ?? fromGenericCurve(input);
}
