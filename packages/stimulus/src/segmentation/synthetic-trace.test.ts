import { describe, expect, it } from 'vitest';
import { generateSyntheticTrace, mulberry32, redeliverBlocks, shuffleBlocks, splitIntoBlocks, JerkLimitedTrajectory } from './synthetic-trace.js';

const RATES = [50, 100, 200, 500, 1000] as const;

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});

describe('JerkLimitedTrajectory', () => {
  it('integrates a constant-acceleration ramp exactly and rounds its corners', () => {
    const traj = new JerkLimitedTrajectory(1);
    traj.push(1, 0, 0.1); // rest 1 s; the corner at t = 1 is rounded over 0.1 s
    traj.push(0.5, 1, 0.1); // ramp to 1 m/s over 0.5 s
    traj.push(0.5, 0, 0.1); // back to 0
    traj.push(1, 0, 0);
    traj.build();
    // Area of the triangle: 0.5 m (a rounding changes the area by Δa·τ²/24; here +2, −4, +2 cancel).
    expect(traj.at(3)[0]).toBeCloseTo(1.5, 3);
    // Linear part: v = 2(t − 1), a = 2.
    const [, v, a] = traj.at(1.25);
    expect(v).toBeCloseTo(0.5, 12);
    expect(a).toBeCloseTo(2, 12);
    // The start corner is rounded: v starts rising 0.05 s before the knot, with continuous acceleration.
    expect(traj.at(0.94)[1]).toBe(0);
    expect(traj.at(0.96)[1]).toBeGreaterThan(0);
    expect(traj.at(1.0)[2]).toBeCloseTo(1, 10); // half-way through the rounding
    const [[start, end]] = traj.phases(1, 0.03) as [[number, number]];
    expect(traj.at(start)[1]).toBeCloseTo(0.03, 9);
    expect(traj.at(end)[1]).toBeCloseTo(0.03, 9);
  });

  it('fromKnots(knotList()) rebuilds the same trajectory; a moved knot moves it', () => {
    const traj = new JerkLimitedTrajectory(0.4);
    traj.push(1, 0, 0.1);
    traj.push(0.3, 0.9, 0.08);
    traj.push(0.2, 0, 0.06);
    traj.push(0.5, 0, 0);
    traj.build();
    const knots = traj.knotList();
    const copy = JerkLimitedTrajectory.fromKnots(traj.startPosition, knots);
    for (let t = 0; t <= traj.end; t += 0.01) {
      const [p, v, a] = traj.at(t);
      const [pc, vc, ac] = copy.at(t);
      expect(pc).toBeCloseTo(p, 12);
      expect(vc).toBeCloseTo(v, 12);
      expect(ac).toBeCloseTo(a, 12);
    }
    knots[2] = { ...knots[2]!, v: 1 };
    expect(JerkLimitedTrajectory.fromKnots(traj.startPosition, knots).at(traj.end)[0]).toBeGreaterThan(traj.at(traj.end)[0] + 0.01);
    expect(traj.knotList()[2]!.v).toBe(0.9); // knotList hands out copies
  });
});

describe('generateSyntheticTrace', () => {
  it('is deterministic given the PRNG', () => {
    const a = generateSyntheticTrace(mulberry32(7), { hz: 100, withForce: true });
    const b = generateSyntheticTrace(mulberry32(7), { hz: 100, withForce: true });
    expect(a).toEqual(b);
    expect(a.force).toHaveLength(a.position.length);
  });

  it('truth: one concentric per planned rep, v > threshold inside, ROM and mean velocity consistent', () => {
    for (const hz of RATES) {
      for (let seed = 0; seed < 20; seed++) {
        const trace = generateSyntheticTrace(mulberry32(seed), { hz, reps: 4 + (seed % 9) });
        expect(trace.truth).toHaveLength(4 + (seed % 9));
        for (const rep of trace.truth) {
          const seconds = (rep.concentricEnd - rep.concentricStart) / 1000;
          expect(seconds).toBeGreaterThan(0.25);
          expect(rep.meanVelocity).toBeCloseTo(rep.rom / seconds, 6);
          expect(rep.rom).toBeGreaterThan(0.1);
          expect(rep.peakVelocity).toBeGreaterThan(rep.meanVelocity);
          expect(rep.meanPropulsiveVelocity).toBeGreaterThanOrEqual(rep.meanVelocity * 0.999);
        }
        const last = trace.truth.at(-1);
        expect(last?.grind).toBe(true);
        expect(last?.meanVelocity).toBeLessThan(0.3);
      }
    }
  });

  it('covers the features the issue asks for: pauses at bottom and top, touch-and-go, partial reps, a grind', () => {
    const totals = { touchAndGoBottom: 0, pausedBottom: 0, pausedTop: 0, touchAndGoTop: 0, partial: 0 };
    for (let seed = 0; seed < 30; seed++) {
      const { features } = generateSyntheticTrace(mulberry32(seed), { hz: 100 });
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += features[key];
    }
    for (const count of Object.values(totals)) expect(count).toBeGreaterThan(10);
  });

  it('partial reps are well below 85 % of the running median ROM, full reps well above', () => {
    for (let seed = 0; seed < 60; seed++) {
      const { truth } = generateSyntheticTrace(mulberry32(seed), { hz: 100 });
      const roms: number[] = [];
      for (const rep of truth) {
        roms.push(rep.rom);
        const sorted = [...roms].sort((a, b) => a - b);
        const mid = sorted.length >> 1;
        const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
        // A 2 cm margin on both sides of the rule, so estimation error cannot flip the flag.
        if (rep.partial) expect(rep.rom).toBeLessThan(Math.max(0.1, 0.85 * median) - 0.02);
        else expect(rep.rom).toBeGreaterThan(Math.max(0.1, 0.85 * median) + 0.02);
      }
    }
  });

  it('noise is uniform within ±noiseM around the noise-free trace', () => {
    const clean = generateSyntheticTrace(mulberry32(3), { hz: 500, noiseM: 0, drift: false });
    const noisy = generateSyntheticTrace(mulberry32(3), { hz: 500, drift: false });
    expect(noisy.position).toHaveLength(clean.position.length);
    let max = 0;
    noisy.position.forEach((p, i) => (max = Math.max(max, Math.abs(p - (clean.position[i] ?? 0)))));
    expect(max).toBeLessThanOrEqual(0.002);
    expect(max).toBeGreaterThan(0.0019);
  });
});

describe('splitIntoBlocks / shuffleBlocks / redeliverBlocks', () => {
  const trace = generateSyntheticTrace(mulberry32(11), { hz: 300, withForce: true });

  it('splits into contiguous blocks with t0 rounded to the ms', () => {
    const blocks = splitIntoBlocks(trace, mulberry32(1), 1, 2000);
    expect(blocks.flatMap((b) => b.position)).toEqual(trace.position);
    expect(blocks.flatMap((b) => b.force ?? [])).toEqual(trace.force);
    let start = 0;
    for (const block of blocks) {
      expect(block.t0).toBe(Math.round(trace.t0 + (start * 1000) / 300));
      expect(block.position.length).toBeGreaterThanOrEqual(1);
      expect(block.position.length).toBeLessThanOrEqual(2000);
      start += block.position.length;
    }
  });

  it('shuffles only within windows of fewer than maxLate samples', () => {
    const blocks = splitIntoBlocks(trace, mulberry32(2), 50, 300);
    const order = shuffleBlocks(blocks, mulberry32(3), 1000);
    expect([...order].sort((a, b) => a.t0 - b.t0)).toEqual(blocks);
    expect(order).not.toEqual(blocks);
    order.forEach((block, i) => {
      const laterBefore = order.slice(0, i).filter((b) => b.t0 > block.t0).reduce((n, b) => n + b.position.length, 0);
      expect(laterBefore).toBeLessThan(1000);
    });
  });

  it('redelivers copies after the original', () => {
    const blocks = splitIntoBlocks(trace, mulberry32(4), 50, 300);
    const deliveries = redeliverBlocks(blocks, mulberry32(5), 0.5);
    expect(deliveries.length).toBeGreaterThan(blocks.length);
    expect(new Set(deliveries)).toEqual(new Set(blocks));
    for (const block of blocks) expect(deliveries.indexOf(block)).toBeLessThanOrEqual(deliveries.lastIndexOf(block));
  });
});
