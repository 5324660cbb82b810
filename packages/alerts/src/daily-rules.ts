/**
 * Rules the service runs once a day per athlete, at the gym's dailyLocalTime: low_exposure and exposure_change.
 * Both judge the last complete UTC day before the run (the model's days are UTC days), so the result does not
 * depend on the hour the job runs and a re-run the same day yields the same scope `day/YYYY-MM-DD`.
 */
import { DEFAULT_CONSTANTS, computeExposure, dayOf, endOfDay, type ModelConstants } from '@neurolift/stimulus';
import { dayScope, type AlertCandidate } from './alert-candidate.js';
import { above, below, formatPair, plain } from './compare.js';
import { FIXED_SEVERITY } from './rules.js';
import type { Thresholds } from './thresholds.js';

/** A session as the daily rules need it (a {@link SessionView} fits). */
export interface DailySessionInput {
  /** Its last rep, epoch ms: decides its UTC day, as for the daily load. */
  readonly endTs: number;
  readonly nsi: number;
}

export interface DailyInput {
  readonly athleteId: string;
  /** The gym the alert goes to (the athlete's home gym, or the gym of the last set). */
  readonly gymId: string;
  /** Time of the scheduled run, epoch ms; the day judged is the UTC day before the one holding it. */
  readonly asOfMs: number;
  /** The athlete's sessions, at least those of the window ({@link sessionsOf}(history)). */
  readonly sessions: readonly DailySessionInput[];
  /** The persisted daily loads by UTC day, all of them: the exposure EWMAs start at the first training day. */
  readonly dailyLoads: ReadonlyMap<number, number>;
  readonly thresholds: Thresholds;
  readonly constants?: ModelConstants | undefined;
}

/** The UTC day the daily rules judge: the last complete one before asOfMs. */
export function judgedDay(asOfMs: number): number {
  return dayOf(asOfMs) - 1;
}

function isoDay(day: number): string {
  return dayScope(day).slice('day/'.length);
}

function dayFields(input: DailyInput, day: number): Pick<AlertCandidate, 'gymId' | 'athleteId' | 'scope' | 'ts'> {
  return { gymId: input.gymId, athleteId: input.athleteId, scope: dayScope(day), ts: endOfDay(day) };
}

/**
 * low_exposure: fewer than lowExposureMinSessions sessions with NSI ≥ lowExposureSessionNsi ended in the
 * lowExposureWindowDays UTC days up to the judged day. Only once the athlete's data cover the whole window (first
 * training day on or before its first day), so a new athlete is not flagged for the days before they started.
 */
export function lowExposureAlerts(input: DailyInput): AlertCandidate[] {
  const t = input.thresholds;
  const day = judgedDay(input.asOfMs);
  const windowStart = day - t.lowExposureWindowDays + 1;
  const days = [...input.dailyLoads.keys(), ...input.sessions.map((session) => dayOf(session.endTs))];
  if (days.length === 0 || Math.min(...days) > windowStart) return [];
  const count = input.sessions.filter((session) => {
    const sessionDay = dayOf(session.endTs);
    return sessionDay >= windowStart && sessionDay <= day && Number.isFinite(session.nsi) && !below(session.nsi, t.lowExposureSessionNsi);
  }).length;
  if (count >= t.lowExposureMinSessions) return [];
  const sessions = count === 1 ? 'session' : 'sessions';
  const message =
    `Athlete ${input.athleteId}: ${count} ${sessions} with a neurotrophic stimulus index (model) of at least ${plain(t.lowExposureSessionNsi)} ` +
    `in the ${t.lowExposureWindowDays} days to ${isoDay(day)}, fewer than ${t.lowExposureMinSessions}`;
  return [{ rule: 'low_exposure', severity: FIXED_SEVERITY.low_exposure, ...dayFields(input, day), value: count, threshold: t.lowExposureMinSessions, unit: 'sessions', message }];
}

/**
 * exposure_change: the model's A7/C28 on the judged day (computeExposure over the persisted daily loads) above
 * exposureRatioHigh or below exposureRatioLow. The model gives no ratio before 28 days of data, so neither does
 * this rule. The ratio is descriptive, never an injury or risk predictor, and the message says so.
 */
export function exposureChangeAlerts(input: DailyInput): AlertCandidate[] {
  const t = input.thresholds;
  const day = judgedDay(input.asOfMs);
  const point = computeExposure(input.dailyLoads, day, input.constants ?? DEFAULT_CONSTANTS).at(-1);
  if (point === undefined || point.day !== day || point.ratio === undefined || !Number.isFinite(point.ratio)) return [];
  const ratio = point.ratio;
  const direction = above(ratio, t.exposureRatioHigh) ? 'above' : below(ratio, t.exposureRatioLow) ? 'below' : undefined;
  if (direction === undefined) return [];
  const threshold = direction === 'above' ? t.exposureRatioHigh : t.exposureRatioLow;
  const [value, limit] = formatPair(ratio, threshold, 2, 3);
  const message =
    `Athlete ${input.athleteId}: 7-day neurotrophic stimulus index (model) exposure is ${value} × the 28-day exposure ` +
    `on ${isoDay(day)} (A7 ${plain(point.a7, 1)}, C28 ${plain(point.c28, 1)}), ${direction} ${limit}; a change in training, descriptive only`;
  return [{ rule: 'exposure_change', severity: FIXED_SEVERITY.exposure_change, ...dayFields(input, day), value: ratio, threshold, unit: 'ratio', message }];
}

/** Every daily rule for one athlete. */
export function dailyAlerts(input: DailyInput): AlertCandidate[] {
  return [...lowExposureAlerts(input), ...exposureChangeAlerts(input)];
}
