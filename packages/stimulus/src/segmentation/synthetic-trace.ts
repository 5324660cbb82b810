/*
 * Synthetic barbell traces with known truth, for the segmenter's tests, its benchmark and device
 * simulators. Deterministic given the injected PRNG (the core has no Math.random).
 *
 * The true bar velocity is jerk-limited: a polyline through knots (constant acceleration between
 * them) whose corners are rounded (constant jerk), so acceleration is continuous, as when muscles
 * drive the bar with a finite rate of force development. A set is a chain of movements (eccentric and
 * concentric phases) and rests: a movement accelerates to its peak velocity, cruises (slowing, with a
 * sticking dip when grinding) and brakes to a stop (lockout rounded over 40–100 ms); a paused start
 * rounds over 50–150 ms; a touch-and-go turnaround runs the braking straight into the next
 * acceleration, so v passes through zero with a finite acceleration.
 *
 * The truth is read from the exact trajectory, with the segmenter's phase definition: a concentric
 * phase is a maximal interval with v > +threshold (0.03 m/s), its ROM the displacement over it, its
 * mean velocity ROM ÷ duration. The measured position adds a slow drift (≤ ~1 mm/s) and uniform noise
 * (±noiseM) to the true position.
 */
import { mulberry32, type Prng } from './prng.js';
import { readTruth, sampleTrace } from './synthetic-sampling.js';
import { planSet } from './synthetic-set.js';
import type { SyntheticTrace, SyntheticTraceOptions } from './synthetic-types.js';

export { mulberry32, type Prng };
export { STANDARD_GRAVITY } from './synthetic-movement.js';
export { JerkLimitedTrajectory, type TrajectoryKnot } from './synthetic-trajectory.js';
export { planSet as planSyntheticSet, type SetPlan } from './synthetic-set.js';
export type { SyntheticTrace, SyntheticTraceOptions, TruthRep } from './synthetic-types.js';
export { redeliverBlocks, shuffleBlocks, splitIntoBlocks } from './synthetic-blocks.js';

/**
 * Generates one set. Every rep is a full or partial concentric preceded (squat style) or followed
 * (deadlift style) by an eccentric; bottoms are touch-and-go (~40 %) or paused 0.3–1.5 s; tops are
 * paused 0.3–2.5 s (~80 %) or touch-and-go; the set starts and ends with 0.8–2 s of rest. Movements
 * from rest start with 50–150 ms of force development (rounded corner) and stop within 40–100 ms.
 */
export function generateSyntheticTrace(prng: Prng, options: SyntheticTraceOptions): SyntheticTrace {
  const hz = options.hz;
  const t0 = options.t0 ?? 1_793_032_880_000;
  const plan = planSet(prng, options);
  const truth = readTruth(plan, t0, options.phaseThresholdMps ?? 0.03);
  const sampled = sampleTrace(prng, plan, {
    hz,
    noiseM: options.noiseM ?? 0.002,
    drift: options.drift !== false,
    withForce: options.withForce === true,
  });
  return { t0, hz, loadKg: plan.loadKg, ...sampled, truth, features: plan.features };
}
