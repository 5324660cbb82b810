// Prometheus samples read as histograms: quantiles, and the delta between two scrapes.
import type { Sample } from './probes.js';

/** histogram_quantile over a prom-client histogram's cumulative buckets (linear inside a bucket), ms. */
export function histogramQuantileMs(samples: readonly Sample[], name: string, q: number): number {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return 1000 * prevLe;
      const inBucket = bucket.count - prevCount;
      return 1000 * (prevLe + (bucket.le - prevLe) * (inBucket > 0 ? (rank - prevCount) / inBucket : 1));
    }
    prevLe = bucket.le;
    prevCount = bucket.count;
  }
  return Number.NaN;
}

/** The samples of `after` minus those of `before` with the same name and labels (a counter's or histogram's delta). */
export function deltaSamples(before: readonly Sample[], after: readonly Sample[]): Sample[] {
  const key = (s: Sample) => `${s.name}${JSON.stringify(s.labels)}`;
  const was = new Map(before.map((s) => [key(s), s.value]));
  return after.map((s) => ({ ...s, value: s.value - (was.get(key(s)) ?? 0) }));
}
