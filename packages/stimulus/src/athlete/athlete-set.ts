import type { LvpHistoryEntry } from '../model/e1rm.js';
import type { ModelRep } from '../model/set-model.js';

/**
 * What an athlete's state keeps of one set: enough to recompute its model later (when an earlier set
 * arrives late, or the profile changes), identified by `key` so that storing it again is a no-op.
 */
export interface AthleteSet {
  /** `<stationId>.<setId>`: unique per athlete (set ids are unique per station; ids contain no `.`). */
  readonly key: string;
  readonly gymId: string;
  readonly stationId: string;
  readonly setId: string;
  readonly exercise: string;
  readonly reps: readonly ModelRep[];
  /**
   * Time of the set's `set` point: its last rep's ts when it first closed. A late rep that re-closes
   * the set keeps it, so the set keeps one point (absent in sets stored before it existed: last rep's ts).
   */
  readonly pointTs?: number | undefined;
}

export function athleteSetKey(stationId: string, setId: string): string {
  return `${stationId}.${setId}`;
}

/** First and last rep time of a set, epoch ms. */
export function setSpan(set: AthleteSet): { firstTs: number; lastTs: number } {
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  for (const rep of set.reps) {
    firstTs = Math.min(firstTs, rep.ts);
    lastTs = Math.max(lastTs, rep.ts);
  }
  return { firstTs, lastTs };
}

/** The load–velocity profile's entry of a set: mean rep load, fastest rep, last rep time. */
export function lvpEntry(set: AthleteSet): LvpHistoryEntry {
  return {
    setId: set.key,
    ts: setSpan(set).lastTs,
    loadKg: set.reps.reduce((sum, rep) => sum + rep.loadKg, 0) / set.reps.length,
    bestVelocity: Math.max(...set.reps.map((rep) => rep.meanVelocity)),
  };
}
