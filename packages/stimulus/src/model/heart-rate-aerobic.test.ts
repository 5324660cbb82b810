import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { aerobicTerm, hrReserveFraction } from './heart-rate.js';
import {
  EMPTY_AEROBIC_SUM,
  aerobicBucket,
  aerobicOfSamples,
  combineAerobicSums,
  hrSamplesOfBlock,
  insideAnyInterval,
  insideMergedIntervals,
  mergeIntervals,
  minuteBucketOf,
  resistanceInterval,
  splitIntoMinuteBuckets,
  type AerobicSum,
  type ResistanceInterval,
  type TimedHr,
} from './heart-rate-aerobic.js';

/* Model spec "v1.1: heart rate", "Aerobic dose". */

const T0 = 1_793_030_400_000; // 2026-10-26T16:00:00Z, a whole minute
const HR = { restingHr: 60, maxHr: 190 };
const SEC = 1000;

describe('resistanceInterval', () => {
  it('is [first rep − 30 s, last rep + 180 s]', () => {
    expect(resistanceInterval(T0, T0 + 20 * SEC)).toEqual({ startTs: T0 - 30 * SEC, endTs: T0 + 200 * SEC });
  });
});

describe('mergeIntervals / insideMergedIntervals', () => {
  it('sorts, merges overlapping and touching intervals, drops empty ones', () => {
    const merged = mergeIntervals([
      { startTs: 50, endTs: 60 },
      { startTs: 0, endTs: 10 },
      { startTs: 10, endTs: 20 },
      { startTs: 5, endTs: 8 },
      { startTs: 30, endTs: 29 },
      { startTs: Number.NaN, endTs: 100 },
    ]);
    expect(merged).toEqual([
      { startTs: 0, endTs: 20 },
      { startTs: 50, endTs: 60 },
    ]);
    expect([0, 20, 50, 60, 35, 21, -1, 61].map((ts) => insideMergedIntervals(ts, merged))).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('property: membership after merging equals membership in any of the given intervals', () => {
    const interval = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -50, max: 300 })).map(([s, len]): ResistanceInterval => ({ startTs: s, endTs: s + len }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), fc.integer({ min: -10, max: 1400 }), (intervals, ts) => {
        return insideMergedIntervals(ts, mergeIntervals(intervals)) === insideAnyInterval(ts, intervals);
      }),
    );
  });
});

describe('aerobicBucket', () => {
  it('sums the counted samples of a minute and reports their first and last time', () => {
    // 150 bpm (r = 0.692, counted), 100 bpm (r = 0.31, not counted), 190 bpm (r = 1).
    const result = aerobicBucket(T0, [
      { offsetMs: 0, bpm: 150 },
      { offsetMs: 1000, bpm: 100 },
      { offsetMs: 2000, bpm: 190 },
    ], [], HR);
    expect(result.counted).toBe(2);
    expect(result.a).toBeCloseTo(aerobicTerm(90 / 130) + aerobicTerm(1), 15);
    expect(result.firstCountedTs).toBe(T0);
    expect(result.lastCountedTs).toBe(T0 + 2000);
  });

  it('counts r = 0.5 exactly, not just below', () => {
    expect(aerobicBucket(T0, [{ offsetMs: 0, bpm: 125 }], [], HR).counted).toBe(1);
    expect(aerobicBucket(T0, [{ offsetMs: 0, bpm: 124.99 }], [], HR)).toEqual(EMPTY_AEROBIC_SUM);
  });

  it('leaves out samples inside a resistance interval, bounds included', () => {
    const set = resistanceInterval(T0 + 60 * SEC, T0 + 80 * SEC); // [T0 + 30 s, T0 + 260 s]
    const samples = [29, 30, 31, 259, 260, 261].map((s) => ({ offsetMs: s * SEC, bpm: 160 }));
    const result = aerobicBucket(T0, samples, [set], HR);
    expect(result.counted).toBe(2);
    expect([result.firstCountedTs, result.lastCountedTs]).toEqual([T0 + 29 * SEC, T0 + 261 * SEC]);
  });

  it('counts one sample per second: two straps in the same second count once, with the higher bpm', () => {
    const result = aerobicBucket(T0, [
      { offsetMs: 1000, bpm: 150 },
      { offsetMs: 1400, bpm: 170 },
      { offsetMs: 1999, bpm: 170 },
      { offsetMs: 2000, bpm: 150 },
    ], [], HR);
    expect(result.counted).toBe(2);
    expect(result.a).toBe(aerobicTerm(hrReserveFraction(170, HR)) + aerobicTerm(hrReserveFraction(150, HR)));
    expect([result.firstCountedTs, result.lastCountedTs]).toEqual([T0 + 1400, T0 + 2000]);
  });

  it('does not depend on the order of samples or intervals; a repeated time counts once, with its highest bpm', () => {
    const samples = [
      { offsetMs: 3000, bpm: 170 },
      { offsetMs: 1000, bpm: 150 },
      { offsetMs: 1000, bpm: 160 },
      { offsetMs: 2000, bpm: 140 },
    ];
    const result = aerobicBucket(T0, samples, [], HR);
    expect(result.counted).toBe(3);
    expect(result.a).toBe(aerobicTerm(hrReserveFraction(160, HR)) + aerobicTerm(hrReserveFraction(140, HR)) + aerobicTerm(hrReserveFraction(170, HR)));
    expect(aerobicBucket(T0, [...samples].reverse(), [], HR)).toEqual(result);
  });

  it('ignores non-finite samples', () => {
    expect(aerobicBucket(T0, [{ offsetMs: 0, bpm: Number.NaN }, { offsetMs: Number.NaN, bpm: 150 }], [], HR)).toEqual(EMPTY_AEROBIC_SUM);
  });
});

describe('combineAerobicSums', () => {
  it('adds and keeps the earliest first / latest last counted time; EMPTY is neutral', () => {
    const x: AerobicSum = { a: 1, counted: 10, firstCountedTs: 100, lastCountedTs: 200 };
    const y: AerobicSum = { a: 2, counted: 5, firstCountedTs: 300, lastCountedTs: 400 };
    expect(combineAerobicSums(x, y)).toEqual({ a: 3, counted: 15, firstCountedTs: 100, lastCountedTs: 400 });
    expect(combineAerobicSums(y, x)).toEqual({ a: 3, counted: 15, firstCountedTs: 100, lastCountedTs: 400 });
    expect(combineAerobicSums(EMPTY_AEROBIC_SUM, x)).toEqual(x);
    expect(combineAerobicSums(x, EMPTY_AEROBIC_SUM)).toEqual(x);
  });
});

describe('splitIntoMinuteBuckets', () => {
  it('buckets by UTC minute with offsets from the minute start (t0 need not be on a whole second)', () => {
    const samples = hrSamplesOfBlock(T0 + 58_500, [150, 151, 152]);
    expect(splitIntoMinuteBuckets(samples)).toEqual([
      { bucketStartTs: T0, samples: [{ offsetMs: 58_500, bpm: 150 }, { offsetMs: 59_500, bpm: 151 }] },
      { bucketStartTs: T0 + 60_000, samples: [{ offsetMs: 500, bpm: 152 }] },
    ]);
    expect(minuteBucketOf(T0 + 59_999)).toBe(T0);
    expect(minuteBucketOf(T0 + 60_000)).toBe(T0 + 60_000);
  });
});

/* Properties over random heart-rate traces and sets. */

const traceArb = fc.record({
  t0: fc.integer({ min: T0 - 120_000, max: T0 + 120_000 }),
  bpm: fc.array(fc.oneof(fc.integer({ min: 25, max: 250 }), fc.double({ min: 25, max: 250, noNaN: true })), { minLength: 1, maxLength: 600 }),
});
const setArb = fc
  .tuple(fc.integer({ min: T0 - 300_000, max: T0 + 900_000 }), fc.integer({ min: 0, max: 90_000 }))
  .map(([first, length]) => resistanceInterval(first, first + length));
const setsArb = fc.array(setArb, { maxLength: 5 });

describe('aerobic properties', () => {
  it('samples inside a resistance interval never count', () => {
    fc.assert(
      fc.property(traceArb, setsArb, ({ t0, bpm }, intervals) => {
        const samples = hrSamplesOfBlock(t0, bpm);
        const all = aerobicOfSamples(samples, intervals, HR);
        const outside = samples.filter((sample) => !insideAnyInterval(sample.ts, intervals));
        const inside = samples.filter((sample) => insideAnyInterval(sample.ts, intervals));
        expect(aerobicOfSamples(inside, intervals, HR)).toEqual(EMPTY_AEROBIC_SUM);
        // Leaving out the inside samples changes nothing; the outside ones with r ≥ 0.5 are exactly the counted ones.
        expect(aerobicOfSamples(outside, intervals, HR)).toEqual(all);
        expect(all.counted).toBe(outside.filter((sample) => hrReserveFraction(sample.bpm, HR) >= 0.5).length);
        for (const ts of [all.firstCountedTs, all.lastCountedTs]) if (ts !== undefined) expect(insideAnyInterval(ts, intervals)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('splitting a span into minute buckets and combining their records equals the whole', () => {
    fc.assert(
      fc.property(traceArb, setsArb, ({ t0, bpm }, intervals) => {
        const samples = hrSamplesOfBlock(t0, bpm);
        const whole = aerobicOfSamples(samples, intervals, HR);
        const parts = splitIntoMinuteBuckets(samples).map((bucket) => aerobicBucket(bucket.bucketStartTs, bucket.samples, intervals, HR));
        const combined = parts.reduce(combineAerobicSums, EMPTY_AEROBIC_SUM);
        expect(combined.counted).toBe(whole.counted);
        expect(combined.firstCountedTs).toBe(whole.firstCountedTs);
        expect(combined.lastCountedTs).toBe(whole.lastCountedTs);
        expect(Math.abs(combined.a - whole.a)).toBeLessThanOrEqual(1e-12 * Math.max(1, whole.a));
      }),
      { numRuns: 200 },
    );
  });

  it('a bucket gives the same record whether it is given all intervals or only those overlapping it', () => {
    fc.assert(
      fc.property(traceArb, setsArb, ({ t0, bpm }, intervals) => {
        for (const bucket of splitIntoMinuteBuckets(hrSamplesOfBlock(t0, bpm))) {
          const overlapping = intervals.filter((interval) => interval.endTs >= bucket.bucketStartTs && interval.startTs < bucket.bucketStartTs + 60_000);
          expect(aerobicBucket(bucket.bucketStartTs, bucket.samples, overlapping, HR)).toEqual(aerobicBucket(bucket.bucketStartTs, bucket.samples, intervals, HR));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('A does not depend on the order samples arrive in (late upload = live)', () => {
    fc.assert(
      fc.property(traceArb, setsArb, fc.integer(), ({ t0, bpm }, intervals, seed) => {
        const samples = hrSamplesOfBlock(t0, bpm);
        const shuffled: TimedHr[] = [...samples].sort((x, y) => ((x.ts * 7919 + seed) % 1009) - ((y.ts * 7919 + seed) % 1009));
        expect(aerobicOfSamples(shuffled, intervals, HR)).toEqual(aerobicOfSamples(samples, intervals, HR));
      }),
      { numRuns: 100 },
    );
  });
});
