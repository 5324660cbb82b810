/**
 * How each simulated exercise moves. Sources (see docs/stimulus-model): bench press
 * %1RM = 8.4326·v² − 73.501·v + 112.33 (González-Badillo & Sánchez-Medina 2010); full squat MV at 1RM
 * 0.32 m/s and roughly 0.013 m/s more per %1RM below it (Sánchez-Medina 2017, Conceição 2016). The
 * other slopes, the MVTs marked as assumptions in the model catalogue and the strength ratios are
 * simulation assumptions chosen to look plausible, not measurements.
 */
export interface ExerciseProfile {
  readonly id: string;
  /** Mean velocity of a 1RM lift (minimum velocity threshold), m/s. */
  readonly mvt: number;
  /** First-rep mean concentric velocity at relative intensity `intensity` (load / 1RM, 0–1), m/s. */
  readonly velocityAt: (intensity: number) => number;
  /** Nominal concentric range of motion, m. */
  readonly nominalRomM: number;
  /** 1RM as a multiple of body mass: [weakest, strongest] simulated athlete. */
  readonly strengthRatio: readonly [number, number];
}

const linear = (mvt: number, slope: number) => (intensity: number) => mvt + slope * (1 - intensity);

/** Inverse of González-Badillo & Sánchez-Medina's bench press curve (0.17 m/s at 1RM). */
function benchVelocity(intensity: number): number {
  const a = 8.4326;
  const b = -73.501;
  const c = 112.33 - 100 * intensity;
  return (-b - Math.sqrt(b * b - 4 * a * c)) / (2 * a);
}

export const EXERCISES: readonly ExerciseProfile[] = [
  { id: 'back_squat', mvt: 0.3, velocityAt: linear(0.3, 1.2), nominalRomM: 0.6, strengthRatio: [1.2, 2.0] },
  { id: 'bench_press', mvt: 0.17, velocityAt: benchVelocity, nominalRomM: 0.4, strengthRatio: [0.8, 1.4] },
  { id: 'deadlift', mvt: 0.15, velocityAt: linear(0.15, 1.1), nominalRomM: 0.55, strengthRatio: [1.5, 2.4] },
  { id: 'front_squat', mvt: 0.3, velocityAt: linear(0.3, 1.1), nominalRomM: 0.55, strengthRatio: [1.0, 1.6] },
  { id: 'overhead_press', mvt: 0.19, velocityAt: linear(0.19, 1.1), nominalRomM: 0.5, strengthRatio: [0.5, 0.85] },
  { id: 'leg_press', mvt: 0.21, velocityAt: linear(0.21, 1.0), nominalRomM: 0.5, strengthRatio: [2.5, 4.0] },
  { id: 'row', mvt: 0.4, velocityAt: linear(0.4, 0.9), nominalRomM: 0.45, strengthRatio: [0.7, 1.1] },
];
