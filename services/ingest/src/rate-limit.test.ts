import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

function limiter(ratePerS: number, burst: number) {
  let now = 1_000_000;
  const l = createRateLimiter({ ratePerS, burst, clock: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

describe('createRateLimiter', () => {
  it('lets a burst through, then the rate', () => {
    const { l, advance } = limiter(10, 5);
    expect(Array.from({ length: 7 }, () => l.take('st-1'))).toEqual([true, true, true, true, true, false, false]);
    advance(100); // one token back at 10/s
    expect(l.take('st-1')).toBe(true);
    expect(l.take('st-1')).toBe(false);
  });

  it('one station flooding does not touch another station’s budget', () => {
    const { l } = limiter(1, 3);
    for (let i = 0; i < 100; i++) l.take('flood');
    expect([l.take('calm'), l.take('calm'), l.take('calm')]).toEqual([true, true, true]);
  });

  it('never lets through more than burst + rate × elapsed, whatever the pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 20 }), (gaps, rate, burst) => {
        const { l, advance } = limiter(rate, burst);
        let allowed = 0;
        let elapsed = 0;
        for (const gap of gaps) {
          advance(gap);
          elapsed += gap;
          if (l.take('st')) allowed++;
        }
        expect(allowed).toBeLessThanOrEqual(burst + (rate * elapsed) / 1000 + 1e-9);
      }),
    );
  });

  it('forgets stations that went quiet', () => {
    const { l, advance } = limiter(10, 5);
    l.take('a');
    l.take('b');
    expect(l.size()).toBe(2);
    advance(11_000);
    l.take('c');
    expect(l.size()).toBe(1);
  });
});
