import type { SimAthlete } from './gym-model.js';
import { hashString, integer, mulberry32, uniform, type Random } from './prng.js';

/**
 * A simulated athlete's heart rate: resting 60–75 bpm, maximum 176–196 bpm (208 − 0.7·age, age 17–45),
 * both derived from the athlete id (its own PRNG, so adding heart rate changes nothing else of a plan).
 */
export interface HeartRateProfile {
  readonly restingBpm: number;
  readonly maxBpm: number;
}

export function heartRateProfile(athlete: Pick<SimAthlete, 'id'>): HeartRateProfile {
  const random = mulberry32(hashString(`hr/${athlete.id}`));
  const restingBpm = integer(random, 60, 75);
  const age = integer(random, 17, 45);
  return { restingBpm, maxBpm: Math.round(208 - 0.7 * age) };
}

/** One set as the heart sees it: when it is worked, and how hard (0–1 of the heart-rate reserve). */
export interface EffortInterval {
  readonly fromMs: number;
  readonly toMs: number;
  readonly effort: number;
}

/** A block of the `hr` channel, without `t0` (stamped when published) and `athleteId`. */
export interface HeartRateBlock {
  /** Timeline ms of bpm[0]. */
  readonly startMs: number;
  readonly bpm: number[];
  readonly rr: number[];
}

/** Between sets the heart rate falls towards resting + this (standing, walking to the rack), bpm. */
const STANDING_BPM = 12;
/** Time constants of the response: rising in a set, recovering in rest (heart-rate recovery ≈ 60 s). */
const RISE_TAU_S = 15;
const RECOVERY_TAU_S = 60;
const NOISE_BPM = 1.2;
/** Beat-to-beat variability of the rr intervals (a fraction of the mean interval). */
const RR_JITTER = 0.03;

/**
 * Effort of a set for the heart: 0.55–0.95 of the heart-rate reserve, more for sets closer to failure
 * and for later sets of the session (a simulation assumption, not a model).
 */
export function setEffort(reps: number, repsToFailure: number, setIndex: number): number {
  const proximity = Math.min(1, reps / Math.max(1, repsToFailure));
  return Math.min(0.95, 0.5 + 0.35 * proximity + 0.03 * setIndex);
}

/**
 * Heart rate once a second over [0, untilMs) of a station's timeline, in blocks of `blockS` seconds:
 * in a set it rises towards resting + effort · (max − resting) (τ 15 s), in rest it recovers
 * exponentially towards a standing rate (τ 60 s); ±1 bpm of noise; rr intervals from the rate with 3 %
 * beat-to-beat jitter. Deterministic for a given athlete and plan.
 */
export function planHeartRate(athlete: Pick<SimAthlete, 'id'>, sets: readonly EffortInterval[], untilMs: number, blockS = 5): HeartRateBlock[] {
  const profile = heartRateProfile(athlete);
  const random = mulberry32(hashString(`hr-trace/${athlete.id}`) ^ Math.round(untilMs));
  const reserve = profile.maxBpm - profile.restingBpm;
  const seconds = Math.max(1, Math.ceil(untilMs / 1000));
  let hr = profile.restingBpm + STANDING_BPM + uniform(random, -3, 3);
  let setIndex = 0;
  const bpm: number[] = [];
  for (let s = 0; s < seconds; s++) {
    const ms = s * 1000;
    while (setIndex < sets.length && (sets[setIndex]?.toMs ?? 0) < ms) setIndex++;
    const set = sets[setIndex];
    const inSet = set !== undefined && set.fromMs <= ms;
    const target = inSet ? profile.restingBpm + set.effort * reserve : profile.restingBpm + STANDING_BPM;
    hr = target + (hr - target) * Math.exp(-1 / (inSet ? RISE_TAU_S : RECOVERY_TAU_S));
    bpm.push(Math.round(clamp(hr + uniform(random, -NOISE_BPM, NOISE_BPM), 30, 240)));
  }
  const blocks: HeartRateBlock[] = [];
  for (let first = 0; first < bpm.length; first += blockS) {
    const values = bpm.slice(first, first + blockS);
    blocks.push({ startMs: first * 1000, bpm: values, rr: rrIntervals(random, values) });
  }
  return blocks;
}

/** Beat-to-beat intervals over the seconds of `bpm` (one second per value), ms. */
function rrIntervals(random: Random, bpm: readonly number[]): number[] {
  const rr: number[] = [];
  const spanMs = bpm.length * 1000;
  for (let t = 0; t < spanMs; ) {
    const rate = bpm[Math.min(bpm.length - 1, Math.floor(t / 1000))] ?? 60;
    const interval = Math.round(clamp((60_000 / rate) * (1 + uniform(random, -RR_JITTER, RR_JITTER)), 250, 1900));
    rr.push(interval);
    t += interval;
  }
  return rr;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
