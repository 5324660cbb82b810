import { hrPeak, hrRecovery60s, setSpan, type AthleteSet, type ModelConstants } from '@neurolift/stimulus';
import type { AthleteStore, HeartRateStore } from '@neurolift/storage';
import { setHeartRateLine } from '../points.js';

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
