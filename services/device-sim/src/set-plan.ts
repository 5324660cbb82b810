import type { ExerciseProfile } from './exercises.js';
import { uniform, type Random } from './prng.js';

/** What a station's athlete does in every set of the session: N reps at one load. */
export interface SetScheme {
  readonly loadKg: number;
  /** load / 1RM, after rounding the load to plates. */
  readonly intensity: number;
  readonly reps: number;
  /** Planned reps in reserve at the end of the set (proximity to failure). */
  readonly repsInReserve: number;
}

export interface PlannedRep {
  readonly repIndex: number;
  /** m/s */
  readonly meanVelocity: number;
  readonly peakVelocity: number;
  /** m */
  readonly rom: number;
  readonly concentricMs: number;
  readonly eccentricMs: number;
  /** From the end of the previous rep (or the set start) to the start of this rep's eccentric phase. */
  readonly pauseBeforeMs: number;
}

const PLATE_KG = 2.5;
const MIN_REPS = 3;
const MAX_REPS = 20;
/** Within-set velocity loss is kept in this band (Pareja-Blanco et al. 2017 trained 20 % vs 40 %). */
export const VELOCITY_LOSS_RANGE = [0.1, 0.45] as const;
/** Accumulated fatigue: each further set of the session loses this much more velocity, and starts this much slower. */
const EXTRA_LOSS_PER_SET = 0.02;
const SLOWER_START_PER_SET = 0.01;
const MAX_SESSION_LOSS = 0.5;
/** Rep-to-rep velocity noise, ± this fraction (small, so a set still declines). */
const VELOCITY_NOISE = 0.015;

/**
 * Reps to failure at a relative intensity: 30·(1/I − 1) + 1 (an assumption, the same prior the
 * stimulus model uses for reps in reserve): about 4 at 90 %, 14 at 70 %.
 */
export function repsToFailure(intensity: number): number {
  return 30 * (1 / intensity - 1) + 1;
}

/**
 * A session scheme: 65–90 %1RM (load rounded to 2.5 kg plates), stopping after 40–100 % of the reps
 * possible (to failure), at least 3 reps.
 */
export function planScheme(random: Random, oneRmKg: number): SetScheme {
  const target = uniform(random, 0.65, 0.9);
  const loadKg = Math.max(PLATE_KG, Math.round((target * oneRmKg) / PLATE_KG) * PLATE_KG);
  const intensity = loadKg / oneRmKg;
  const possible = repsToFailure(intensity);
  const reps = clamp(Math.round(possible * uniform(random, 0.4, 1)), MIN_REPS, MAX_REPS);
  return { loadKg, intensity, reps, repsInReserve: Math.max(0, Math.round(possible - reps)) };
}

/**
 * Planned velocity loss of the set (last rep vs first): velocity falls roughly linearly from the
 * first-rep velocity towards MVT, reached at failure, so loss = (v1 − MVT)/v1 · (n − 1)/(nFail − 1).
 * This reproduces the model's worked examples (4×11 @ 70 % ≈ 40 %, 5×5 @ 75 % ≈ 20 %).
 */
export function plannedVelocityLoss(exercise: ExerciseProfile, scheme: SetScheme, setIndex: number): number {
  const v1 = exercise.velocityAt(scheme.intensity);
  const toFailure = Math.max(repsToFailure(scheme.intensity), scheme.reps);
  const loss = ((v1 - exercise.mvt) / v1) * ((scheme.reps - 1) / Math.max(1, toFailure - 1));
  const [low, high] = VELOCITY_LOSS_RANGE;
  return Math.min(MAX_SESSION_LOSS, clamp(loss, low, high) + EXTRA_LOSS_PER_SET * setIndex);
}

/**
 * The reps of set number `setIndex` (0-based) of a session: mean velocity declining linearly by the
 * planned loss with ±1.5 % noise; peak 1.3–1.8 × mean; ROM nominal ± 3 %; concentric time from ROM
 * and velocity; eccentric 1.2–2.5 s; pauses that lengthen as the set gets harder.
 */
export function planReps(random: Random, exercise: ExerciseProfile, scheme: SetScheme, setIndex: number): PlannedRep[] {
  const loss = plannedVelocityLoss(exercise, scheme, setIndex);
  const firstVelocity = exercise.velocityAt(scheme.intensity) * (1 - Math.min(0.1, SLOWER_START_PER_SET * setIndex));
  const reps: PlannedRep[] = [];
  for (let i = 1; i <= scheme.reps; i++) {
    const progress = (i - 1) / (scheme.reps - 1);
    const meanVelocity = round(firstVelocity * (1 - loss * progress) * (1 + uniform(random, -VELOCITY_NOISE, VELOCITY_NOISE)), 3);
    const rom = round(exercise.nominalRomM * uniform(random, 0.97, 1.03), 3);
    reps.push({
      repIndex: i,
      meanVelocity,
      peakVelocity: round(meanVelocity * uniform(random, 1.3, 1.8), 3),
      rom,
      concentricMs: Math.max(1, Math.round((rom / meanVelocity) * 1000)),
      eccentricMs: Math.round(uniform(random, 1200, 2500)),
      pauseBeforeMs: Math.round(i === 1 ? uniform(random, 2000, 5000) : uniform(random, 300, 900) * (1 + progress)),
    });
  }
  return reps;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
