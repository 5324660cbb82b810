import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_CONSTANTS, withOverrides } from './constants.js';
import { hrSamplesOfBlock } from './heart-rate-aerobic.js';
import { hrPeak, hrRecovery60s, rmssd } from './heart-rate-set.js';

/* Model spec "v1.1: heart rate", "Per set". */

const T0 = 1_793_030_400_000;
const SEC = 1000;
const FIRST = T0 + 60 * SEC;
const LAST = T0 + 90 * SEC;

/** One sample a second from T0 for 5 min: 100 bpm, except where `at` says otherwise (seconds from T0 → bpm). */
function trace(at: Record<number, number> = {}): { ts: number; bpm: number }[] {
  return hrSamplesOfBlock(T0, Array.from({ length: 300 }, (_, s) => at[s] ?? 100));
}

describe('hrPeak', () => {
  it('is the highest bpm in [first rep − 5 s, last rep + 30 s], bounds included', () => {
    expect(hrPeak(trace({ 55: 150, 120: 160 }), FIRST, LAST)).toBe(160);
    expect(hrPeak(trace({ 54: 170, 121: 170, 80: 140 }), FIRST, LAST)).toBe(140);
  });

  it('is undefined without samples in the window', () => {
    expect(hrPeak([], FIRST, LAST)).toBeUndefined();
    expect(hrPeak(hrSamplesOfBlock(T0, [150, 160]), FIRST, LAST)).toBeUndefined();
    expect(hrPeak([{ ts: FIRST, bpm: Number.NaN }], FIRST, LAST)).toBeUndefined();
  });

  it('follows the constants', () => {
    const wider = withOverrides(DEFAULT_CONSTANTS, { hrPeakAfterMs: 60_000 });
    expect(hrPeak(trace({ 150: 180 }), FIRST, LAST, wider)).toBe(180);
    expect(hrPeak(trace({ 150: 180 }), FIRST, LAST)).toBe(100);
  });
});

describe('hrRecovery60s', () => {
  // Peak 160 during the set, then 130 / 120 in the recovery window [LAST + 55 s, LAST + 65 s].
  const samples = trace({ 85: 160, 145: 130, 150: 120, 155: 110 });
  const window = [145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155];
  const mean = window.map((s) => ({ 145: 130, 150: 120, 155: 110 })[s] ?? 100).reduce((x, y) => x + y, 0) / window.length;

  it('is hr_peak − the mean bpm in [last rep + 55 s, last rep + 65 s]', () => {
    const peak = hrPeak(samples, FIRST, LAST);
    expect(peak).toBe(160);
    expect(hrRecovery60s(samples, LAST, peak)).toBeCloseTo(160 - mean, 12);
    expect(hrRecovery60s(samples, LAST, peak, LAST + 65 * SEC + 1)).toBeCloseTo(160 - mean, 12);
  });

  it('takes one sample per second in the mean (two straps: the higher bpm)', () => {
    const second = samples.map((sample) => ({ ts: sample.ts + 300, bpm: sample.bpm - 10 }));
    expect(hrRecovery60s([...samples, ...second], LAST, 160)).toBeCloseTo(160 - mean, 12);
  });

  it('is undefined when the next set starts at or before last rep + 65 s', () => {
    expect(hrRecovery60s(samples, LAST, 160, LAST + 65 * SEC)).toBeUndefined();
    expect(hrRecovery60s(samples, LAST, 160, LAST + 40 * SEC)).toBeUndefined();
  });

  it('is undefined without samples in the window or without hr_peak', () => {
    expect(hrRecovery60s(trace().filter((s) => s.ts < LAST + 55 * SEC || s.ts > LAST + 65 * SEC), LAST, 160)).toBeUndefined();
    expect(hrRecovery60s(samples, LAST, undefined)).toBeUndefined();
  });

  it('property: undefined whenever the next set starts too soon, defined otherwise (with samples there)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30_000, max: 300_000 }), fc.integer({ min: 100, max: 200 }), (nextAfterLastMs, peak) => {
        const result = hrRecovery60s(samples, LAST, peak, LAST + nextAfterLastMs);
        return nextAfterLastMs <= 65_000 ? result === undefined : result !== undefined && Math.abs(result - (peak - mean)) < 1e-9;
      }),
    );
  });
});

describe('rmssd', () => {
  it('is √(mean squared successive difference), ms', () => {
    expect(rmssd([800, 810, 790, 800])).toBeCloseTo(Math.sqrt((100 + 400 + 100) / 3), 12);
    expect(rmssd([612, 605, 598, 590])).toBeCloseTo(Math.sqrt((49 + 49 + 64) / 3), 12);
    expect(rmssd([1000, 1000])).toBe(0);
  });

  it('is undefined for fewer than 2 intervals or a non-finite one', () => {
    expect(rmssd([])).toBeUndefined();
    expect(rmssd([800])).toBeUndefined();
    expect(rmssd([800, Number.NaN])).toBeUndefined();
  });

  it('property: ≥ 0, 0 for a constant series, and unchanged by a constant shift', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 200, max: 2000 }), { minLength: 2, maxLength: 1200 }), fc.integer({ min: -100, max: 100 }), (rr, shift) => {
        const value = rmssd(rr) ?? Number.NaN;
        const shifted = rmssd(rr.map((x) => x + shift)) ?? Number.NaN;
        return value >= 0 && Math.abs(value - shifted) < 1e-9 && rmssd(rr.map(() => rr[0] as number)) === 0;
      }),
    );
  });
});
