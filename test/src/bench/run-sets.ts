// One run of a set workload through the pipeline (default: one process per service, the compose shape) on
// fresh servers, timed until every closed set is computed: its `set` point acknowledged by the TSDB. A
// counting proxy in front of VictoriaMetrics sees every acknowledged write: the distinct rep and set points
// over time (the timeline), and the lines of each measurement (lines per set). The TSDB itself is the truth
// for the loss (distinct rep and set points stored). Each process's peak RSS, and the event-loop delay of
// each pipeline process (prom-client's monitorEventLoopDelay histogram, scraped once a second), come from
// process-watch.ts; CPU per set from /proc, per window.
//
// The proxy costs the bench process ~0.5 µs per line (~0.1 ms per set at ~200 lines a set): a few per cent
// of what a set costs the pipeline, charged to the load generator, not to the pipeline.
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv } from '../harness/pipeline.js';
import { startBenchServers } from './bench-servers.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { logLines, startPipelineParts, stopChild, type PipelinePart, type Topology } from './pipeline-process.js';
import { metric, until } from './probes.js';
import { cpuDelta, cpuSnapshot, type CpuSnapshot } from './proc-stats.js';
import { watchProcesses, type ProcessFigures } from './process-watch.js';
import { startStationPublishers, type StationWorkload } from './station-workloads.js';
import { COUNTED_FIELD, tsdbMeasurementCount } from './tsdb-counts.js';
import { settlePublishers, type Publishers } from './workload.js';

const DAY_MS = 86_400_000;
/** The default TIME_MAX_AGE_MS (7 days): older workloads need a larger one. */
const DEFAULT_MAX_AGE_MS = 7 * DAY_MS;
/**
 * The windows compared: the first this many seconds after every rep point is stored (the ingest no longer
 * competes for the CPU) and the run's last this many seconds; shorter when the stretch between them is
 * less than twice this, and the run's two halves when the sets were done with the reps.
 */
export const WINDOW_S = 20;

export interface SetsRunOptions {
  readonly topology: Topology;
  readonly pipelineEnv: Readonly<Record<string, string>>;
}

/** Sets done and CPU in a stretch of the run. */
export interface Window {
  readonly fromS: number;
  readonly toS: number;
  readonly sets: number;
  readonly setsPerS: number;
  /** CPU ms per set done in the window: each process, `pipeline` (their sum), `stack` (pipeline + redis + victoria-metrics). */
  readonly cpuMsPerSet: Record<string, number>;
}

export interface TimelineSample {
  readonly t: number;
  readonly reps: number;
  readonly sets: number;
  readonly lines: number;
  readonly cpu: CpuSnapshot;
}

/** A run's rep messages and sets, and how fast they were stored. */
export interface StoreRates {
  readonly reps: number;
  readonly sets: number;
  readonly messages: number;
  /** First publish → every rep point acknowledged by the TSDB, s; and messages / that. */
  readonly repsStoredS: number;
  readonly msgPerS: number;
  /** First publish → every set's points acknowledged by the TSDB, s; and sets / that. */
  readonly setsDoneS: number;
  readonly setsPerS: number;
}

/** The workload's size with the rates from its times to every rep stored and every set done. */
export function storeRates(workload: Pick<StoreRates, 'reps' | 'sets' | 'messages'>, repsStoredS: number, setsDoneS: number): StoreRates {
  const { reps, sets, messages } = workload;
  return { reps, sets, messages, repsStoredS, msgPerS: messages / repsStoredS, setsDoneS, setsPerS: sets / setsDoneS };
}

/** Sets done: their `set` point acknowledged by the TSDB. */
export interface SetsRunResult extends StoreRates {
  readonly workload: StationWorkload['name'];
  /** The first WINDOW_S seconds after every rep point is stored, the last WINDOW_S seconds of the run (to every set point), and the whole run. */
  readonly first: Window;
  readonly last: Window;
  readonly whole: Window;
  /** Ten-second stretches, for the trend. */
  readonly stretches: Window[];
  /** Lines written (acknowledged) per set, in all and per measurement. */
  readonly linesPerSet: number;
  readonly linesPerSetByMeasurement: Record<string, number>;
  /** Distinct points stored per set, per measurement (the TSDB's count). */
  readonly storedPerSet: Record<string, number>;
  readonly repsStored: number;
  readonly setsStored: number;
  readonly repLoss: number;
  readonly setLoss: number;
  /** The services' own view: every set job done (completed or dead-lettered) for the sets ingest closed, s (NaN when not seen). */
  readonly drainedByMetricsS: number;
  readonly processes: Record<string, ProcessFigures>;
  readonly internals: Record<string, number>;
  readonly logLines: string[];
  readonly error?: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Polls `done` every 50 ms until it returns true; resolves to undefined then, or to why it stopped first: a
 * pipeline process exited, or the proxy saw no TSDB line written for the stall timeout (until()).
 */
export async function untilSetsDone(what: string, parts: readonly PipelinePart[], proxy: CountingProxy, done: () => boolean): Promise<string | undefined> {
  try {
    await until(
      what,
      async () => {
        const gone = parts.find((part) => part.run.child.exitCode !== null || part.run.child.signalCode !== null);
        if (gone) throw new Error(`${gone.name} exited`);
        return done() ? true : undefined;
      },
      () => proxy.counts().lines,
      50,
    );
    return undefined;
  } catch (e) {
    return message(e);
  }
}

/** Stops a run: its publishers, its pipeline processes, the counting proxy, then the servers. */
export async function stopRun(publishers: Publishers | undefined, parts: readonly PipelinePart[], proxy: CountingProxy, servers: { stop(): Promise<void> }): Promise<void> {
  await publishers?.terminate();
  await Promise.all(parts.map((part) => stopChild(part.run)));
  await proxy.close();
  await servers.stop();
}

/** CPU ms per set of each process between two samples, with `pipeline` and `stack` totals. */
function cpuMsPerSet(a: CpuSnapshot, b: CpuSnapshot, sets: number, parts: readonly string[]): Record<string, number> {
  const { seconds } = cpuDelta(a, b);
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(seconds)) out[name] = sets > 0 ? (1000 * value) / sets : Number.NaN;
  const pipeline = parts.reduce((sum, name) => sum + (seconds[name] ?? 0), 0);
  const stack = pipeline + (seconds.redis ?? 0) + (seconds['victoria-metrics'] ?? 0);
  out.pipeline = sets > 0 ? (1000 * pipeline) / sets : Number.NaN;
  out.stack = sets > 0 ? (1000 * stack) / sets : Number.NaN;
  return out;
}

/** The window [fromS, toS] from the timeline (nearest samples at or inside its ends). */
function windowOf(timeline: readonly TimelineSample[], fromS: number, toS: number, parts: readonly string[]): Window {
  const start = [...timeline].reverse().find((s) => s.t <= fromS + 1e-9) ?? timeline[0];
  const end = timeline.find((s) => s.t >= toS - 1e-9) ?? timeline[timeline.length - 1];
  if (start === undefined || end === undefined || end.t <= start.t) return { fromS, toS, sets: 0, setsPerS: Number.NaN, cpuMsPerSet: {} };
  const sets = end.sets - start.sets;
  return { fromS: start.t, toS: end.t, sets, setsPerS: sets / (end.t - start.t), cpuMsPerSet: cpuMsPerSet(start.cpu, end.cpu, sets, parts) };
}

export async function runSets(run: number, workload: StationWorkload, options: SetsRunOptions): Promise<SetsRunResult> {
  const servers = await startBenchServers();
  const proxy = await startCountingProxy(servers.env.INFLUX_URL, ['rep', 'set']);
  let parts: PipelinePart[] = [];
  let publishers: Publishers | undefined;
  try {
    const ageMs = Date.now() - workload.oldestTs;
    const env = pipelineEnv(servers.env, {
      INFLUX_URL: proxy.url,
      LOG_LEVEL: 'warn',
      MQTT_CLIENT_ID: `bench-ingest-${run}`,
      // Old device times (the history workload): accept them, with a day to spare.
      ...(ageMs > DEFAULT_MAX_AGE_MS - DAY_MS ? { TIME_MAX_AGE_MS: String(Math.ceil(ageMs / DAY_MS + 1) * DAY_MS) } : {}),
      ...options.pipelineEnv,
    });
    parts = await startPipelineParts(options.topology, env, [], freePort);
    publishers = await startStationPublishers(servers.env.MQTT_URL, workload, `bench-${workload.name}-${run}`);
    await sleep(500);
    const partNames = parts.map((p) => p.name);
    const watch = await watchProcesses(parts.map((part) => ({ name: part.name, pid: part.run.child.pid, metricsUrl: part.url })));
    const pids = {
      ...Object.fromEntries(parts.map((part) => [part.name, part.run.child.pid])),
      mosquitto: servers.mosquitto.pid,
      redis: servers.redis.pid,
      'victoria-metrics': servers.victoriaMetrics.pid,
      loadgen: process.pid,
    };
    const timeline: TimelineSample[] = [];
    const sample = (t0: number): TimelineSample => {
      const counts = proxy.counts();
      return { t: (performance.now() - t0) / 1000, reps: counts.distinct.rep ?? 0, sets: counts.distinct.set ?? 0, lines: counts.lines, cpu: cpuSnapshot(pids) };
    };
    const t0 = publishers.go();
    const t0Epoch = Date.now();
    timeline.push({ ...sample(t0), t: 0 });
    let nextSampleAt = 1;
    let repsStoredS = Number.NaN;
    let setsDoneS = Number.NaN;
    let drainedByMetricsS = Number.NaN;
    let error = await untilSetsDone(`${workload.sets} set points acknowledged by the TSDB`, parts, proxy, () => {
      const now = sample(t0);
      if (now.t >= nextSampleAt) {
        timeline.push(now);
        nextSampleAt = Math.floor(now.t) + 1;
      }
      if (Number.isNaN(repsStoredS) && now.reps >= workload.reps) repsStoredS = now.t;
      if (Number.isNaN(drainedByMetricsS)) {
        const m = watch.latest();
        const closed = metric(m, 'neurolift_ingest_sets_closed_total');
        const done = metric(m, 'neurolift_worker_jobs_total', { queue: 'sets', outcome: 'completed' }) + metric(m, 'neurolift_worker_jobs_total', { queue: 'sets', outcome: 'dead_lettered' });
        if (closed >= workload.sets && done >= closed) drainedByMetricsS = now.t;
      }
      if (now.sets < workload.sets || now.reps < workload.reps) return false;
      setsDoneS = now.t;
      if (timeline[timeline.length - 1] !== now) timeline.push(now);
      return true;
    });
    if (error !== undefined) timeline.push(sample(t0));
    const processes = await watch.stop();
    const finalMetrics = watch.latest();
    const { problem } = await settlePublishers(publishers);
    error ??= problem;
    const logs = parts.flatMap((part) => logLines(part.run, t0Epoch).map((line) => (parts.length > 1 ? `${part.name} ${line}` : line)));

    // The truth: distinct points stored, per measurement.
    const storedByMeasurement: Record<string, number> = {};
    for (const measurement of Object.keys(COUNTED_FIELD)) {
      storedByMeasurement[measurement] = await tsdbMeasurementCount(servers.env.INFLUX_URL, measurement, workload.gym, workload.oldestTs).catch((e: unknown) => {
        error ??= `count ${measurement}: ${message(e)}`;
        return Number.NaN;
      });
    }
    const repsStored = storedByMeasurement.rep ?? 0;
    const setsStored = storedByMeasurement.set ?? 0;
    const counts = proxy.counts();
    const sets = Math.max(1, counts.distinct.set ?? 0);
    const end = timeline[timeline.length - 1] as TimelineSample;
    const runS = Number.isNaN(setsDoneS) ? end.t : setsDoneS;
    const repsS = Number.isNaN(repsStoredS) ? 0 : repsStoredS;
    const afterReps = runS - repsS >= 2;
    const w = afterReps ? Math.min(WINDOW_S, (runS - repsS) / 2) : runS / 2;
    const firstFrom = afterReps ? repsS : 0;
    const stretches: Window[] = [];
    for (let from = 0; from < runS; from += 10) stretches.push(windowOf(timeline, from, Math.min(runS, from + 10), partNames));
    if (counts.failedRequests > 0) error ??= `${counts.failedRequests} TSDB writes failed`;
    return {
      workload: workload.name,
      ...storeRates(workload, repsStoredS, setsDoneS),
      first: windowOf(timeline, firstFrom, firstFrom + w, partNames),
      last: windowOf(timeline, runS - w, runS, partNames),
      whole: windowOf(timeline, 0, runS, partNames),
      stretches,
      linesPerSet: counts.lines / sets,
      linesPerSetByMeasurement: Object.fromEntries(Object.entries(counts.linesByMeasurement).map(([m, n]) => [m, n / sets])),
      storedPerSet: Object.fromEntries(Object.entries(storedByMeasurement).map(([m, n]) => [m, n / Math.max(1, setsStored)])),
      repsStored,
      setsStored,
      repLoss: workload.reps - Math.min(workload.reps, repsStored),
      setLoss: workload.sets - Math.min(workload.sets, setsStored),
      drainedByMetricsS,
      processes,
      internals: {
        setsClosed: metric(finalMetrics, 'neurolift_ingest_sets_closed_total'),
        setJobs: metric(finalMetrics, 'neurolift_worker_jobs_total', { queue: 'sets', outcome: 'completed' }),
        jobRetries: metric(finalMetrics, 'neurolift_worker_jobs_total', { outcome: 'retry' }),
        deadLetters: metric(finalMetrics, 'neurolift_ingest_dead_letters_total'),
        tsdbErrors: metric(finalMetrics, 'neurolift_worker_tsdb_errors_total'),
        writeRequests: counts.requests,
        linesWritten: counts.lines,
      },
      logLines: logs,
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await stopRun(publishers, parts, proxy, servers);
  }
}
