/*
 * Accuracy of the segmenter on synthetic traces with known truth (synthetic-trace.ts), per sample rate.
 *
 * The target: rep count exact; mean concentric velocity within 3 % and within 0.02 m/s of the
 * truth; ROM within 1 cm; across 50–1000 Hz, with ±2 mm noise, slow drift, pauses at bottom and top,
 * touch-and-go reps, partial reps and a grinding last rep.
 *
 * Met at every rate: the count (partial flags included) and ROM (≤ 4 mm). The mean velocity meets
 * the target for every rep at 500 and 1000 Hz, for 97 % (50, 100 Hz) and 99.6 % (200 Hz) of them below. The misses are
 * durations off at a paused start or a lockout: there the true crossing of +0.03 m/s comes 18–93 ms
 * after the bar starts moving (or before it stops), when it is only 0.2–0.9 mm from rest, and ±2 mm of
 * white position noise scatters the crossing. The FIR's crossing (σ_v ≈ 0.011 m/s at 50 Hz, ±20 ms
 * 2–98 %) is refined by a local RTS smoother that knows the bar was at rest (boundary-refiner.ts):
 * 89 → 93 % at 50 Hz, 93 → 97 % at 100 Hz, 97 → 99.6 % at 200 Hz; releasing the model's acceleration
 * and jerk where the rest ends, anchored at the refined crossing, then 93.3 → 96.8 % at 50 Hz and
 * 99.7 → 100 % at 500 and 1000 Hz (sharp lockouts were placed late). Tried without gain (README):
 * cut-offs 5–7.5 Hz and FIR lengths 2–4/fc; a higher cut-off only to refine the crossing (8–15 Hz);
 * rest-anchored fits of the raw samples at paused starts and lockouts (quadratic+cubic and cubic+quartic
 * onsets, 60–160 ms windows); the time where the filtered position leaves the rest level by 2–8 mm
 * (at 2 mm it is as noisy as the crossing; at 8 mm its offset from the crossing varies by 60 ms from rep
 * to rep); the ROM from the rest levels (worse: the ROM and duration errors partly cancel). The
 * refiner's constants were chosen on other seeds (1000·hz + 500…539), the release checked on those too.
 * What is left is close to what the samples can tell (test/src/bench/segmenter-bound.ts, README): on
 * these traces an unbiased estimator at the Cramér–Rao bound would expect 87 / 94 / 98.7 % of reps
 * within target at 50 / 100 / 200 Hz, and one at an approximate Bayesian bound that knows each corner's
 * duration to the generator's spread 98.3 / 99.3 / 99.9 % (Gaussian-error approximation).
 * ACHIEVED below is what the defaults reach on these seeds, asserted with a small margin so that a
 * regression shows.
 * SEGMENTER_REPORT=1 prints the table.
 */
import { describe, expect, it } from 'vitest';
import { segmentBlocks } from './segmenter.js';
import { STANDARD_GRAVITY, generateSyntheticTrace, mulberry32, splitIntoBlocks, type SyntheticTrace } from './synthetic-trace.js';
import type { SegmentedRep } from './types.js';

const RATES = [50, 100, 200, 500, 1000] as const;
const TRACES = 40;
const SPEC = { velocityPct: 3, velocityMps: 0.02, romM: 0.01 };

/** What the defaults reach (see the header): share of reps within SPEC, and the worst rep. */
const ACHIEVED: Record<(typeof RATES)[number], { withinSpec: number; maxPct: number; maxMps: number }> = {
  50: { withinSpec: 0.965, maxPct: 5.5, maxMps: 0.037 },
  100: { withinSpec: 0.965, maxPct: 4.3, maxMps: 0.044 },
  200: { withinSpec: 0.99, maxPct: 3, maxMps: 0.028 },
  500: { withinSpec: 1, maxPct: 2.6, maxMps: 0.018 },
  1000: { withinSpec: 1, maxPct: 1.9, maxMps: 0.018 },
};

interface Pair {
  readonly trace: SyntheticTrace;
  readonly reps: SegmentedRep[];
}

function run(hz: number): Pair[] {
  const pairs: Pair[] = [];
  for (let s = 0; s < TRACES; s++) {
    const prng = mulberry32(1000 * hz + s);
    const trace = generateSyntheticTrace(prng, { hz, withForce: s % 2 === 0, startAt: s % 5 === 4 ? 'bottom' : 'top' });
    pairs.push({ trace, reps: segmentBlocks(splitIntoBlocks(trace, prng, 1, 2000)) });
  }
  return pairs;
}

const rows: string[] = [];

describe.each(RATES)('%i Hz', (hz) => {
  const pairs = run(hz);
  const matched = pairs.filter((p) => p.reps.length === p.trace.truth.length);
  const errors = matched.flatMap(({ trace, reps }) =>
    reps.map((rep, i) => {
      const truth = trace.truth[i]!;
      const dv = rep.meanVelocity - truth.meanVelocity;
      return { rep, truth, trace, pct: (100 * Math.abs(dv)) / truth.meanVelocity, mps: Math.abs(dv), romM: Math.abs(rep.rom - truth.rom) };
    }),
  );
  const within = errors.filter((e) => e.pct <= SPEC.velocityPct && e.mps <= SPEC.velocityMps).length / errors.length;
  const maxPct = Math.max(...errors.map((e) => e.pct));
  const maxMps = Math.max(...errors.map((e) => e.mps));
  const maxRom = Math.max(...errors.map((e) => e.romM));
  rows.push(
    `${String(hz).padStart(4)} Hz | traces ${pairs.length} | reps ${errors.length} | count errors ${pairs.length - matched.length} | ` +
      `within 3 %/0.02 m/s ${(100 * within).toFixed(1)} % | max ${maxPct.toFixed(2)} % / ${maxMps.toFixed(3)} m/s | max ROM ${(1000 * maxRom).toFixed(1)} mm`,
  );
  if (hz === RATES.at(-1) && process.env.SEGMENTER_REPORT) console.log(rows.join('\n'));

  it('finds exactly the true reps: count, order, partial flags (pauses, touch-and-go, partials, grind)', () => {
    for (const { trace, reps } of pairs) {
      expect(reps.map((r) => r.repIndex)).toEqual(trace.truth.map((t) => t.repIndex));
      expect(reps.map((r) => r.partial)).toEqual(trace.truth.map((t) => t.partial));
    }
  });

  it('ROM within 1 cm of the truth', () => {
    expect(maxRom).toBeLessThanOrEqual(SPEC.romM);
  });

  it(`mean velocity: within 3 % and 0.02 m/s for ≥ ${100 * ACHIEVED[hz].withinSpec} % of reps, all within ${ACHIEVED[hz].maxPct} % / ${ACHIEVED[hz].maxMps} m/s`, () => {
    expect(within).toBeGreaterThanOrEqual(ACHIEVED[hz].withinSpec);
    expect(maxPct).toBeLessThanOrEqual(ACHIEVED[hz].maxPct);
    expect(maxMps).toBeLessThanOrEqual(ACHIEVED[hz].maxMps);
  });

  it('rep fields: ts = end of the concentric (±50 ms), durations, load, force ≈ load·g, power ≈ load·g·v, MCV ≤ MPV ≤ peak', () => {
    for (const { rep, truth, trace } of errors) {
      expect(Math.abs(rep.ts - truth.concentricEnd)).toBeLessThan(50);
      expect(Math.abs(rep.concentricStartTs - truth.concentricStart)).toBeLessThan(50);
      const truthMs = truth.concentricEnd - truth.concentricStart;
      expect(Math.abs(rep.concentricMs - truthMs)).toBeLessThan(Math.max(50, 0.1 * truthMs));
      expect(Math.abs(rep.concentricMs - (rep.ts - rep.concentricStartTs))).toBeLessThanOrEqual(1);
      expect(rep.loadKg).toBe(trace.loadKg);
      expect(rep.forceSource).toBe(trace.force ? 'load_cell' : 'estimated');
      // Over a phase that starts and ends at the same velocity, mean(a + g) = g and mean((a + g)·v) = g·MCV.
      expect(Math.abs(rep.meanForce / (trace.loadKg * STANDARD_GRAVITY) - 1)).toBeLessThan(0.03);
      expect(Math.abs(rep.meanPower / (trace.loadKg * STANDARD_GRAVITY * truth.meanVelocity) - 1)).toBeLessThan(0.1);
      expect(rep.meanPropulsiveVelocity).toBeGreaterThanOrEqual(rep.meanVelocity * 0.999);
      expect(rep.peakVelocity).toBeGreaterThanOrEqual(rep.meanPropulsiveVelocity);
      expect(Math.abs(rep.peakVelocity / truth.peakVelocity - 1)).toBeLessThan(0.15);
      if (truth.eccentricMs === undefined) expect(rep.eccentricMs).toBeUndefined();
      else expect(Math.abs((rep.eccentricMs ?? 0) - truth.eccentricMs)).toBeLessThan(100);
    }
  });
});
