/* The velocity profile of one synthetic movement from rest to rest (see synthetic-trace.ts). */
import { uniform, type Prng } from './prng.js';

export const STANDARD_GRAVITY = 9.81;

export interface MovementPlan {
  /** +1 concentric (up), −1 eccentric (down). */
  readonly sign: 1 | -1;
  readonly displacement: number;
  readonly duration: number;
  readonly grind: boolean;
  /** Braking limit range, g. */
  readonly brakingG: readonly [number, number];
}

/**
 * Knots [dt, velocity, rounding] of one movement from rest to rest (after its starting zero knot):
 * acceleration to the peak velocity, a declining cruise (with a sticking dip when grinding), braking
 * to zero; scaled so the polyline covers the planned displacement. Physical limits: the bar
 * accelerates at most ~0.8–2 g and brakes at most ~0.6–1.3 g by default (more than g only when the lifter pulls
 * a light bar down; the braking phase of MPV); the phases are lengthened until the limits hold.
 */
export function movementKnots(prng: Prng, plan: MovementPlan): Array<[number, number, number]> {
  const T = plan.duration;
  const g = STANDARD_GRAVITY;
  const maxAccel = plan.sign === 1 ? uniform(prng, 0.8, 2) * g : uniform(prng, 0.4, 0.8) * g;
  const maxBrake = uniform(prng, plan.brakingG[0], plan.brakingG[1]) * g;
  let accelShare = plan.grind ? uniform(prng, 0.12, 0.2) : uniform(prng, 0.25, 0.4);
  let brakeShare = plan.grind ? uniform(prng, 0.15, 0.22) : uniform(prng, 0.15, 0.3);
  const cruiseEnd = uniform(prng, 0.6, 0.95);
  const stick = uniform(prng, 0.3, 0.45);
  const stickAt = uniform(prng, 0.45, 0.55);
  let shape: Array<[number, number]> = [];
  let scale = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    shape = plan.grind
      ? [[accelShare * T, 1], [stickAt * T, stick], [(1 - brakeShare) * T, cruiseEnd], [T, 0]]
      : [[accelShare * T, 1], [(1 - brakeShare) * T, cruiseEnd], [T, 0]];
    let area = 0;
    let prevT = 0;
    let prevV = 0;
    for (const [t, v] of shape) {
      area += ((prevV + v) / 2) * (t - prevT);
      prevT = t;
      prevV = v;
    }
    scale = plan.displacement / area;
    const accel = scale / (accelShare * T);
    const brake = (cruiseEnd * scale) / (brakeShare * T);
    if (accel <= maxAccel && brake <= maxBrake) break;
    if (accel > maxAccel && accelShare < 0.45) accelShare *= 1.08;
    if (brake > maxBrake && brakeShare < 0.4) brakeShare *= 1.08;
    if (accelShare >= 0.45 && brakeShare >= 0.4) break; // as good as this duration allows
  }
  const knots: Array<[number, number, number]> = [];
  let prevT = 0;
  shape.forEach(([t, v], i) => {
    // Stopping (lockout / catch): rounded over 40–100 ms; interior corners 50–150 ms.
    const round = i === shape.length - 1 ? uniform(prng, 0.04, 0.1) : uniform(prng, 0.05, 0.15);
    knots.push([t - prevT, plan.sign * v * scale, round]);
    prevT = t;
  });
  return knots;
}
