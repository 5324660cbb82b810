// Reading a service's Prometheus /metrics in tests: the text format parsed into samples, sums by
// name and labels, and the ingest's message accounting (received = stored + dead-lettered + in flight).
import { waitFor } from './servers.js';

export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (as much of it as prom-client writes). */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match?.[1] === undefined || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (pair[1] !== undefined) labels[pair[1]] = pair[2] ?? '';
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** GET `<baseUrl>/metrics`, parsed. */
export async function fetchMetrics(baseUrl: string): Promise<MetricSample[]> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return parsePrometheusText(await res.text());
}

/** Sum of the samples named `name` whose labels include `labels` (0 when there are none). */
export function metricSum(samples: readonly MetricSample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** The ingest's message accounting, summed over channels and reasons. */
export interface IngestCounts {
  readonly received: number;
  readonly stored: number;
  readonly deadLettered: number;
  /** Received and not yet acknowledged (committed to Redis). */
  readonly inFlight: number;
  /** Dead letters by reason. */
  readonly byReason: Readonly<Record<string, number>>;
}

export async function ingestCounts(baseUrl: string): Promise<IngestCounts> {
  const samples = await fetchMetrics(baseUrl);
  const byReason: Record<string, number> = {};
  for (const s of samples) {
    const reason = s.labels.reason;
    if (s.name === 'neurolift_ingest_dead_letters_total' && reason !== undefined) byReason[reason] = (byReason[reason] ?? 0) + s.value;
  }
  return {
    received: metricSum(samples, 'neurolift_ingest_messages_received_total'),
    stored: metricSum(samples, 'neurolift_ingest_messages_stored_total'),
    deadLettered: metricSum(samples, 'neurolift_ingest_dead_letters_total'),
    inFlight: metricSum(samples, 'neurolift_ingest_in_flight_messages'),
    byReason,
  };
}

/** `after - before` per reason, leaving out reasons that did not change. */
export function reasonDelta(before: IngestCounts, after: IngestCounts): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [reason, count] of Object.entries(after.byReason)) {
    const change = count - (before.byReason[reason] ?? 0);
    if (change !== 0) delta[reason] = change;
  }
  return delta;
}

/**
 * Waits until ingest has received at least `expected` messages more than `before` and has handled every
 * message it received (none in flight; received = stored + dead-lettered), and returns the counts then.
 */
export async function waitForIngestQuiet(baseUrl: string, before: IngestCounts, expected: number): Promise<IngestCounts> {
  return waitFor(
    async () => {
      const now = await ingestCounts(baseUrl);
      const handled = now.inFlight === 0 && now.received === now.stored + now.deadLettered;
      return now.received - before.received >= expected && handled ? now : undefined;
    },
    { what: `ingest to receive and handle ${expected} more messages`, intervalMs: 10 },
  );
}
