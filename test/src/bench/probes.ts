// Reading the system under test: polling with a stall timeout, the pipeline's Prometheus metrics, and
// the rep points in VictoriaMetrics.
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchMetrics, metricSum, type MetricSample } from '../harness/metrics.js';
import { exportSeries } from '../harness/servers.js';
import { GYM } from './workload.js';

const POLL_MS = 150;
/** A phase fails when nothing moves for this long. */
const STALL_MS = 60_000;

/** Polls `probe` every `pollMs` (default POLL_MS) until it returns a value; fails when `progress()` stays unchanged for STALL_MS. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, progress: () => unknown, pollMs = POLL_MS): Promise<T> {
  let last = progress();
  let lastChange = performance.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const now = performance.now();
    const current = progress();
    if (current !== last) {
      last = current;
      lastChange = now;
    } else if (now - lastChange > STALL_MS) {
      throw new Error(`stalled: no progress for ${STALL_MS / 1000} s waiting for ${what} (at ${String(current)})`);
    }
    await sleep(pollMs);
  }
}

// The text format is parsed by the test harness's reader; the bench keeps its short names.
export type Sample = MetricSample;
export { fetchMetrics, metricSum as metric };

/** Mean of a histogram or summary (`_sum` / `_count`) times `scale`; 0 without observations. */
export function mean(samples: readonly Sample[], name: string, scale = 1): number {
  const count = metricSum(samples, `${name}_count`);
  return count > 0 ? (scale * metricSum(samples, `${name}_sum`)) / count : 0;
}

/** The smallest histogram bucket bound that holds every observation (Infinity when some exceed all bounds). */
export function maxBucket(samples: readonly Sample[], name: string): number {
  const buckets = samples.filter((s) => s.name === name).map((s) => ({ le: Number(s.labels.le === '+Inf' ? Infinity : s.labels.le), count: s.value }));
  const total = Math.max(0, ...buckets.map((b) => b.count));
  return Math.min(...buckets.filter((b) => b.count >= total).map((b) => b.le));
}

const REP_SERIES = `rep_mean_velocity{gym="${GYM}"}`;

/** Distinct rep points of the bench gym in VictoriaMetrics, by an instant count_over_time query (after a flush). */
export async function tsdbRepCount(influxUrl: string): Promise<number> {
  const flush = await fetch(new URL('/internal/force_flush', influxUrl));
  await flush.arrayBuffer();
  if (!flush.ok) throw new Error(`force_flush: HTTP ${flush.status}`);
  const url = new URL('/api/v1/query', influxUrl);
  url.searchParams.set('query', `sum(count_over_time(${REP_SERIES}[8d]))`);
  const res = await fetch(url);
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`query: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  const result = (body as { data?: { result?: Array<{ value?: [number, string] }> } }).data?.result;
  if (!Array.isArray(result)) throw new Error(`query: unexpected answer ${JSON.stringify(body).slice(0, 300)}`);
  return Number(result[0]?.value?.[1] ?? 0);
}

/** Cross-check by export: distinct (series, timestamp) pairs of rep_mean_velocity, and how many series. */
export async function tsdbRepExport(influxUrl: string): Promise<{ points: number; series: number }> {
  const series = await exportSeries(influxUrl, REP_SERIES);
  return { points: series.reduce((sum, s) => sum + new Set(s.timestamps).size, 0), series: series.length };
}
