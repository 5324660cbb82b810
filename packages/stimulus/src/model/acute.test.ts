import { describe, it, expect } from 'vitest';
import { acuteCurve } from './acute.js';
import { DEFAULT_CONSTANTS, withOverrides } from './constants.js';

/* Model spec "Over time": NSI_acute(t) = NSI_session·exp(−(t − t_end)/τ_b), τ_b = 40 min; 3 h at 1-min steps. */

const T_END = 1_793_030_400_000;

describe('acuteCurve', () => {
  const curve = acuteCurve(86, T_END);

  it('has 181 points, one a minute from t_end to t_end + 3 h inclusive', () => {
    expect(curve).toHaveLength(181);
    curve.forEach((point, k) => expect(point.ts).toBe(T_END + k * 60_000));
    expect(curve.at(-1)?.ts).toBe(T_END + 3 * 3_600_000);
  });

  it('decays as NSI·exp(−minutes/40)', () => {
    expect(curve[0]?.level).toBe(86);
    expect(curve[40]?.level).toBeCloseTo(86 / Math.E, 12);
    expect(curve[60]?.level).toBeCloseTo(86 * Math.exp(-1.5), 12);
    expect(curve[180]?.level).toBeCloseTo(86 * Math.exp(-4.5), 12); // ≈ 0.95
    for (let k = 1; k < curve.length; k++) expect(curve[k]?.level).toBeLessThan(curve[k - 1]?.level ?? 0);
  });

  it('is flat 0 for NSI 0, and follows overridden constants', () => {
    expect(acuteCurve(0, T_END).every((p) => p.level === 0)).toBe(true);
    const custom = withOverrides(DEFAULT_CONSTANTS, { acuteTauMin: 20, acuteCurveMinutes: 60, acuteCurveStepMinutes: 5 });
    const short = acuteCurve(50, T_END, custom);
    expect(short).toHaveLength(13);
    expect(short[4]?.ts).toBe(T_END + 20 * 60_000);
    expect(short[4]?.level).toBeCloseTo(50 / Math.E, 12);
  });
});
