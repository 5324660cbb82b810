/**
 * Per-station token buckets: each station may send `ratePerS` messages a second on average and
 * `burst` at once. A flooding device then spends its own budget only; the others are untouched.
 * Buckets of stations that went quiet (full again) are dropped, so memory follows the active stations.
 */
export interface RateLimiter {
  /** Takes one token for `key`; false when its bucket is empty (the message is over the limit). */
  take(key: string): boolean;
  /** Buckets held (active stations). */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: { ratePerS: number; burst: number; clock: () => number }): RateLimiter {
  const { ratePerS, burst, clock } = options;
  const buckets = new Map<string, Bucket>();
  let lastSweep = clock();
  const refill = (bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerS);
    bucket.at = now;
  };
  return {
    take(key) {
      const now = clock();
      // Sweep at most every 10 s: a bucket full again needs no memory.
      if (now - lastSweep > 10_000) {
        lastSweep = now;
        for (const [other, bucket] of buckets) {
          refill(bucket, now);
          if (bucket.tokens >= burst) buckets.delete(other);
        }
      }
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { tokens: burst, at: now };
        buckets.set(key, bucket);
      } else refill(bucket, now);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    size: () => buckets.size,
  };
}
