import { velocityLosses } from './velocity-loss.js';

/** A rep as set metrics need it (device protocol v1 fields). */
export interface SetRep {
  /** 1–1000; reps are ordered by it. Unique within a set. */
  readonly repIndex: number;
  /** Epoch ms. */
  readonly ts: number;
  /** External load L, kg (0–1000). */
  readonly loadKg: number;
  /** Mean concentric velocity v, m/s (> 0, ≤ 5). */
  readonly meanVelocity: number;
  readonly concentricMs?: number | undefined;
  readonly eccentricMs?: number | undefined;
}

/** The plain metrics of a set (model spec "Per set": reps, volume load, velocities, VL, TUT). */
export interface SetMetrics {
  readonly reps: number;
  /** Mean external load over the set's reps, kg. */
  readonly loadKg: number;
  /** Volume load Σ L, kg. */
  readonly volumeKg: number;
  /** Mean of the reps' mean concentric velocities, m/s. */
  readonly meanVelocity: number;
  /** Fastest rep's mean concentric velocity, m/s. */
  readonly bestVelocity: number;
  /** Velocity loss of the last rep, percent (VL_set = VL_n). */
  readonly velocityLossPct: number;
  /** Time under tension Σ(concentricMs + eccentricMs); absent durations count as 0. */
  readonly tutMs: number;
  /** Time of the last rep (highest repIndex), epoch ms: the set's point time. */
  readonly lastTs: number;
  /** Velocity loss of every rep, percent, by repIndex. */
  readonly repVelocityLossPct: ReadonlyMap<number, number>;
}

/**
 * Computes a set's plain metrics from its reps. Pure; independent of the order reps are given in.
 * Returns undefined for a set without reps. A repeated repIndex must already be deduplicated.
 */
export function computeSetMetrics(reps: readonly SetRep[]): SetMetrics | undefined {
  if (reps.length === 0) return undefined;
  const ordered = [...reps].sort((a, b) => a.repIndex - b.repIndex);
  const losses = velocityLosses(ordered);
  const last = ordered[ordered.length - 1] as SetRep;
  let volumeKg = 0;
  let velocitySum = 0;
  let bestVelocity = 0;
  let tutMs = 0;
  for (const rep of ordered) {
    volumeKg += rep.loadKg;
    velocitySum += rep.meanVelocity;
    bestVelocity = Math.max(bestVelocity, rep.meanVelocity);
    tutMs += (rep.concentricMs ?? 0) + (rep.eccentricMs ?? 0);
  }
  const repVelocityLossPct = new Map([...losses].map(([index, loss]) => [index, loss * 100]));
  return {
    reps: ordered.length,
    loadKg: volumeKg / ordered.length,
    volumeKg,
    meanVelocity: velocitySum / ordered.length,
    bestVelocity,
    velocityLossPct: (losses.get(last.repIndex) ?? 0) * 100,
    tutMs,
    lastTs: last.ts,
    repVelocityLossPct,
  };
}
