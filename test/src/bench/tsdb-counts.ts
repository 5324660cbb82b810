// Distinct points in VictoriaMetrics, counted by one field every point of a measurement has (VictoriaMetrics
// stores each field of a line as its own series, `<measurement>_<field>`), over a window wide enough for
// the workload's oldest device time and the acute curve's points up to 3 h after the newest set.

/** A field every point of the measurement carries. */
export const COUNTED_FIELD: Readonly<Record<string, string>> = {
  rep: 'rep_mean_velocity',
  set: 'set_reps',
  neurotrophic_stimulus: 'neurotrophic_stimulus_nsi',
  neurotrophic_exposure: 'neurotrophic_exposure_daily_load',
  neurotrophic_acute: 'neurotrophic_acute_level',
  alert: 'alert_value',
};

/** Look ahead of now for points stamped in the future (the acute curve), ms. */
const AHEAD_MS = 4 * 3_600_000;

/** Distinct points of `series` (a series selector) stamped from `sinceMs` to 4 h from now. */
export async function tsdbCount(influxUrl: string, series: string, sinceMs: number): Promise<number> {
  const flush = await fetch(new URL('/internal/force_flush', influxUrl));
  await flush.arrayBuffer();
  if (!flush.ok) throw new Error(`force_flush: HTTP ${flush.status}`);
  const at = Date.now() + AHEAD_MS;
  const windowS = Math.ceil((at - sinceMs) / 1000) + 60;
  const url = new URL('/api/v1/query', influxUrl);
  url.searchParams.set('query', `sum(count_over_time(${series}[${windowS}s]))`);
  url.searchParams.set('time', String(at / 1000));
  const res = await fetch(url);
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`query: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  const result = (body as { data?: { result?: Array<{ value?: [number, string] }> } }).data?.result;
  if (!Array.isArray(result)) throw new Error(`query: unexpected answer ${JSON.stringify(body).slice(0, 300)}`);
  return Number(result[0]?.value?.[1] ?? 0);
}

/**
 * The athlete-level measurements: tagged by athlete only (no gym tag; decision 0018), so they are
 * selected by the benchmark's athletes (station-workloads.ts and workload.ts name them `ath-…`,
 * `hist-…` and `ses-…`; every benchmark run has a TSDB of its own).
 */
const ATHLETE_LEVEL: ReadonlySet<string> = new Set(['neurotrophic_stimulus', 'neurotrophic_exposure', 'neurotrophic_acute']);
export const BENCH_ATHLETES = '(ath|hist|ses)-.*';

/** Distinct points of `measurement` of gym `gym` (or of the benchmark's athletes for the athlete-level series; 0 when the measurement is unknown here). */
export function tsdbMeasurementCount(influxUrl: string, measurement: string, gym: string, sinceMs: number): Promise<number> {
  const field = COUNTED_FIELD[measurement];
  if (field === undefined) return Promise.resolve(0);
  const selector = ATHLETE_LEVEL.has(measurement) ? `{athlete=~"${BENCH_ATHLETES}"}` : `{gym="${gym}"}`;
  return tsdbCount(influxUrl, `${field}${selector}`, sinceMs);
}
