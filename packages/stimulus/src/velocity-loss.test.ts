import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { velocityLosses, VELOCITY_REFERENCE_REPS, type RepVelocity } from './velocity-loss.js';

/*
 * Expected values come from the model spec (/work/shared/design/stimulus-model.md, "Per rep" step 2):
 *   VL_i = 1 − v_i / v_ref,  v_ref = max(v_1 … v_min(3,i)),  reps ordered by repIndex, i = 1..n.
 * Velocities are in the device protocol's range: meanVelocity > 0 and ≤ 5 m/s.
 */

/** Reps 1..n with the given velocities. */
const reps = (velocities: readonly number[]): RepVelocity[] =>
  velocities.map((meanVelocity, position) => ({ repIndex: position + 1, meanVelocity }));

/** The spec formula, written independently of the implementation (positions are 0-based here). */
function specLoss(ordered: readonly number[], position: number): number {
  const firstReps = ordered.slice(0, Math.min(3, position + 1));
  return 1 - (ordered[position] as number) / Math.max(...firstReps);
}

/** Unique repIndexes (1–1000, protocol range) with contract-valid velocities, in any order. */
const setArb = fc
  .uniqueArray(
    fc.record({
      repIndex: fc.integer({ min: 1, max: 1000 }),
      meanVelocity: fc.double({ min: 0.01, max: 5, noNaN: true }),
    }),
    { minLength: 1, maxLength: 40, selector: (rep) => rep.repIndex },
  );

describe('velocityLosses: worked values from the spec formula', () => {
  it('uses the fastest of the first three reps as the reference: [0.80, 0.82, 0.78, 0.70, 0.60]', () => {
    const losses = velocityLosses(reps([0.8, 0.82, 0.78, 0.7, 0.6]));
    expect(losses.size).toBe(5);
    // Rep 1: v_ref = v_1 = 0.80.
    expect(losses.get(1)).toBeCloseTo(0, 12);
    // Rep 2: v_ref = max(0.80, 0.82) = 0.82.
    expect(losses.get(2)).toBeCloseTo(0, 12);
    // Reps 3–5: v_ref = max(0.80, 0.82, 0.78) = 0.82.
    expect(losses.get(3)).toBeCloseTo(1 - 0.78 / 0.82, 12);
    expect(losses.get(4)).toBeCloseTo(1 - 0.7 / 0.82, 12);
    expect(losses.get(5)).toBeCloseTo(1 - 0.6 / 0.82, 12);
    expect(losses.get(5)).toBeCloseTo(0.2682926829268293, 12);
  });

  it('rep i only looks at reps 1..min(3, i): a slower rep 2 is measured against rep 1 alone', () => {
    const losses = velocityLosses(reps([0.8, 0.6, 0.9, 0.45]));
    expect(losses.get(1)).toBeCloseTo(0, 12);
    expect(losses.get(2)).toBeCloseTo(1 - 0.6 / 0.8, 12); // 0.25, not against the later 0.90
    expect(losses.get(3)).toBeCloseTo(0, 12); // rep 3 is the fastest of the first three
    expect(losses.get(4)).toBeCloseTo(1 - 0.45 / 0.9, 12); // 0.5
  });

  it('takes the reference from the first three reps only: a faster rep 4 does not move it', () => {
    const losses = velocityLosses(reps([0.7, 0.72, 0.71, 0.9, 0.6]));
    // Rep 4 is faster than the reference: its loss is negative (spec: "may be negative").
    expect(losses.get(4)).toBeCloseTo(1 - 0.9 / 0.72, 12);
    expect(losses.get(4)).toBeLessThan(0);
    // Rep 5 is still measured against 0.72, not 0.90.
    expect(losses.get(5)).toBeCloseTo(1 - 0.6 / 0.72, 12);
    expect(VELOCITY_REFERENCE_REPS).toBe(3);
  });

  it('orders reps by repIndex, not by arrival order', () => {
    const arrived: RepVelocity[] = [
      { repIndex: 5, meanVelocity: 0.6 },
      { repIndex: 2, meanVelocity: 0.82 },
      { repIndex: 4, meanVelocity: 0.7 },
      { repIndex: 1, meanVelocity: 0.8 },
      { repIndex: 3, meanVelocity: 0.78 },
    ];
    const losses = velocityLosses(arrived);
    expect(losses.get(5)).toBeCloseTo(1 - 0.6 / 0.82, 12);
    expect(losses.get(1)).toBeCloseTo(0, 12);
  });

  it('with gaps in repIndex, the first three reps present form the reference (i is the position)', () => {
    // Present: 2, 5, 7, 9 → positions 1..4; the reference comes from reps 2, 5 and 7.
    const losses = velocityLosses([
      { repIndex: 9, meanVelocity: 0.5 },
      { repIndex: 2, meanVelocity: 0.6 },
      { repIndex: 5, meanVelocity: 0.75 },
      { repIndex: 7, meanVelocity: 0.7 },
    ]);
    expect([...losses.keys()].sort((a, b) => a - b)).toEqual([2, 5, 7, 9]);
    expect(losses.get(2)).toBeCloseTo(0, 12);
    expect(losses.get(5)).toBeCloseTo(0, 12);
    expect(losses.get(7)).toBeCloseTo(1 - 0.7 / 0.75, 12);
    expect(losses.get(9)).toBeCloseTo(1 - 0.5 / 0.75, 12);
  });

  it('a single rep has no loss; no reps give an empty map', () => {
    expect(velocityLosses([{ repIndex: 1, meanVelocity: 0.62 }]).get(1)).toBe(0);
    expect(velocityLosses([]).size).toBe(0);
  });

  it('does not mutate its input', () => {
    const input = [
      { repIndex: 3, meanVelocity: 0.5 },
      { repIndex: 1, meanVelocity: 0.7 },
    ];
    const copy = structuredClone(input);
    velocityLosses(input);
    expect(input).toEqual(copy);
  });
});

describe('velocityLosses: properties', () => {
  it('matches the spec formula for every rep', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const ordered = [...set].sort((a, b) => a.repIndex - b.repIndex);
        const velocities = ordered.map((rep) => rep.meanVelocity);
        const losses = velocityLosses(set);
        expect(losses.size).toBe(set.length);
        ordered.forEach((rep, position) => {
          expect(losses.get(rep.repIndex)).toBeCloseTo(specLoss(velocities, position), 9);
        });
      }),
    );
  });

  it('is independent of the order the reps are given in', () => {
    fc.assert(
      fc.property(
        setArb.chain((set) => fc.tuple(fc.constant(set), fc.shuffledSubarray(set, { minLength: set.length, maxLength: set.length }))),
        ([set, shuffled]) => {
          expect(velocityLosses(shuffled)).toEqual(velocityLosses(set));
        },
      ),
    );
  });

  it('the fastest of the first three reps has a loss of exactly 0', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const ordered = [...set].sort((a, b) => a.repIndex - b.repIndex);
        const firstThree = ordered.slice(0, 3);
        const fastest = firstThree.reduce((best, rep) => (rep.meanVelocity > best.meanVelocity ? rep : best));
        expect(velocityLosses(set).get(fastest.repIndex)).toBe(0);
      }),
    );
  });

  it('every loss is below 100 %, finite, and the first three reps never have a negative loss', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const ordered = [...set].sort((a, b) => a.repIndex - b.repIndex);
        const losses = velocityLosses(set);
        ordered.forEach((rep, position) => {
          const loss = losses.get(rep.repIndex) as number;
          expect(Number.isFinite(loss)).toBe(true);
          expect(loss).toBeLessThan(1); // v_i > 0 ⇒ VL_i < 100 %
          if (position < 3) expect(loss).toBeGreaterThanOrEqual(0); // v_i ≤ v_ref for i ≤ 3
        });
      }),
    );
  });

  /*
   * BUG (kept failing on purpose): the protocol accepts any meanVelocity > 0 (parse-message.test.ts even
   * accepts Number.MIN_VALUE). When the first three reps are tiny and a later rep is fast, v_i / v_ref
   * overflows to Infinity and VL_i is −Infinity. repLine/setLine then throw "non-finite float field",
   * so the rep batch job (which carries reps of other stations too) and the set job fail until their
   * retries run out. See points.test.ts for the consequence.
   */
  it('stays finite for every contract-valid velocity (0 < v ≤ 5), including tiny ones', () => {
    const losses = velocityLosses(reps([1e-309, 1e-309, 1e-309, 5]));
    for (const [index, loss] of losses) {
      expect(Number.isFinite(loss), `VL of rep ${index} is ${loss}`).toBe(true);
      expect(loss).toBeLessThan(1);
    }
  });
});
