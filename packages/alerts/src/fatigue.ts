/**
 * high_fatigue, shared by the in-set path (each rep) and the set-close path (the model's per-rep terms), so
 * both produce the same candidate — same scope, value and rep — and the publisher's dedupe keeps one.
 */
import { setScope, type AlertCandidate, type SetRef } from './alert-candidate.js';
import { above, formatPair } from './compare.js';
import type { Severity } from './rules.js';
import type { Thresholds } from './thresholds.js';

/** A rep's velocity loss against the set's reference (model spec "Per rep" 2), percent. */
export interface RepLoss {
  readonly repIndex: number;
  readonly ts: number;
  readonly lossPct: number;
}

/**
 * The high_fatigue candidate of a set so far: red at the first rep whose loss is > highFatigueRedPct, else amber
 * at the first rep > highFatigueAmberPct, else none. Only the highest severity reached is returned, so a set
 * that jumps past 40 % never raises a stale amber; amber and red have their own scopes (`set/<key>/amber`,
 * `set/<key>/red`), so red still fires after amber. The first crossing rep is reported, which keeps the
 * candidate the same at every later rep (idempotent under retries).
 */
export function highFatigueCandidate(set: SetRef, losses: readonly RepLoss[], thresholds: Thresholds): AlertCandidate | undefined {
  const ordered = [...losses].filter((rep) => Number.isFinite(rep.lossPct)).sort((a, b) => a.repIndex - b.repIndex);
  const levels: ReadonlyArray<readonly [Severity, number]> = [
    ['red', thresholds.highFatigueRedPct],
    ['amber', thresholds.highFatigueAmberPct],
  ];
  for (const [severity, threshold] of levels) {
    const rep = ordered.find((entry) => above(entry.lossPct, threshold));
    if (rep === undefined) continue;
    const [value, limit] = formatPair(rep.lossPct, threshold, 0, 2);
    return {
      rule: 'high_fatigue',
      severity,
      gymId: set.gymId,
      stationId: set.stationId,
      athleteId: set.athleteId,
      setId: set.setId,
      exercise: set.exercise,
      scope: `${setScope(set.stationId, set.setId)}/${severity}`,
      value: rep.lossPct,
      threshold,
      unit: 'percent',
      message: `Athlete ${set.athleteId}: velocity loss ${value} % in set ${set.setId} (${set.exercise}) at rep ${rep.repIndex}, above ${limit} %`,
      ts: rep.ts,
    };
  }
  return undefined;
}
