import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { computeExposure, dailyLoads, dayOf, endOfDay, ewmaWeight } from './exposure.js';

/*
 * Model spec "Over time": L_d = Σ session NSI of day d (cap 150); x_d = λ·L_d + (1 − λ)·x_{d−1}, λ = 2/(N + 1),
 * N = 7 (A7) and 28 (C28), from 0 on the day before the first training day, carried over rest days; A7/C28 only
 * after 28 days of data.
 */

const DAY = 86_400_000;
const L7 = 2 / 8; // 0.25
const L28 = 2 / 29;

describe('dayOf / endOfDay', () => {
  it('uses UTC days of 86 400 000 ms', () => {
    expect(dayOf(0)).toBe(0);
    expect(dayOf(DAY - 1)).toBe(0);
    expect(dayOf(DAY)).toBe(1);
    expect(dayOf(-1)).toBe(-1);
    expect(dayOf(1_793_059_200_000)).toBe(20_753); // 2026-10-27T00:00:00Z
    expect(dayOf(1_793_059_200_000 - 1)).toBe(20_752);
    expect(endOfDay(0)).toBe(DAY - 1);
    expect(endOfDay(20_753)).toBe(1_793_059_200_000 + DAY - 1);
  });

  it('endOfDay is the last ms of the day', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (day) => {
        expect(dayOf(endOfDay(day))).toBe(day);
        expect(dayOf(endOfDay(day) + 1)).toBe(day + 1);
      }),
    );
  });
});

describe('dailyLoads', () => {
  it('sums session NSI per UTC day of the session end', () => {
    const loads = dailyLoads([
      { endTs: 10 * DAY + 3_600_000, nsi: 60 },
      { endTs: 10 * DAY + 50_000_000, nsi: 30 },
      // Started late on day 10, its last set ended after midnight: it belongs to day 11.
      { endTs: 11 * DAY + 1_800_000, nsi: 45 },
    ]);
    expect([...loads]).toEqual([
      [10, 90],
      [11, 45],
    ]);
  });
});

describe('computeExposure: EWMA', () => {
  it('λ = 2/(N + 1)', () => {
    expect(ewmaWeight(7)).toBe(0.25);
    expect(ewmaWeight(28)).toBeCloseTo(0.0689655, 7);
  });

  it('hand-computed: 80 on day 10, rest on day 11, 60 on day 12', () => {
    const points = computeExposure(
      new Map([
        [10, 80],
        [12, 60],
      ]),
      13,
    );
    expect(points.map((p) => p.day)).toEqual([10, 11, 12, 13]);
    expect(points.map((p) => p.dailyLoad)).toEqual([80, 0, 60, 0]);
    // A7: 0.25·80 = 20; rest: 0.75·20 = 15; 0.25·60 + 0.75·15 = 26.25; rest: 0.75·26.25 = 19.6875.
    expect(points.map((p) => p.a7)).toEqual([20, 15, 26.25, 19.6875].map((x) => expect.closeTo(x, 12) as number));
    // C28: 160/29 = 5.5172…; ·27/29 = 4320/841 = 5.1367…; 120/29 + 27/29·4320/841 = 217560/24389 = 8.9204…
    expect(points[0]?.c28).toBeCloseTo(160 / 29, 12);
    expect(points[1]?.c28).toBeCloseTo(4320 / 841, 12);
    expect(points[2]?.c28).toBeCloseTo(217_560 / 24_389, 12);
    expect(points[3]?.c28).toBeCloseTo(((217_560 / 24_389) * 27) / 29, 12);
    expect(points.map((p) => p.ts)).toEqual([10, 11, 12, 13].map(endOfDay));
  });

  it('carries the EWMA across a long break: x decays as (1 − λ)^days', () => {
    const points = computeExposure(new Map([[0, 100]]), 10);
    points.forEach((p, d) => {
      expect(p.a7).toBeCloseTo(100 * L7 * (1 - L7) ** d, 12);
      expect(p.c28).toBeCloseTo(100 * L28 * (1 - L28) ** d, 12);
    });
  });

  it('caps the daily load at 150 (summing several entries of one day first)', () => {
    const points = computeExposure(
      [
        { day: 5, load: 90 },
        { day: 5, load: 88 },
        { day: 6, load: 400 },
        { day: 7, load: 150 },
      ],
      7,
    );
    expect(points.map((p) => p.dailyLoad)).toEqual([150, 150, 150]);
    expect(points[0]?.a7).toBeCloseTo(37.5, 12);
  });

  it('treats negative or non-finite loads as 0', () => {
    const points = computeExposure(
      [
        { day: 1, load: -5 },
        { day: 2, load: Number.NaN },
      ],
      2,
    );
    expect(points.map((p) => [p.dailyLoad, p.a7, p.c28])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('gives the same result for a Map and an entry list', () => {
    const map = new Map([
      [3, 40],
      [5, 90],
      [9, 70],
    ]);
    const list = [...map].map(([day, load]) => ({ day, load }));
    expect(computeExposure(list.reverse(), 40)).toEqual(computeExposure(map, 40));
  });

  it('is empty without training days or before the first one; ignores days after untilDay', () => {
    expect(computeExposure(new Map(), 100)).toEqual([]);
    expect(computeExposure(new Map([[50, 80]]), 49)).toEqual([]);
    const points = computeExposure(
      new Map([
        [50, 80],
        [60, 80],
      ]),
      55,
    );
    expect(points).toHaveLength(6);
    expect(points.at(-1)?.a7).toBeCloseTo(80 * L7 * (1 - L7) ** 5, 12);
  });

  it('rejects a non-integer day', () => {
    expect(() => computeExposure(new Map([[1.5, 10]]), 3)).toThrow(RangeError);
    expect(() => computeExposure(new Map([[1, 10]]), 3.2)).toThrow(/integer UTC day/);
  });
});

describe('computeExposure: the A7/C28 ratio', () => {
  it('appears from the 28th day of data (first + 27) on, not before', () => {
    const points = computeExposure(new Map([[100, 60]]), 140);
    for (const p of points) {
      if (p.day < 127) expect(p).not.toHaveProperty('ratio');
      else expect(p.ratio).toBeCloseTo(p.a7 / p.c28, 12);
    }
    expect(points.find((p) => p.day === 126)).not.toHaveProperty('ratio');
    expect(points.find((p) => p.day === 127)?.ratio).toBeCloseTo(((1 - L7) ** 27 * L7) / ((1 - L28) ** 27 * L28), 9);
  });

  it('is omitted when C28 is 0', () => {
    const points = computeExposure(new Map([[0, 0]]), 40);
    expect(points).toHaveLength(41);
    for (const p of points) expect(p).not.toHaveProperty('ratio');
  });
});
