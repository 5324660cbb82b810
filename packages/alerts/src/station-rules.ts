/** station_offline: a station reports `online: false` while one of its sets is open. */
import { setScope, type AlertCandidate } from './alert-candidate.js';
import { FIXED_SEVERITY } from './rules.js';

/** The station's open set, as the set state knows it. */
export interface OpenSet {
  readonly setId: string;
  readonly athleteId: string;
  readonly exercise: string;
}

export interface StationStatusInput {
  readonly gymId: string;
  readonly stationId: string;
  /** The status message's `online`. */
  readonly online: boolean;
  /** The status message's ts, else when it was received, epoch ms. */
  readonly ts: number;
  /** The set open on the station when the status arrived, if any. */
  readonly openSet?: OpenSet | undefined;
}

/**
 * One candidate when the station went offline with a set open; none when online or idle. Scope: the set, so a
 * repeated offline status during the same set does not raise another. There is no measured value: value and
 * threshold are 0, unit `none`.
 */
export function stationOfflineAlerts(input: StationStatusInput): AlertCandidate[] {
  const set = input.openSet;
  if (input.online || set === undefined) return [];
  const message =
    `Station ${input.stationId} went offline during set ${set.setId} of athlete ${set.athleteId} (${set.exercise}); ` +
    'reps after this point may be missing';
  return [
    {
      rule: 'station_offline',
      severity: FIXED_SEVERITY.station_offline,
      gymId: input.gymId,
      stationId: input.stationId,
      athleteId: set.athleteId,
      setId: set.setId,
      exercise: set.exercise,
      scope: setScope(input.stationId, set.setId),
      value: 0,
      threshold: 0,
      unit: 'none',
      message,
      ts: input.ts,
    },
  ];
}
