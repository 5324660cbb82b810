// Typed harness for integration tests: real Mosquitto (MQTT over TCP at env.MQTT_URL and over WebSockets
// at env.MQTT_WS_URL, same users and ACL), Redis and VictoriaMetrics on free ports
// (see infra/local-services.mjs), plus helpers to read VictoriaMetrics and to poll for a state.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startLocalServices,
  type LocalServices,
  type DefaultServiceName,
  type LocalServicesOptions,
  type ServiceName,
} from '../../../infra/local-services.mjs';

export type { LocalServices, LocalServicesEnv, LocalServicesOptions, MosquittoHandle, ServerHandle, ServiceName } from '../../../infra/local-services.mjs';

/** Starts the servers (default all three); call `stop()` in afterAll. */
export function startServers<S extends ServiceName = DefaultServiceName>(options?: LocalServicesOptions<S>): Promise<LocalServices<S>> {
  return startLocalServices(options);
}

export interface Series {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/**
 * All samples of the series matching `match` (a PromQL series selector such as `{__name__=~"rep_.*"}`),
 * sorted by their labels (up to `endMs`, default now). Flushes VictoriaMetrics' in-memory buffers first: without that, points
 * written in the last second are not visible to the export.
 */
export async function exportSeries(influxUrl: string, match: string, options: { endMs?: number } = {}): Promise<Series[]> {
  const flush = await fetch(new URL('/internal/force_flush', influxUrl));
  if (!flush.ok) throw new Error(`force_flush: HTTP ${flush.status} ${await flush.text()}`);
  const url = new URL('/api/v1/export', influxUrl);
  url.searchParams.set('match[]', match);
  // The export ends at "now" unless told otherwise; points stamped later (end of day, curves) need an end.
  if (options.endMs !== undefined) url.searchParams.set('end', String(options.endMs / 1000));
  const res = await fetch(url);
  const body = await res.text();
  if (!res.ok) throw new Error(`export ${match}: HTTP ${res.status} ${body}`);
  const series = body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseSeries(JSON.parse(line) as unknown));
  return series.sort((a, b) => labelKey(a).localeCompare(labelKey(b)));
}

function parseSeries(value: unknown): Series {
  if (typeof value === 'object' && value !== null && 'metric' in value && 'values' in value && 'timestamps' in value) {
    const { metric, values, timestamps } = value;
    if (isStringRecord(metric) && isNumberArray(values) && isNumberArray(timestamps)) return { metric, values, timestamps };
  }
  throw new Error(`unexpected export line: ${JSON.stringify(value)}`);
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');
const labelKey = (s: Series): string => JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => a.localeCompare(b)));

export interface WaitForOptions {
  /** What is awaited, for the error message. */
  what: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Pause between probes; default 50 ms. */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined. A probe that throws counts as
 * "not yet" (e.g. connection refused while a server restarts); the last error ends up in the timeout message.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitForOptions): Promise<T> {
  const { what, timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  let last = 'last value: undefined';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'last value: undefined';
    } catch (err) {
      last = `last error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what} (${last})`);
    await sleep(intervalMs);
  }
}
