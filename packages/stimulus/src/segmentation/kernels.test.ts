import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { filterKernels } from './kernels.js';

/** Applies the three kernels at the centre of x (length 2L + 1). */
function apply(x: readonly number[], rate: number, cutoff: number) {
  const k = filterKernels(rate, cutoff, 3);
  const L = k.half;
  let p = (k.position[0] ?? 0) * (x[L] ?? 0);
  let v = 0;
  let a = (k.acceleration[0] ?? 0) * (x[L] ?? 0);
  for (let j = 1; j <= L; j++) {
    const xp = x[L + j] ?? 0;
    const xm = x[L - j] ?? 0;
    p += (k.position[j] ?? 0) * (xp + xm);
    v += (k.velocity[j] ?? 0) * (xp - xm);
    a += (k.acceleration[j] ?? 0) * (xp + xm);
  }
  return { p, v, a, L };
}

describe('filterKernels', () => {
  it('is exact on constant, ramp and parabola (no lag, no gain error at low frequency)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 200, noNaN: true }),
        fc.double({ min: 4, max: 12, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (rate, cutoff, c0, c1, c2) => {
          const L = filterKernels(rate, cutoff, 3).half;
          const x = Array.from({ length: 2 * L + 1 }, (_, i) => {
            const t = (i - L) / rate;
            return c0 + c1 * t + (c2 * t * t) / 2;
          });
          const out = apply(x, rate, cutoff);
          // A flat pass band: the parabola keeps its value at the centre up to a small second moment
          // (under a millimetre at 20 m/s², the sharpest turnaround considered).
          expect(Math.abs(out.p - c0)).toBeLessThan(0.001);
          expect(out.v).toBeCloseTo(c1, 9);
          expect(out.a).toBeCloseTo(c2, 6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('suppresses high-frequency noise: white noise of ±2 mm gives a small velocity', () => {
    const rate = 100;
    const { L } = apply([0], rate, 7);
    let sumSq = 0;
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let n = 0; n < 2000; n++) {
      const x = Array.from({ length: 2 * L + 1 }, () => 0.002 * rand());
      sumSq += apply(x, rate, 7).v ** 2;
    }
    // Theory for an ideal 7 Hz low-pass: 2π·σ·√(fc³/(3·rate/2)) ≈ 0.018 m/s.
    expect(Math.sqrt(sumSq / 2000)).toBeLessThan(0.025);
  });

  it('clamps the cut-off below Nyquist at very low rates, and memoises', () => {
    const k = filterKernels(10, 6, 3);
    expect(k.cutoffHz).toBeCloseTo(3.5, 12);
    expect(filterKernels(10, 6, 3)).toBe(k);
  });
});
