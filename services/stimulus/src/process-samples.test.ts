import type { ImuMessage } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { paramsForInbox } from './process-samples.js';

const NOW = 1_796_700_000_000;
const block = (t0: number): ImuMessage => ({
  v: 1,
  t0,
  hz: 100,
  athleteId: 'ath-1',
  setId: 's-1',
  exercise: 'back_squat',
  loadKg: 100,
  mount: 'bar',
  accel: { x: [0], y: [0], z: [9.81] },
});
const window = { ms: 300_000, now: () => NOW };

describe('paramsForInbox', () => {
  it('live blocks keep the parameters as given (gaps given up after 2 s of later samples)', () => {
    expect(paramsForInbox([block(NOW - 1000)], undefined, window)).toBeUndefined();
    expect(paramsForInbox([block(NOW - 400_000), block(NOW - 299_000)], { maxPendingBlocks: 8 }, window)).toEqual({ maxPendingBlocks: 8 });
  });

  it('a late upload (the newest block older than the window) waits for every gap until the set ends', () => {
    const params = paramsForInbox([block(NOW - 400_000), block(NOW - 301_000)], { maxPendingBlocks: 8 }, window);
    expect(params?.maxPendingBlocks).toBe(8);
    expect(params?.maxWaitSamples).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('no window, a window of 0 or an empty inbox: the parameters as given', () => {
    const old = [block(NOW - 3_600_000)];
    expect(paramsForInbox(old, undefined, undefined)).toBeUndefined();
    expect(paramsForInbox(old, undefined, { ms: 0, now: () => NOW })).toBeUndefined();
    expect(paramsForInbox([], undefined, window)).toBeUndefined();
  });
});
