/* Planning a synthetic set of one kind of rep (paused, touch-and-go, grinding) for the imu generator. */
import { uniform, type Prng } from '../segmentation/prng.js';
import { movementKnots, type MovementPlan } from '../segmentation/synthetic-movement.js';
import type { SetPlan } from '../segmentation/synthetic-set.js';
import { JerkLimitedTrajectory } from '../segmentation/synthetic-trajectory.js';

/**
 * paused: every bottom paused 0.3–1.5 s and every top 0.5–2.5 s (a still moment between all phases);
 * touch_and_go: no pause at all from the first rep's descent to the last lockout (no still moment
 * between reps; the bar turns at the bottom and at the top with a finite acceleration);
 * grinding: paused reps at 0.15–0.30 m/s with a sticking dip mid-way.
 */
export type ImuRepKind = 'paused' | 'touch_and_go' | 'grinding';

export interface ImuSetOptions {
  readonly kind: ImuRepKind;
  /** Reps; default 3–8. */
  readonly reps?: number;
  /** ROM, m; default 0.3–0.7. */
  readonly romM?: number;
  readonly loadKg?: number;
  /** Mean concentric velocity of the first rep (not grinding), m/s; default 0.35–1.2. */
  readonly firstVelocity?: number;
  /** 'top' (default): squat / bench style, each rep a descent then an ascent; 'bottom': deadlift style, from the floor. */
  readonly startAt?: 'top' | 'bottom';
}

/** A set of `kind` reps (squat style, or deadlift style from the floor), with 0.8–2 s of rest before and after. */
export function planImuSet(prng: Prng, options: ImuSetOptions): SetPlan {
  const n = options.reps ?? 3 + Math.floor(prng() * 6);
  const rom0 = options.romM ?? uniform(prng, 0.3, 0.7);
  const loadKg = options.loadKg ?? Math.round(uniform(prng, 20, 200));
  const v1 = options.firstVelocity ?? uniform(prng, 0.35, 1.2);
  const fatigue = uniform(prng, 0, 0.4);
  const grinding = options.kind === 'grinding';
  const touch = options.kind === 'touch_and_go';
  const traj = new JerkLimitedTrajectory(uniform(prng, 0.8, 1.6));
  const features = { touchAndGoBottom: 0, pausedBottom: 0, pausedTop: 0, touchAndGoTop: 0, partial: 0, grind: grinding };
  const rest = (seconds: number) => traj.push(seconds, 0, uniform(prng, 0.05, 0.15));
  const move = (plan: MovementPlan, joinPrevious: boolean) => {
    const knots = movementKnots(prng, plan);
    // Touch-and-go: the previous braking runs on into this acceleration (v passes through zero).
    if (joinPrevious) traj.push(traj.pop(), 0, uniform(prng, 0.05, 0.12));
    for (const [dt, v, round] of knots) traj.push(dt, v, round);
  };
  rest(uniform(prng, 0.8, 2));
  const fromFloor = options.startAt === 'bottom';
  for (let i = 0; i < n; i++) {
    const rom = rom0 * uniform(prng, 0.97, 1.03);
    let mcv = grinding ? uniform(prng, 0.15, 0.3) : v1 * (1 - (fatigue * i) / Math.max(1, n - 1));
    let concentricS = rom / mcv;
    if (concentricS < 0.3) {
      concentricS = 0.3;
      mcv = rom / concentricS;
    }
    const up: MovementPlan = { sign: 1, displacement: rom, duration: concentricS, grind: grinding, brakingG: [0.6, 1.3] };
    const down: MovementPlan = { sign: -1, displacement: rom, duration: uniform(prng, 0.7, 2), grind: false, brakingG: [0.8, 1.5] };
    const last = i === n - 1;
    if (fromFloor) {
      // Up from the floor, (pause at lockout,) back down to the floor, (pause there).
      move(up, touch && i > 0);
      if (!touch) {
        features.pausedTop++;
        rest(uniform(prng, 0.5, 2));
      } else features.touchAndGoTop++;
      move(down, touch);
      if (last) rest(uniform(prng, 1, 2));
      else if (!touch) {
        features.pausedBottom++;
        rest(uniform(prng, 0.5, 2.5));
      } else features.touchAndGoBottom++;
      continue;
    }
    move(down, touch && i > 0);
    if (!touch) {
      features.pausedBottom++;
      rest(uniform(prng, 0.3, 1.5));
    } else features.touchAndGoBottom++;
    move(up, touch);
    if (last) {
      features.pausedTop++;
      rest(uniform(prng, 1, 2));
    } else if (!touch) {
      features.pausedTop++;
      rest(uniform(prng, 0.5, 2.5));
    } else features.touchAndGoTop++;
  }
  traj.build();
  return { traj, loadKg, partial: new Set<number>(), grindFlags: Array.from({ length: n }, () => grinding), features };
}
