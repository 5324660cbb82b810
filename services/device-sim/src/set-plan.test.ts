import { describe, expect, it } from 'vitest';
import { EXERCISES, type ExerciseProfile } from './exercises.js';
import { plannedVelocityLoss, repsToFailure } from './set-plan.js';

const exercise = (id: string): ExerciseProfile => {
  const found = EXERCISES.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no exercise ${id}`);
  return found;
};
const scheme = (intensity: number, reps: number) => ({ loadKg: 100, intensity, reps, repsInReserve: 0 });

describe('the load–velocity relation', () => {
  it('reaches each exercise’s MVT at 1RM and is faster at lighter loads', () => {
    for (const profile of EXERCISES) {
      expect(profile.velocityAt(1)).toBeCloseTo(profile.mvt, 2);
      expect(profile.velocityAt(0.7)).toBeGreaterThan(profile.velocityAt(0.9));
    }
  });

  it('follows González-Badillo’s bench press curve and keeps bench slower than squat', () => {
    // %1RM = 8.4326·v² − 73.501·v + 112.33
    const v = exercise('bench_press').velocityAt(0.7);
    expect(8.4326 * v * v - 73.501 * v + 112.33).toBeCloseTo(70, 6);
    expect(v).toBeLessThan(exercise('back_squat').velocityAt(0.7));
  });
});

describe('plannedVelocityLoss', () => {
  it('reproduces the magnitudes of the model’s worked squat examples', () => {
    const squat = exercise('back_squat');
    expect(plannedVelocityLoss(squat, scheme(0.7, 11), 0)).toBeCloseTo(0.42, 1); // 4×11 @ 70 %: ≈ 44 %
    expect(plannedVelocityLoss(squat, scheme(0.75, 5), 0)).toBeCloseTo(0.2, 1); // 5×5 @ 75 %: ≈ 16 %
  });

  it('stays within 10–45 % in the first set and grows with later sets, up to 50 %', () => {
    const squat = exercise('back_squat');
    expect(plannedVelocityLoss(squat, scheme(0.6, 3), 0)).toBe(0.1);
    expect(plannedVelocityLoss(squat, scheme(0.65, 17), 0)).toBe(0.45);
    expect(plannedVelocityLoss(squat, scheme(0.65, 17), 20)).toBe(0.5);
  });

  it('uses about four reps to failure at 90 % and fourteen at 70 %', () => {
    expect(repsToFailure(0.9)).toBeCloseTo(4.3, 1);
    expect(repsToFailure(0.7)).toBeCloseTo(13.9, 1);
  });
});
