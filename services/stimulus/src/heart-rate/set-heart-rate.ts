import { hrPeak, hrRecovery60s, setSpan, type AthleteSet, type ModelConstants } from '@neurolift/stimulus';
import type { AthleteStore, HeartRateStore } from '@neurolift/storage';
import { setHeartRateLine } from '../points.js';
import type { PointSink } from '../ports.js';

export interface SetHeartRateDeps {
  readonly athletes: AthleteStore;
  readonly heartRate: HeartRateStore;
  readonly constants: ModelConstants;
}

/**
 * The heart-rate fields of a stored set's point (hr_peak, hr_recovery_60s): its window of the athlete's
 * heart rate, and when the athlete's next set starts (a recovery overlapping it is not one). undefined
 * when no heart rate covers the set.
 */
export async function setHeartRateLineOf(athleteId: string, set: AthleteSet, deps: SetHeartRateDeps): Promise<string | undefined> {
  if (set.reps.length === 0) return undefined;
  const { firstTs, lastTs } = setSpan(set);
  const { constants } = deps;
  const readings = await deps.heartRate.seconds(athleteId, firstTs - constants.hrPeakBeforeMs, lastTs + Math.max(constants.hrPeakAfterMs, constants.hrRecoveryToMs));
  if (readings.length === 0) return undefined;
  const peak = hrPeak(readings, firstTs, lastTs, constants);
  const next = await deps.athletes.nextEntry(athleteId, set.key);
  const recovery60s = hrRecovery60s(readings, lastTs, peak, next?.firstTs, constants);
  const owner = { gymId: set.gymId, stationId: set.stationId, athleteId, exercise: set.exercise, setId: set.setId };
  return setHeartRateLine(owner, set.pointTs ?? lastTs, { peak, recovery60s });
}

/**
 * A set was stored: its heart-rate fields, when heart rate came first, and those of the athlete's sets that
 * ended less than the recovery window before it started (their hr_recovery_60s stops applying).
 */
export async function writeHeartRateFields(athleteId: string, set: AthleteSet, deps: SetHeartRateDeps & { readonly sink: PointSink }): Promise<void> {
  if (set.reps.length === 0) return;
  const { firstTs } = setSpan(set);
  const before = await deps.athletes.entries(athleteId, undefined, firstTs - deps.constants.hrRecoveryToMs, firstTs);
  const sets = [set];
  for (const entry of before) {
    const earlier = entry.key === set.key ? undefined : (await deps.athletes.record(athleteId, entry.key))?.set;
    if (earlier !== undefined) sets.push(earlier);
  }
  const lines: string[] = [];
  for (const each of sets) {
    const line = await setHeartRateLineOf(athleteId, each, deps);
    if (line !== undefined) lines.push(line);
  }
  if (lines.length > 0) await deps.sink.write(lines);
}
