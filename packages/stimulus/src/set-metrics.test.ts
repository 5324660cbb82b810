import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { computeSetMetrics, type SetRep } from './set-metrics.js';

/*
 * Expected values come from the model spec (/work/shared/design/stimulus-model.md, "Per set"):
 * reps, volume load Σ L, mean and best velocity, VL_set = VL_n (last rep), TUT = Σ(concentricMs + eccentricMs),
 * with VL_i = 1 − v_i / max(v_1 … v_min(3,i)).
 */

const T0 = 1_793_032_880_000;

function rep(repIndex: number, meanVelocity: number, extra: Partial<SetRep> = {}): SetRep {
  return { repIndex, ts: T0 + repIndex * 3000, loadKg: 100, meanVelocity, concentricMs: 800, eccentricMs: 1600, ...extra };
}

describe('computeSetMetrics: worked values', () => {
  const velocities = [0.8, 0.82, 0.78, 0.7, 0.6];
  const set = velocities.map((v, i) => rep(i + 1, v));

  it('computes the spec metrics of a five-rep set at 100 kg', () => {
    const metrics = computeSetMetrics(set);
    expect(metrics).toBeDefined();
    if (!metrics) return;
    expect(metrics.reps).toBe(5);
    expect(metrics.loadKg).toBeCloseTo(100, 12);
    expect(metrics.volumeKg).toBeCloseTo(500, 12); // Σ L = 5 × 100
    expect(metrics.meanVelocity).toBeCloseTo(3.7 / 5, 12); // (0.80+0.82+0.78+0.70+0.60)/5 = 0.74
    expect(metrics.bestVelocity).toBe(0.82);
    expect(metrics.velocityLossPct).toBeCloseTo((1 - 0.6 / 0.82) * 100, 9); // ≈ 26.83 %
    expect(metrics.tutMs).toBe(5 * (800 + 1600));
    expect(metrics.lastTs).toBe(T0 + 5 * 3000);
  });

  it('reports the velocity loss of every rep, in percent, by repIndex', () => {
    const metrics = computeSetMetrics(set);
    const perRep = metrics?.repVelocityLossPct;
    expect(perRep?.size).toBe(5);
    expect(perRep?.get(1)).toBeCloseTo(0, 9);
    expect(perRep?.get(2)).toBeCloseTo(0, 9);
    expect(perRep?.get(3)).toBeCloseTo((1 - 0.78 / 0.82) * 100, 9);
    expect(perRep?.get(4)).toBeCloseTo((1 - 0.7 / 0.82) * 100, 9);
    expect(perRep?.get(5)).toBeCloseTo((1 - 0.6 / 0.82) * 100, 9);
  });

  it('VL of the set is the VL of the last rep (highest repIndex), not the largest loss', () => {
    // Rep 4 is the slowest; rep 5 recovers a little. VL_set = VL_5.
    const metrics = computeSetMetrics([rep(1, 0.8), rep(2, 0.78), rep(3, 0.75), rep(4, 0.5), rep(5, 0.6)]);
    expect(metrics?.velocityLossPct).toBeCloseTo((1 - 0.6 / 0.8) * 100, 9); // 25 %, not 37.5 %
  });

  it('mean load is the mean over reps and volume is Σ load when loads differ', () => {
    const metrics = computeSetMetrics([rep(1, 0.8, { loadKg: 100 }), rep(2, 0.7, { loadKg: 100 }), rep(3, 0.6, { loadKg: 110 })]);
    expect(metrics?.volumeKg).toBeCloseTo(310, 9);
    expect(metrics?.loadKg).toBeCloseTo(310 / 3, 9);
  });

  it('absent concentric/eccentric durations count as 0 in TUT', () => {
    const metrics = computeSetMetrics([
      rep(1, 0.8, { concentricMs: 700, eccentricMs: 1500 }),
      { repIndex: 2, ts: T0 + 6000, loadKg: 100, meanVelocity: 0.75 }, // neither duration
      rep(3, 0.7, { concentricMs: 900, eccentricMs: undefined }),
      rep(4, 0.65, { concentricMs: undefined, eccentricMs: 0 }),
    ]);
    expect(metrics?.tutMs).toBe(700 + 1500 + 0 + 900 + 0 + 0);
    expect(Number.isNaN(metrics?.tutMs)).toBe(false);
  });

  it('lastTs is the ts of the highest repIndex, whatever the input order or the clock values', () => {
    // Buffered uploads arrive out of order; the highest repIndex is the last rep of the set even when
    // another rep carries a later timestamp (equipment clock adjusted mid-set).
    const metrics = computeSetMetrics([
      rep(3, 0.7, { ts: T0 + 100 }),
      rep(1, 0.8, { ts: T0 + 900_000 }),
      rep(2, 0.75, { ts: T0 + 50 }),
    ]);
    expect(metrics?.lastTs).toBe(T0 + 100);
    expect(metrics?.reps).toBe(3);
  });

  it('a single rep: no loss, best = mean = its velocity', () => {
    const metrics = computeSetMetrics([rep(7, 0.55, { loadKg: 60 })]);
    expect(metrics?.reps).toBe(1);
    expect(metrics?.velocityLossPct).toBe(0);
    expect(metrics?.meanVelocity).toBe(0.55);
    expect(metrics?.bestVelocity).toBe(0.55);
    expect(metrics?.volumeKg).toBe(60);
    expect(metrics?.lastTs).toBe(T0 + 7 * 3000);
  });

  it('a set without reps has no metrics', () => {
    expect(computeSetMetrics([])).toBeUndefined();
  });
});

/** Contract-valid reps with unique repIndexes (a repeated repIndex must already be deduplicated). */
const setArb = fc.uniqueArray(
  fc.record(
    {
      repIndex: fc.integer({ min: 1, max: 1000 }),
      ts: fc.integer({ min: T0, max: T0 + 3_600_000 }),
      loadKg: fc.double({ min: 0, max: 1000, noNaN: true }),
      meanVelocity: fc.double({ min: 0.01, max: 5, noNaN: true }),
      concentricMs: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: undefined }),
      eccentricMs: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
    },
    { requiredKeys: ['repIndex', 'ts', 'loadKg', 'meanVelocity'] },
  ),
  { minLength: 1, maxLength: 30, selector: (r) => r.repIndex },
);

describe('computeSetMetrics: properties', () => {
  it('is independent of the order reps are given in', () => {
    fc.assert(
      fc.property(
        setArb.chain((set) => fc.tuple(fc.constant(set), fc.shuffledSubarray(set, { minLength: set.length, maxLength: set.length }))),
        ([set, shuffled]) => {
          expect(computeSetMetrics(shuffled)).toEqual(computeSetMetrics(set));
        },
      ),
    );
  });

  it('volume = n × load and mean load = load for a constant load', () => {
    fc.assert(
      fc.property(setArb, fc.double({ min: 0, max: 1000, noNaN: true }), (set, load) => {
        const metrics = computeSetMetrics(set.map((r) => ({ ...r, loadKg: load })));
        const n = set.length;
        expect(metrics?.reps).toBe(n);
        expect(Math.abs((metrics?.volumeKg ?? NaN) - n * load)).toBeLessThanOrEqual(1e-9 * n * load);
        expect(Math.abs((metrics?.loadKg ?? NaN) - load)).toBeLessThanOrEqual(1e-9 * load);
      }),
    );
  });

  it('agrees with the spec definitions of every field', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const metrics = computeSetMetrics(set);
        if (!metrics) return expect.fail('a non-empty set has metrics');
        const ordered = [...set].sort((a, b) => a.repIndex - b.repIndex);
        const v = ordered.map((r) => r.meanVelocity);
        const last = ordered[ordered.length - 1] as SetRep;
        const ref = Math.max(...v.slice(0, 3));

        expect(metrics.reps).toBe(set.length);
        expect(metrics.bestVelocity).toBe(Math.max(...v));
        expect(metrics.meanVelocity).toBeGreaterThanOrEqual(Math.min(...v) * (1 - 1e-12));
        expect(metrics.meanVelocity).toBeLessThanOrEqual(Math.max(...v) * (1 + 1e-12));
        expect(metrics.meanVelocity).toBeCloseTo(v.reduce((s, x) => s + x, 0) / v.length, 9);
        expect(metrics.volumeKg).toBeCloseTo(ordered.reduce((s, r) => s + r.loadKg, 0), 6);
        expect(metrics.tutMs).toBe(ordered.reduce((s, r) => s + (r.concentricMs ?? 0) + (r.eccentricMs ?? 0), 0));
        expect(metrics.lastTs).toBe(last.ts);
        expect(metrics.velocityLossPct).toBeCloseTo((1 - last.meanVelocity / ref) * 100, 9);
        expect(metrics.velocityLossPct).toBeLessThan(100);
        expect(Number.isFinite(metrics.velocityLossPct)).toBe(true);
        expect(metrics.repVelocityLossPct.get(last.repIndex)).toBe(metrics.velocityLossPct);
        expect([...metrics.repVelocityLossPct.keys()].sort((a, b) => a - b)).toEqual(ordered.map((r) => r.repIndex));
      }),
    );
  });
});
