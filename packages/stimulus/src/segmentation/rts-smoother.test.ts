import { describe, expect, it } from 'vitest';
import { BoundaryRefiner } from './boundary-refiner.js';
import { processNoiseMatrix, rtsSmooth, transitionMatrix } from './rts-smoother.js';
import { mulberry32 } from './prng.js';

const R = (0.002 * 0.002) / 3; // ±2 mm uniform noise
const DT = 0.01;
const MOVING = { order: 4, q: Math.pow(2 * Math.PI * 7, 8) * R * DT, r: R, priorSd: [1, 20, 200] } as const;

describe('rtsSmooth', () => {
  it('builds the integrated-white-noise model (n = 2: the textbook F and Q)', () => {
    expect(Array.from(transitionMatrix(2, 0.1))).toEqual([1, 0.1, 0, 1]);
    const Q = Array.from(processNoiseMatrix(2, 0.1));
    [0.001 / 3, 0.01 / 2, 0.01 / 2, 0.1].forEach((q, i) => expect(Q[i]).toBeCloseTo(q, 12));
    const F4 = Array.from(transitionMatrix(4, 2));
    expect(F4.slice(0, 4)).toEqual([1, 2, 2, 8 / 6]);
  });

  it('follows a noise-free cubic (the constant-jerk model): only the weak prior at the first sample pulls', () => {
    const t = Array.from({ length: 81 }, (_, k) => k * DT);
    const y = t.map((s) => 0.1 + 0.2 * s - 0.5 * s * s + 0.8 * s * s * s);
    const [p, v, a] = rtsSmooth(y, DT, MOVING);
    for (let k = 0; k < t.length; k++) {
      const s = t[k]!;
      expect(Math.abs(p![k]! - y[k]!)).toBeLessThan(3e-5);
      expect(Math.abs(v![k]! - (0.2 - s + 2.4 * s * s))).toBeLessThan(0.003);
      expect(Math.abs(a![k]! - (-1 + 4.8 * s))).toBeLessThan(0.15);
    }
  });

  it('is linear in the samples', () => {
    const prng = mulberry32(7);
    const y1 = Array.from({ length: 41 }, () => prng());
    const y2 = Array.from({ length: 41 }, () => prng());
    const [, v1] = rtsSmooth(y1, DT, MOVING);
    const [, v2] = rtsSmooth(y2, DT, MOVING);
    const [, v12] = rtsSmooth(y1.map((x, i) => 2 * x - 3 * y2[i]!), DT, MOVING);
    for (let k = 0; k < 41; k++) expect(v12![k]).toBeCloseTo(2 * v1![k]! - 3 * v2![k]!, 9);
  });

  it('takes the velocity out of ±2 mm noise: error a small fraction of the raw differences', () => {
    const prng = mulberry32(11);
    const N = 101;
    const truth = (s: number): [number, number] => [0.3 * Math.sin(2 * Math.PI * 0.8 * s), 0.3 * 2 * Math.PI * 0.8 * Math.cos(2 * Math.PI * 0.8 * s)];
    const y = Array.from({ length: N }, (_, k) => truth(k * DT)[0] + (2 * prng() - 1) * 0.002);
    const [, v] = rtsSmooth(y, DT, MOVING);
    let se = 0;
    let raw = 0;
    for (let k = 10; k < N - 10; k++) {
      se += (v![k]! - truth(k * DT)[1]) ** 2;
      raw += ((y[k + 1]! - y[k - 1]!) / (2 * DT) - truth(k * DT)[1]) ** 2;
    }
    const rms = Math.sqrt(se / (N - 20));
    expect(rms).toBeLessThan(0.02);
    expect(rms).toBeLessThan(0.2 * Math.sqrt(raw / (N - 20)));
  });
});

describe('BoundaryRefiner', () => {
  // 100 Hz internal samples; the bar rests, then starts with constant jerk: v = j·s²/2 (s after onset).
  const hz = 100;
  const refiner = new BoundaryRefiner(45, 1000 / hz, 1, 6.75, 0.03);
  const onset = 1.0;
  const position = (jerk: number, s: number): number => (s <= onset ? 0 : (jerk * (s - onset) ** 3) / 6);
  const trueCrossMs = (jerk: number): number => 1000 * (onset + Math.sqrt((2 * 0.03) / jerk));

  /** The start refined from an FIR crossing `offsetMs` off the truth. */
  function refineStart(jerk: number, offsetMs: number, noise: () => number): number {
    const win = Array.from({ length: 300 }, (_, k) => position(jerk, k / hz) + noise());
    const crossT = trueCrossMs(jerk) + offsetMs;
    const c = Math.ceil(crossT / (1000 / hz));
    return refiner.refine(win, c, c * (1000 / hz), crossT, 'start') - trueCrossMs(jerk);
  }

  it('puts a start the FIR placed ±15 ms off at the same place, near the truth (noise-free)', () => {
    // A fast onset (crossing 27 ms after it) lands within 2 ms; a slow one (55 ms) 3–6 ms late, as
    // the model is held nearly rigid until 20 ms before the crossing. The second pass anchors that at
    // the refined crossing, so the FIR's error does not move the result.
    for (const [jerk, lo, hi] of [[80, -2, 2], [20, 2, 6]] as const) {
      const errors = [-15, -5, 0, 5, 15].map((off) => refineStart(jerk, off, () => 0));
      for (const e of errors) {
        expect(e).toBeGreaterThan(lo);
        expect(e).toBeLessThan(hi);
      }
      expect(Math.max(...errors) - Math.min(...errors)).toBeLessThan(0.5);
    }
  });

  it('with ±2 mm noise the refined start scatters by a few ms', () => {
    const prng = mulberry32(3);
    const errors = Array.from({ length: 40 }, () => refineStart(20, 0, () => (2 * prng() - 1) * 0.002));
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    expect(rms).toBeLessThan(10);
  });

  it('refines a lockout (the same problem backwards in time); keeps the crossing when the window is incomplete', () => {
    // The mirror image: the bar rises, stops with constant jerk and rests after.
    const jerk = 80;
    const win = Array.from({ length: 400 }, (_, k) => -position(jerk, 3 - k / hz));
    const endCross = 3000 - trueCrossMs(jerk);
    const c = Math.ceil((endCross + 10) / 10);
    expect(Math.abs(refiner.refine(win, c, c * 10, endCross + 10, 'end') - endCross)).toBeLessThan(2);
    expect(refiner.refine(win.slice(0, c + 10), c, c * 10, endCross + 10, 'end')).toBe(endCross + 10);
  });
});
