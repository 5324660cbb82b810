// The quiet probe after a bench-cluster load: one message at a time, publish → its rep point in the TSDB, and
// ingest's commits then.
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { repPayload } from '../harness/pipeline.js';
import { quantile } from './cluster-workload.js';
import type { CountingProxy } from './counting-proxy.js';
import { deltaSamples, histogramQuantileMs } from './metric-histogram.js';
import { fetchMetrics, mean, metric, type Sample } from './probes.js';

/** One station publishing one message at a time once the load is done: latency without queueing. */
export interface ProbeResult {
  readonly messages: number;
  /** Publish → the message's rep point acknowledged by the TSDB (seen by the counting proxy; ~1 ms polling), ms. */
  readonly storedP50Ms: number;
  readonly storedP99Ms: number;
  /** Ingest's commits during the probe (its histogram's delta). */
  readonly commits: number;
  readonly commitMeanMs: number;
  readonly commitP50Ms: number;
  readonly commitP99Ms: number;
}

/**
 * A station of `gym` publishes `count` reps (sets of 8) one at a time, each once the one before is stored as
 * a rep point (the counting proxy saw the TSDB acknowledge it), after the load is done: latency without
 * queueing, and ingest's commits then.
 */
export async function quietProbe(url: string, ingestUrl: string, proxy: CountingProxy, gym: string, count: number, tag: string, before: readonly Sample[]): Promise<ProbeResult> {
  const commitsBefore = before.filter((s) => s.name.startsWith('neurolift_ingest_commit_seconds'));
  const client = await mqtt.connectAsync(url, { clientId: `${tag}-probe`, protocolVersion: 5, reconnectPeriod: 0 });
  const latencies: number[] = [];
  const storedReps = () => proxy.counts().distinct.rep ?? 0;
  try {
    const t0 = Date.now() - 30 * 60_000;
    for (let i = 0; i < count; i++) {
      const set = Math.floor(i / 8);
      const payload = repPayload({ ts: t0 + i * 3000, athleteId: 'ath-cb-probe', setId: `probe-${set + 1}`, repIndex: (i % 8) + 1, meanVelocity: 0.6, concentricMs: 700, eccentricMs: 1300 });
      const was = storedReps();
      const at = performance.now();
      await client.publishAsync(`gym/v1/${gym}/st-probe/rep`, payload, { qos: 1 });
      while (storedReps() <= was) {
        if (performance.now() - at > 10_000) throw new Error(`probe message ${i + 1} not stored within 10 s`);
        await sleep(1);
      }
      latencies.push(performance.now() - at);
    }
  } finally {
    await client.endAsync();
  }
  const after = (await fetchMetrics(ingestUrl)).filter((s) => s.name.startsWith('neurolift_ingest_commit_seconds'));
  const delta = deltaSamples(commitsBefore, after);
  return {
    messages: count,
    storedP50Ms: quantile(latencies, 0.5),
    storedP99Ms: quantile(latencies, 0.99),
    commits: metric(delta, 'neurolift_ingest_commit_seconds_count'),
    commitMeanMs: mean(delta, 'neurolift_ingest_commit_seconds', 1000),
    commitP50Ms: histogramQuantileMs(delta, 'neurolift_ingest_commit_seconds', 0.5),
    commitP99Ms: histogramQuantileMs(delta, 'neurolift_ingest_commit_seconds', 0.99),
  };
}
