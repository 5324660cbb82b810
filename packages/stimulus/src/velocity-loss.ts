/** The minimal rep shape the set metrics need. */
export interface RepVelocity {
  readonly repIndex: number;
  readonly meanVelocity: number;
}

/** How many of a set's first reps the velocity-loss reference may come from. */
export const VELOCITY_REFERENCE_REPS = 3;

/**
 * Velocity loss of each rep against the fastest of the set's first reps, as a fraction:
 * `VL_i = 1 − v_i / v_ref`, `v_ref = max(v_1 … v_min(3, i))` (Pérez-Castilla et al. 2024; model
 * spec "Per rep" step 2). Reps are ordered by repIndex; the "first reps" are the first three present.
 * Returns a map repIndex → VL (negative when a rep is faster than the reference; never below
 * MIN_VELOCITY_LOSS).
 */
/**
 * Floor of a velocity loss (as a fraction). The protocol accepts any velocity above 0, so a set whose
 * first reps are absurdly slow would otherwise give an infinite negative loss, which no TSDB stores.
 */
export const MIN_VELOCITY_LOSS = -1e6;

export function velocityLosses(reps: readonly RepVelocity[]): Map<number, number> {
  const ordered = [...reps].sort((a, b) => a.repIndex - b.repIndex);
  const losses = new Map<number, number>();
  let reference = 0;
  ordered.forEach((rep, position) => {
    if (position < VELOCITY_REFERENCE_REPS) reference = Math.max(reference, rep.meanVelocity);
    losses.set(rep.repIndex, Math.max(MIN_VELOCITY_LOSS, 1 - rep.meanVelocity / reference));
  });
  return losses;
}
