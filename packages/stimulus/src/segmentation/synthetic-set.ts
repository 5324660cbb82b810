/* Planning a synthetic set: reps, partials, pauses and touch-and-go turnarounds as one trajectory. */
import { uniform, type Prng } from './prng.js';
import { movementKnots, type MovementPlan } from './synthetic-movement.js';
import { JerkLimitedTrajectory } from './synthetic-trajectory.js';
import type { SyntheticTrace, SyntheticTraceOptions } from './synthetic-types.js';

/** A planned set: its exact trajectory (built) and what it contains. */
export interface SetPlan {
  readonly traj: JerkLimitedTrajectory;
  readonly loadKg: number;
  /** Indices (0-based) of the partial reps. */
  readonly partial: ReadonlySet<number>;
  /** Per rep: does it grind. */
  readonly grindFlags: readonly boolean[];
  readonly features: SyntheticTrace['features'];
}

/** The set generateSyntheticTrace describes, up to its sampling. */
export function planSet(prng: Prng, options: SyntheticTraceOptions): SetPlan {
  const n = options.reps ?? 3 + Math.floor(prng() * 10);
  const rom0 = options.romM ?? uniform(prng, 0.3, 0.7);
  const loadKg = options.loadKg ?? Math.round(uniform(prng, 20, 200));
  const v1 = options.firstVelocity ?? uniform(prng, 0.35, 1.2);
  const fatigue = uniform(prng, 0, 0.4);
  const grindLast = options.grindLastRep ?? true;
  const startAt = options.startAt ?? 'top';
  const upBraking = options.concentricBrakingG ?? [0.6, 1.3];
  const downBraking: [number, number] = [0.8, 1.5];
  const maxPartial = Math.max(0, Math.floor((n - 1) / 3));
  const partialCount = Math.min(maxPartial, Math.max(0, options.partialReps ?? Math.floor(prng() * (maxPartial + 1))));

  // Which reps are partial: never the first two, never the grinding last one.
  const candidates: number[] = [];
  for (let i = 2; i < n - (grindLast ? 1 : 0); i++) candidates.push(i);
  const partial = new Set<number>();
  while (partial.size < partialCount && candidates.length > 0) {
    const pick = Math.floor(prng() * candidates.length);
    partial.add(candidates.splice(pick, 1)[0] ?? 0);
  }

  const traj = new JerkLimitedTrajectory(uniform(prng, 0.2, 1.5));
  const features = { touchAndGoBottom: 0, pausedBottom: 0, pausedTop: 0, touchAndGoTop: 0, partial: partial.size, grind: grindLast && n > 0 };
  const grindFlags: boolean[] = [];

  // The knot ending a rest rounds the next start: 50–150 ms of force development.
  const rest = (seconds: number) => traj.push(seconds, 0, uniform(prng, 0.05, 0.15));
  /** Appends a movement; `joinPrevious` drops the zero knot before it (touch-and-go turnaround). */
  const move = (plan: MovementPlan, joinPrevious: boolean) => {
    const knots = movementKnots(prng, plan);
    if (joinPrevious) {
      // The previous braking ramp runs on into this acceleration: v passes through zero with a
      // finite acceleration; the turnaround corner is rounded over 50–120 ms.
      traj.push(traj.pop(), 0, uniform(prng, 0.05, 0.12));
    }
    for (const [dt, v, round] of knots) traj.push(dt, v, round);
  };

  rest(uniform(prng, 0.8, 2));
  let touchPrev = false;
  for (let i = 0; i < n; i++) {
    const isGrind = grindLast && i === n - 1;
    grindFlags.push(isGrind);
    const rom = partial.has(i) ? Math.max(0.12, rom0 * uniform(prng, 0.4, 0.7)) : rom0 * uniform(prng, 0.97, 1.03);
    let mcv = isGrind ? uniform(prng, 0.15, 0.25) : v1 * (1 - (fatigue * i) / Math.max(1, n - 1));
    let concentricS = rom / mcv;
    if (concentricS < 0.3) {
      concentricS = 0.3;
      mcv = rom / concentricS;
    }
    const eccentricS = uniform(prng, 0.7, 2);
    const touchBottom = !isGrind && prng() < 0.4;
    const touchTop = i < n - 1 && prng() < 0.2;
    if (startAt === 'top') {
      move({ sign: -1, displacement: rom, duration: eccentricS, grind: false, brakingG: downBraking }, touchPrev);
      if (touchBottom) features.touchAndGoBottom++;
      else {
        features.pausedBottom++;
        rest(uniform(prng, 0.3, 1.5));
      }
      move({ sign: 1, displacement: rom, duration: concentricS, grind: isGrind, brakingG: upBraking }, touchBottom);
      if (touchTop) features.touchAndGoTop++;
      else {
        features.pausedTop++;
        rest(i === n - 1 ? uniform(prng, 0.8, 2) : uniform(prng, 0.3, 2.5));
      }
      touchPrev = touchTop;
    } else {
      move({ sign: 1, displacement: rom, duration: concentricS, grind: isGrind, brakingG: upBraking }, touchPrev);
      if (touchTop) features.touchAndGoTop++;
      else {
        features.pausedTop++;
        rest(uniform(prng, 0.3, 2));
      }
      move({ sign: -1, displacement: rom, duration: eccentricS, grind: false, brakingG: downBraking }, touchTop);
      if (touchBottom && i < n - 1) {
        features.touchAndGoBottom++;
        touchPrev = true;
      } else {
        features.pausedBottom++;
        rest(i === n - 1 ? uniform(prng, 0.8, 2) : uniform(prng, 0.3, 1.5));
        touchPrev = false;
      }
    }
  }
  traj.build();
  return { traj, loadKg, partial, grindFlags, features };
}
