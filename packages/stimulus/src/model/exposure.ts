/**
 * Daily load and exposure EWMAs — model spec "Over time (per athlete)".
 *
 * Daily load L_d = Σ session NSI of UTC day d, capped at 150. A session belongs to the UTC day of its
 * last set (its endTs). Exposure: x_d = λ·L_d + (1 − λ)·x_{d−1}, λ = 2/(N + 1), N = 7 (A7) and 28 (C28)
 * (Williams et al. 2017, BJSM 51:209), starting from 0 on the day before the first training day and carried
 * across days without training (L_d = 0). The ratio A7/C28 is descriptive only (Lolli et al. 2019,
 * BJSM 53:921; Impellizzeri et al. 2020) — not an injury predictor.
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from './constants.js';
import { DAY_MS } from './time.js';

/** UTC day number of an epoch-ms time: floor(ts / 86 400 000). */
export function dayOf(ts: number): number {
  return Math.floor(ts / DAY_MS);
}

/** The last millisecond of a UTC day, epoch ms: the time of that day's exposure point. */
export function endOfDay(day: number): number {
  return (day + 1) * DAY_MS - 1;
}

/** A session as the daily load needs it. */
export interface DailySession {
  /** The session's last set end, epoch ms; it decides the session's day. */
  readonly endTs: number;
  /** The session's (final) NSI. */
  readonly nsi: number;
}

/**
 * Σ session NSI per UTC day of the session's end (uncapped; computeExposure applies the cap). Days are keys in
 * ascending order.
 */
export function dailyLoads(sessions: readonly DailySession[]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const session of sessions) {
    const day = dayOf(session.endTs);
    sums.set(day, (sums.get(day) ?? 0) + session.nsi);
  }
  return new Map([...sums].sort(([a], [b]) => a - b));
}

/** One day of exposure. */
export interface ExposurePoint {
  /** UTC day number. */
  readonly day: number;
  /** endOfDay(day), epoch ms. */
  readonly ts: number;
  /** L_d after the cap. */
  readonly dailyLoad: number;
  /** EWMA with N = 7 days. */
  readonly a7: number;
  /** EWMA with N = 28 days. */
  readonly c28: number;
  /** A7/C28, present only from the 28th day of data (day ≥ first day + 27) and when C28 > 0. */
  readonly ratio?: number;
}

/** A daily load given as a list; several entries for one day are summed. */
export interface DailyLoadEntry {
  readonly day: number;
  readonly load: number;
}

/** EWMA weight λ = 2/(N + 1) (Williams et al. 2017). */
export function ewmaWeight(days: number): number {
  return 2 / (days + 1);
}

/**
 * Exposure per day from the first training day (the earliest day present in `loads`, whatever its load) to
 * `untilDay` inclusive; empty when there is no training day or untilDay is before the first one. Entries after
 * untilDay are ignored. Each day's load is capped at dailyLoadCap (150); a negative or non-finite load counts as 0.
 * The ratio appears once 28 days of data exist, i.e. on the 28th day counted from the first training day
 * (day ≥ first + chronicEwmaDays − 1), and only when C28 > 0.
 * Throws a RangeError for a non-integer day.
 */
export function computeExposure(
  loads: ReadonlyMap<number, number> | readonly DailyLoadEntry[],
  untilDay: number,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): ExposurePoint[] {
  requireDay(untilDay);
  const byDay = new Map<number, number>();
  const entries: Iterable<readonly [number, number]> = isEntryList(loads) ? loads.map((entry) => [entry.day, entry.load] as const) : loads;
  for (const [day, load] of entries) {
    requireDay(day);
    byDay.set(day, (byDay.get(day) ?? 0) + (Number.isFinite(load) && load > 0 ? load : 0));
  }
  if (byDay.size === 0) return [];
  const firstDay = Math.min(...byDay.keys());
  const acute = ewmaWeight(constants.acuteEwmaDays);
  const chronic = ewmaWeight(constants.chronicEwmaDays);
  const ratioFrom = firstDay + Math.ceil(constants.chronicEwmaDays) - 1;

  const points: ExposurePoint[] = [];
  let state: ExposureState = { day: firstDay - 1, a7: 0, c28: 0 };
  for (let day = firstDay; day <= untilDay; day++) {
    const point = exposureDay(state, Math.min(constants.dailyLoadCap, byDay.get(day) ?? 0), acute, chronic);
    state = point;
    points.push(day >= ratioFrom && point.c28 > 0 ? { ...point, ratio: point.a7 / point.c28 } : point);
  }
  return points;
}

/** The EWMAs at the end of a day: what the next day's exposure continues from. */
export interface ExposureState {
  readonly day: number;
  readonly a7: number;
  readonly c28: number;
}

/** One day's step of both EWMAs (the single definition computeExposure and exposureOn share). */
function exposureDay(previous: ExposureState, dailyLoad: number, acute: number, chronic: number): ExposurePoint {
  const day = previous.day + 1;
  const a7 = acute * dailyLoad + (1 - acute) * previous.a7;
  const c28 = chronic * dailyLoad + (1 - chronic) * previous.c28;
  return { day, ts: endOfDay(day), dailyLoad, a7, c28 };
}

/**
 * The exposure of `day` continued from the EWMAs at the end of an earlier training day (`previous`; undefined
 * when `day` is the first training day), the days between without load: the same numbers computeExposure
 * gives for that day, without walking from the first training day. `load` is the day's uncapped load.
 */
export function exposureOn(
  previous: ExposureState | undefined,
  day: number,
  load: number,
  firstDay: number,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): ExposurePoint {
  requireDay(day);
  const acute = ewmaWeight(constants.acuteEwmaDays);
  const chronic = ewmaWeight(constants.chronicEwmaDays);
  let state: ExposureState = previous ?? { day: firstDay - 1, a7: 0, c28: 0 };
  if (state.day >= day) throw new RangeError(`exposure: day ${day} does not follow day ${state.day}`);
  while (state.day < day - 1) state = exposureDay(state, Math.min(constants.dailyLoadCap, 0), acute, chronic);
  const point = exposureDay(state, Math.min(constants.dailyLoadCap, Number.isFinite(load) && load > 0 ? load : 0), acute, chronic);
  const ratioFrom = firstDay + Math.ceil(constants.chronicEwmaDays) - 1;
  return day >= ratioFrom && point.c28 > 0 ? { ...point, ratio: point.a7 / point.c28 } : point;
}

function isEntryList(loads: ReadonlyMap<number, number> | readonly DailyLoadEntry[]): loads is readonly DailyLoadEntry[] {
  return Array.isArray(loads);
}

function requireDay(day: number): void {
  if (!Number.isSafeInteger(day)) throw new RangeError(`exposure: a day must be an integer UTC day number, got ${day}`);
}
