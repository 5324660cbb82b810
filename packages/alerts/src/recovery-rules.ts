/**
 * incomplete_recovery (heart rate, device protocol v1.1): a working set that starts while the athlete's heart
 * rate is still at or above `incompleteRecoveryHrReservePct` of the heart-rate reserve. Off unless the alert
 * config enables it (`optionalRules.incomplete_recovery`).
 *
 * The heart rate at the set's start is the median of the athlete's readings (one a second, from any `hr`
 * station) in [first rep − 10 s, first rep], and needs at least 3 of them. Before the first rep because the
 * heart rate answers an effort only after several seconds, so what lies there is the state the set began in;
 * 10 s because during a rest the heart rate changes by a few bpm in that time, while a strap that drops a few
 * readings still leaves enough; the median because one artifact (a spike from strap movement, a doubled beat)
 * must not decide, which it would for the latest reading or, less so, for the mean.
 */
import { DEFAULT_CONSTANTS, heartRateProfile, hrReserveFraction, onePerSecond, type HeartRateProfileInput, type ModelConstants } from '@neurolift/stimulus';
import { setScope, type AlertCandidate } from './alert-candidate.js';
import { below, fixed, formatPair, median, plain } from './compare.js';
import { FIXED_SEVERITY } from './rules.js';
import { isWorkingSet } from './athlete-history.js';
import type { SetCloseView } from './set-close-rules.js';
import type { Thresholds } from './thresholds.js';

/** How far before the first rep the set's start heart rate is read, ms. */
export const SET_START_HR_WINDOW_MS = 10_000;
/** Readings the window needs (it holds 11 at one a second): fewer means no start heart rate. */
export const SET_START_HR_MIN_READINGS = 3;

/** One heart-rate reading: epoch ms and bpm (what `HeartRateStore.seconds` returns). */
export interface HeartRateReading {
  readonly ts: number;
  readonly bpm: number;
}

/** The window whose readings give a set's start heart rate: [first rep − 10 s, first rep], both included. */
export function setStartWindow(firstRepTs: number): { readonly fromTs: number; readonly toTs: number } {
  return { fromTs: firstRepTs - SET_START_HR_WINDOW_MS, toTs: firstRepTs };
}

/**
 * The heart rate at a set's start, bpm: the median of the readings in {@link setStartWindow} (one per second,
 * the higher of two in one second), or undefined with fewer than {@link SET_START_HR_MIN_READINGS} of them.
 * Readings outside the window are ignored, so the caller may pass a wider stretch.
 */
export function setStartHeartRate(readings: readonly HeartRateReading[], firstRepTs: number): number | undefined {
  const { fromTs, toTs } = setStartWindow(firstRepTs);
  const inside = onePerSecond(readings.filter((reading) => reading.ts >= fromTs && reading.ts <= toTs && reading.bpm > 0));
  if (inside.length < SET_START_HR_MIN_READINGS) return undefined;
  return median(inside.map((reading) => reading.bpm));
}

export interface IncompleteRecoveryInput {
  /** The closed set as the set-close rules see it ({@link setCloseViewFromFold}). */
  readonly view: SetCloseView;
  /** The athlete's heart rate around the set's start, any station (at least {@link setStartWindow}). */
  readonly heartRate: readonly HeartRateReading[];
  /** The athlete's heart-rate profile (restingHr, maxHr, birthYear); the model's defaults fill the gaps. */
  readonly profile?: HeartRateProfileInput | undefined;
  readonly thresholds: Thresholds;
  /** Whether the gym has the rule on ({@link ruleEnabled}); nothing fires when off. */
  readonly enabled: boolean;
  readonly constants?: ModelConstants | undefined;
}

/**
 * incomplete_recovery: a working set ({@link isWorkingSet}) whose start heart rate ({@link setStartHeartRate}) is
 * at or above `incompleteRecoveryHrReservePct` of the heart-rate reserve, r = (bpm − rest)/(max − rest) with the
 * model's `heartRateProfile` at the set's date (profile values, else 208 − 0.7·age, else the defaults 60/190).
 * Amber, scope `set/<stationId>.<setId>`: once per set, whenever the heart rate arrives (the same candidate on
 * every evaluation). Nothing when disabled, for a set that is not a working set, or without a start heart rate.
 */
export function incompleteRecoveryAlerts(input: IncompleteRecoveryInput): AlertCandidate[] {
  if (!input.enabled) return [];
  const { view, thresholds } = input;
  const { set, model } = view.current;
  if (!isWorkingSet(model, thresholds)) return [];
  const startBpm = setStartHeartRate(input.heartRate, model.firstTs);
  if (startBpm === undefined) return [];
  const hr = heartRateProfile(input.profile ?? {}, model.firstTs, input.constants ?? DEFAULT_CONSTANTS);
  if (!(hr.maxHr > hr.restingHr)) return [];
  const reservePct = hrReserveFraction(startBpm, hr) * 100;
  const threshold = thresholds.incompleteRecoveryHrReservePct;
  if (below(reservePct, threshold)) return [];
  const [value, limit] = formatPair(reservePct, threshold, 0, 2);
  const defaults = [hr.flags.includes('default_resting_hr') ? 'resting' : undefined, hr.flags.includes('default_max_hr') ? 'maximum' : undefined].filter((flag) => flag !== undefined);
  const basis = `rest ${plain(hr.restingHr, 0)}, max ${plain(hr.maxHr, 0)} bpm${defaults.length > 0 ? `, default ${defaults.join(' and ')}` : ''}`;
  const message =
    `Athlete ${view.athleteId}: set ${set.setId} (${set.exercise}) started at ${fixed(startBpm, 0)} bpm, ` +
    `${value} % of heart-rate reserve (${basis}), at or above ${limit} %: recovery may be incomplete`;
  return [
    {
      rule: 'incomplete_recovery',
      severity: FIXED_SEVERITY.incomplete_recovery,
      gymId: set.gymId,
      stationId: set.stationId,
      athleteId: view.athleteId,
      setId: set.setId,
      exercise: set.exercise,
      sessionId: view.sessionId,
      scope: setScope(set.stationId, set.setId),
      value: reservePct,
      threshold,
      unit: 'percent',
      message,
      ts: model.firstTs,
    },
  ];
}
