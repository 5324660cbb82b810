/**
 * Per-rep and per-set terms of the NSI model — model spec "Computation", "Per rep" 1–6 and "Per set".
 */
import { velocityLosses } from '../velocity-loss.js';
import { computeSetMetrics, type SetRep } from '../set-metrics.js';
import {
  DEFAULT_CONSTANTS,
  MODEL_VERSION,
  exerciseParams,
  resolveExerciseId,
  type ExerciseId,
  type ModelConstants,
  type ModelVersion,
} from './constants.js';
import type { E1rmEstimate, E1rmSource } from './e1rm.js';

/** One rep as the model needs it (device protocol v1 fields): a set rep plus its range of motion. */
export interface ModelRep extends SetRep {
  /** Concentric range of motion r, m; the exercise's nominal ROM when absent. */
  readonly rom?: number | undefined;
}

/** The model terms of one rep. All dimensionless unless stated. */
export interface RepModel {
  readonly repIndex: number;
  readonly ts: number;
  /** I = min(L/e1RM, 1.05); 0 when L = 0 or e1RM = 0. */
  readonly relIntensity: number;
  /** VL_i = 1 − v_i/v_ref, v_ref = max(v_1 … v_min(3,i)), a fraction. */
  readonly velocityLoss: number;
  /** Estimated reps in reserve after the rep, RIR_i ≥ 0. */
  readonly rir: number;
  /** w_i = L·r_i/BM (= L·g·r / (BM·g·1 m)). */
  readonly work: number;
  /** ψ_i = exp(−RIR_i/κ). */
  readonly effort: number;
  /** n_i = M·w_i·I·ψ_i. */
  readonly impulse: number;
}

/** The model terms of one set. */
export interface SetModel {
  readonly modelVersion: ModelVersion;
  /** The catalogue id the set was modelled as (unknown ids → `other`). */
  readonly exercise: ExerciseId;
  /** N = Σ n_i. */
  readonly impulse: number;
  /** VL_set = VL_n (last rep), a fraction. */
  readonly velocityLoss: number;
  /** Δλ = k_λ·M·max(0, VL_set), mmol/L. */
  readonly lactateIncrement: number;
  /** Set relative intensity: min(L_set/e1RM, 1.05) with L_set the mean rep load; 0 when e1RM = 0. */
  readonly relIntensity: number;
  /** RIR of the last rep. */
  readonly rirLast: number;
  readonly e1rmKg: number;
  readonly e1rmSource: E1rmSource;
  /** Earliest rep ts, epoch ms. */
  readonly firstTs: number;
  /** Latest rep ts, epoch ms: the set's end and point time. */
  readonly lastTs: number;
  /** Number of reps. */
  readonly reps: number;
  /** Σ(concentricMs + eccentricMs); absent durations count as 0. */
  readonly tutMs: number;
  /** Mean rep load L_set, kg. */
  readonly loadKg: number;
  /** Volume load Σ L, kg. */
  readonly volumeKg: number;
  /** Mean of the reps' mean velocities, m/s. */
  readonly meanVelocity: number;
  /** Fastest rep's mean velocity, m/s. */
  readonly bestVelocity: number;
  /** Body mass used, kg. */
  readonly bodyMassKg: number;
  /** True when the profile had no usable body mass and the default was used. */
  readonly defaultBodyMass: boolean;
  /** Per-rep terms in repIndex order. */
  readonly perRep: readonly RepModel[];
}

export interface SetModelInput {
  readonly reps: readonly ModelRep[];
  /** Exercise id; unknown ids are modelled as `other`. */
  readonly exercise: string;
  /** Athlete body mass BM, kg; the default (75 kg) when absent, non-finite or ≤ 0. */
  readonly bodyMassKg?: number | undefined;
  /** The e1RM used for the set (see estimateE1rm). */
  readonly e1rm: E1rmEstimate;
  readonly constants?: ModelConstants | undefined;
}

/**
 * Relative intensity I = min(L/e1RM, cap) (model spec "Per rep" 1). 0 when L ≤ 0 or e1RM is not a finite
 * number > 0 (load 0 ⇒ I = 0).
 */
export function relativeIntensity(loadKg: number, e1rmKg: number, constants: ModelConstants = DEFAULT_CONSTANTS): number {
  if (!(loadKg > 0) || !(e1rmKg > 0) || !Number.isFinite(e1rmKg)) return 0;
  return Math.min(loadKg / e1rmKg, constants.intensityCap);
}

/**
 * Reps in reserve after each rep (model spec "Per rep" 3), for velocities in rep order (position i = 1..n):
 * if i ≥ 3 and the least-squares slope b of v over i = 1..i is < −0.001 m/s per rep,
 * RIR_i = max(0, (v_i − MVT)/(−b)) (linear extrapolation to the MVT); otherwise
 * RIR_i = max(0, 30·(1/max(I_i, 0.3) − 1) + 1 − i) (inverse Epley, research §1.5).
 * The regressor is the rep's position in repIndex order, not the raw repIndex (gaps are ignored).
 */
export function repsInReserve(
  velocities: readonly number[],
  intensities: readonly number[],
  mvt: number,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): number[] {
  const rir: number[] = [];
  let sumV = 0;
  let sumXV = 0;
  velocities.forEach((v, position) => {
    const i = position + 1;
    sumV += v;
    sumXV += i * v;
    let slope = 0;
    if (i >= 3) {
      // Closed-form sums of x = 1..i: Σx = i(i+1)/2, Σx² = i(i+1)(2i+1)/6.
      const sumX = (i * (i + 1)) / 2;
      const sumXX = (i * (i + 1) * (2 * i + 1)) / 6;
      slope = (i * sumXV - sumX * sumV) / (i * sumXX - sumX * sumX);
    }
    if (i >= 3 && slope < -constants.rirSlopeThreshold) {
      rir.push(Math.max(0, (v - mvt) / -slope));
    } else {
      const intensity = Math.max(intensities[position] ?? 0, constants.rirFallbackMinIntensity);
      rir.push(Math.max(0, constants.rirFallbackReps * (1 / intensity - 1) + 1 - i));
    }
  });
  return rir;
}

function compareReps(a: ModelRep, b: ModelRep): number {
  if (a.repIndex !== b.repIndex) return a.repIndex - b.repIndex;
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.meanVelocity !== b.meanVelocity) return a.meanVelocity - b.meanVelocity;
  if (a.loadKg !== b.loadKg) return a.loadKg - b.loadKg;
  // Only a repeated repIndex (which the pipeline deduplicates first) gets this far; keep even that deterministic.
  return optional(a.rom) - optional(b.rom) || optional(a.concentricMs) - optional(b.concentricMs) || optional(a.eccentricMs) - optional(b.eccentricMs);
}

function optional(value: number | undefined): number {
  return value ?? -1;
}

/**
 * Computes the per-rep and per-set model terms of one set. Reps are ordered by repIndex ("rep i" is the
 * i-th rep in that order), so the result does not depend on the order reps arrive in. Returns undefined
 * for a set without reps. Pure; finite for every input device protocol v1 allows.
 *
 * Per rep: I, VL_i, RIR_i, w_i = L·r_i/BM, ψ_i = exp(−RIR_i/κ), n_i = M·w_i·I·ψ_i.
 * Per set: N = Σ n_i; VL_set = VL_n; Δλ = k_λ·M·VL_set, with a negative VL_set (last rep faster than the
 * reference) counted as 0 so that a set never lowers the lactate proxy.
 */
export function computeSetModel(input: SetModelInput): SetModel | undefined {
  if (input.reps.length === 0) return undefined;
  const constants = input.constants ?? DEFAULT_CONSTANTS;
  const exercise = resolveExerciseId(input.exercise);
  const params = exerciseParams(constants, exercise);
  const ordered = [...input.reps].sort(compareReps);
  const metrics = computeSetMetrics(ordered);
  if (metrics === undefined) return undefined;

  const bodyMassGiven = input.bodyMassKg !== undefined && Number.isFinite(input.bodyMassKg) && input.bodyMassKg > 0;
  const bodyMassKg = bodyMassGiven ? input.bodyMassKg : constants.defaultBodyMassKg;
  const e1rmKg = input.e1rm.e1rmKg;

  // Velocity loss by position, so a repeated repIndex cannot merge two reps.
  const losses = velocityLosses(ordered.map((rep, position) => ({ repIndex: position + 1, meanVelocity: rep.meanVelocity })));
  const intensities = ordered.map((rep) => relativeIntensity(rep.loadKg, e1rmKg, constants));
  const rirs = repsInReserve(
    ordered.map((rep) => rep.meanVelocity),
    intensities,
    params.mvt,
    constants,
  );

  let impulse = 0;
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  const perRep = ordered.map((rep, position): RepModel => {
    const relIntensity = intensities[position] ?? 0;
    const rir = rirs[position] ?? 0;
    const rom = rep.rom ?? params.nominalRom;
    const work = (rep.loadKg * rom) / bodyMassKg;
    const effort = Math.exp(-rir / constants.effortKappa);
    const repImpulse = params.muscleMass * work * relIntensity * effort;
    impulse += repImpulse;
    firstTs = Math.min(firstTs, rep.ts);
    lastTs = Math.max(lastTs, rep.ts);
    return {
      repIndex: rep.repIndex,
      ts: rep.ts,
      relIntensity,
      velocityLoss: losses.get(position + 1) ?? 0,
      rir,
      work,
      effort,
      impulse: repImpulse,
    };
  });

  const last = perRep[perRep.length - 1] as RepModel;
  const velocityLoss = last.velocityLoss;
  return {
    modelVersion: MODEL_VERSION,
    exercise,
    impulse,
    velocityLoss,
    lactateIncrement: constants.lactatePerVelocityLoss * params.muscleMass * Math.max(0, velocityLoss),
    relIntensity: relativeIntensity(metrics.loadKg, e1rmKg, constants),
    rirLast: last.rir,
    e1rmKg,
    e1rmSource: input.e1rm.source,
    firstTs,
    lastTs,
    reps: ordered.length,
    tutMs: metrics.tutMs,
    loadKg: metrics.loadKg,
    volumeKg: metrics.volumeKg,
    meanVelocity: metrics.meanVelocity,
    bestVelocity: metrics.bestVelocity,
    bodyMassKg,
    defaultBodyMass: !bodyMassGiven,
    perRep,
  };
}
