// Pipeline phase: the same load through the pipeline (the all-in-one process, or one process per
// service) → Redis/BullMQ → VictoriaMetrics, timed to all rep points in the TSDB and to the set-job
// backlog drained.
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv } from '../harness/pipeline.js';
import type { BenchOptions } from './args.js';
import { startBenchServers } from './bench-servers.js';
import { hasExited, logLines, startPipelineParts, stopChild, type PipelinePart } from './pipeline-process.js';
import { fetchMetrics, maxBucket, mean, metric, tsdbRepCount, tsdbRepExport, until, type Sample } from './probes.js';
import { cpuPerMessage, cpuSnapshot, sampleRss, type CpuSnapshot } from './proc-stats.js';
import { startPublishers, type Publishers } from './workload.js';

export interface PipelineResult {
  readonly msgPerS: number;
  /** Distinct rep points in the TSDB (count query). */
  readonly stored: number;
  /** Distinct rep points by export (cross-check). */
  readonly exported: number;
  readonly loss: number;
  readonly seconds: number;
  /** First publish → the broker's last PUBACK to the publishers (all messages accepted by the broker), s. */
  readonly ackedSeconds: number;
  /** First publish → the ingest's stored counter reaching N (all committed to Redis and PUBACKed by ingest), s. */
  readonly inRedisSeconds: number;
  readonly peakRssMb: number;
  /** Peak RSS of each pipeline process (`pipeline`, or `ingest`, `worker`, `alerts`), MB. */
  readonly peakRssMbByProcess: Record<string, number>;
  /** CPU µs per message up to all stored: pipeline, mosquitto, redis, victoria-metrics, loadgen, other. */
  readonly cpuUs: Record<string, number>;
  readonly busyPct: number;
  /** First publish → the jobs of every closed set done (the set-job backlog drained), s. */
  readonly drainedSeconds: number;
  /** CPU µs per message up to drained. */
  readonly cpuUsDrained: Record<string, number>;
  readonly internals: Record<string, number>;
  /** Log lines (warn and above) printed during the measurement, and during the shutdown after it. */
  readonly logLines: string[];
  readonly shutdownLogLines: string[];
  readonly exit: string;
  readonly error?: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runPipeline(run: number, options: BenchOptions): Promise<PipelineResult> {
  const N = options.messages;
  const servers = await startBenchServers();
  let parts: PipelinePart[] = [];
  let publishers: Publishers | undefined;
  try {
    const env = pipelineEnv(servers.env, { LOG_LEVEL: 'warn', MQTT_CLIENT_ID: `bench-ingest-${run}`, ...options.pipelineEnv });
    parts = await startPipelineParts(options.topology, env, options.nodeArgs, freePort);
    publishers = await startPublishers(servers.env.MQTT_URL, options, `pipeline-${run}`);
    await sleep(500); // let the ingest's subscription and the worker's first polls settle

    const pipelinePids = Object.fromEntries(parts.map((part) => [part.name, part.run.child.pid]));
    const pids = {
      ...pipelinePids,
      mosquitto: servers.mosquitto.pid,
      redis: servers.redis.pid,
      'victoria-metrics': servers.victoriaMetrics.pid,
      loadgen: process.pid,
    };
    let written = 0;
    let inRedisAt = 0;
    /** prom-client resets its event-loop delay histogram at every scrape: keep the maximum over our polls. */
    let lagMaxS = 0;
    let inFlightMax = 0;
    /** Every part's metrics in one list (counters add up across processes). */
    const scrape = async () => {
      const each = await Promise.all(parts.map((part) => fetchMetrics(part.url)));
      for (const m of each) lagMaxS = Math.max(lagMaxS, metric(m, 'neurolift_nodejs_eventloop_lag_max_seconds'));
      const m = each.flat();
      inFlightMax = Math.max(inFlightMax, metric(m, 'neurolift_ingest_in_flight_messages'));
      return m;
    };
    const exited = () => parts.find((part) => hasExited(part.run));
    const noteInRedis = (m: readonly Sample[]) => {
      if (inRedisAt === 0 && metric(m, 'neurolift_ingest_messages_stored_total') >= N) inRedisAt = performance.now();
    };
    await scrape(); // resets prom-client's event-loop delay histogram, so startup is not counted
    lagMaxS = 0;
    inFlightMax = 0;
    const rss = parts.map((part) => sampleRss(part.run.child.pid ?? 0, 200));
    const before = cpuSnapshot(pids);
    const t0 = publishers.go();
    const t0Epoch = Date.now();

    let stored = 0;
    let storedAt = 0;
    let after: CpuSnapshot | undefined;
    let error: string | undefined;
    try {
      // Trigger: the worker's own counter of rep points written (set jobs rewrite points, so it may
      // run ahead of the distinct points). Truth: the distinct points in the TSDB.
      await until(
        `${N} rep points written (counter)`,
        async () => {
          const gone = exited();
          if (gone) throw new Error(`${gone.name} exited`);
          const m = await scrape();
          written = metric(m, 'neurolift_worker_points_written_total', { measurement: 'rep' });
          noteInRedis(m);
          return written >= N ? true : undefined;
        },
        () => written,
      );
      storedAt = performance.now();
      after = cpuSnapshot(pids);
      await until(
        `${N} distinct rep points in VictoriaMetrics`,
        async () => {
          if (inRedisAt === 0) noteInRedis(await scrape());
          stored = await tsdbRepCount(servers.env.INFLUX_URL);
          if (stored >= N) return true;
          storedAt = 0; // reached later than the counter: take the time the TSDB shows all
          return undefined;
        },
        () => stored,
      );
      if (storedAt === 0) {
        storedAt = performance.now();
        after = cpuSnapshot(pids);
      }
    } catch (e) {
      error = message(e);
      storedAt = performance.now();
      after = cpuSnapshot(pids);
    }
    // The set jobs of sets closed so far (by the next set's first rep) may still be queued: they
    // rewrite the set's rep points and add its set point. Wait for that backlog too.
    let drainedAt = storedAt;
    let drainedCpu = after;
    if (error === undefined) {
      let setJobsDone = 0;
      try {
        await until(
          'the jobs of all closed sets',
          async () => {
            const m = await scrape();
            setJobsDone = metric(m, 'neurolift_worker_jobs_total', { queue: 'sets', outcome: 'completed' }) +
              metric(m, 'neurolift_worker_jobs_total', { queue: 'sets', outcome: 'dead_lettered' });
            return setJobsDone >= metric(m, 'neurolift_ingest_sets_closed_total') ? true : undefined;
          },
          () => setJobsDone,
        );
        drainedAt = performance.now();
        drainedCpu = cpuSnapshot(pids);
      } catch (e) {
        error = message(e);
      }
    }
    const peaks = rss.map((sampler) => sampler.stop());
    // The sum of each process's peak: an upper bound of the pipeline's peak.
    const peakRss = peaks.reduce((sum, peak) => sum + peak, 0);
    const peakRssMbByProcess = Object.fromEntries(parts.map((part, i) => [part.name, (peaks[i] ?? 0) / 2 ** 20]));
    const done = await Promise.race([publishers.done, sleep(10_000).then(() => undefined)]);
    if (!done) error ??= 'publishers did not finish';
    else if (done.failed > 0) error ??= `${done.failed} publishes failed: ${done.errors.join('; ')}`;

    // Settle, then read the final state: counts (query and export) and the pipeline's own metrics.
    stored = await tsdbRepCount(servers.env.INFLUX_URL).catch(() => stored);
    const exported = await tsdbRepExport(servers.env.INFLUX_URL).catch((e: unknown) => {
      error ??= `export: ${message(e)}`;
      return { points: 0, series: 0 };
    });
    if (exported.points !== stored) error ??= `count query says ${stored} rep points, export ${exported.points}`;
    const internals = await scrape().then(
      (m) => internalsOf(m, N, { eventLoopLagMaxMs: 1000 * lagMaxS, ingestInFlightMax: inFlightMax, seriesInTsdb: exported.series }),
      () => ({}),
    );

    const allLogLines = () => parts.flatMap((part) => logLines(part.run, t0Epoch).map((line) => (parts.length > 1 ? `${part.name} ${line}` : line)));
    const measurementLog = allLogLines();
    const exits = await Promise.all(parts.map(async (part) => ({ name: part.name, exit: await stopChild(part.run) })));
    const seconds = (storedAt - t0) / 1000;
    const { perMsgUs, busyPct } = withPipelineTotal(cpuPerMessage(before, after ?? cpuSnapshot(pids), N), parts);
    const drained = withPipelineTotal(cpuPerMessage(before, drainedCpu ?? cpuSnapshot(pids), N), parts);
    const failedExit = exits.find(({ exit }) => exit.signal !== null || exit.code !== 0);
    const exit = failedExit ? `${failedExit.name}: ${failedExit.exit.signal ?? `code ${failedExit.exit.code}`}` : 'code 0';
    return {
      msgPerS: stored >= N ? N / seconds : 0,
      stored,
      exported: exported.points,
      loss: N - Math.min(stored, exported.points, N),
      seconds,
      ackedSeconds: done ? (done.doneAt - t0) / 1000 : NaN,
      inRedisSeconds: inRedisAt === 0 ? NaN : (inRedisAt - t0) / 1000,
      peakRssMb: peakRss / 2 ** 20,
      peakRssMbByProcess,
      cpuUs: perMsgUs,
      busyPct,
      drainedSeconds: (drainedAt - t0) / 1000,
      cpuUsDrained: drained.perMsgUs,
      internals,
      logLines: measurementLog,
      shutdownLogLines: allLogLines().slice(measurementLog.length),
      exit,
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await publishers?.terminate();
    await Promise.all(parts.map((part) => stopChild(part.run)));
    await servers.stop();
  }
}

/** With one process per service, `pipeline` is their sum (the report's pipeline figure); each stays listed. */
function withPipelineTotal<T extends { perMsgUs: Record<string, number> }>(result: T, parts: readonly PipelinePart[]): T {
  if (parts.length === 1) return result;
  const total = parts.reduce((sum, part) => sum + (result.perMsgUs[part.name] ?? 0), 0);
  return { ...result, perMsgUs: { ...result.perMsgUs, pipeline: total } };
}

interface Sampled {
  readonly eventLoopLagMaxMs: number;
  readonly ingestInFlightMax: number;
  readonly seriesInTsdb: number;
}

/** The pipeline's own counters at the end of the phase, with what was sampled along the way. */
function internalsOf(m: readonly Sample[], N: number, sampled: Sampled): Record<string, number> {
  return {
    ingestReceived: metric(m, 'neurolift_ingest_messages_received_total'),
    ingestStored: metric(m, 'neurolift_ingest_messages_stored_total'),
    /** Messages the broker delivered to ingest more than once (redelivery after a reconnect). */
    redelivered: metric(m, 'neurolift_ingest_messages_received_total') - N,
    commitsOver1s: metric(m, 'neurolift_ingest_commit_seconds_count') - metric(m, 'neurolift_ingest_commit_seconds_bucket', { le: '1' }),
    maxCommitBucketS: maxBucket(m, 'neurolift_ingest_commit_seconds_bucket'),
    maxTsdbWriteBucketS: maxBucket(m, 'neurolift_worker_tsdb_write_seconds_bucket'),
    eventLoopLagMaxMs: sampled.eventLoopLagMaxMs,
    ingestInFlightMax: sampled.ingestInFlightMax,
    deadLetters: metric(m, 'neurolift_ingest_dead_letters_total'),
    commits: metric(m, 'neurolift_ingest_commit_seconds_count'),
    meanBatch: mean(m, 'neurolift_ingest_batch_size'),
    meanCommitMs: mean(m, 'neurolift_ingest_commit_seconds', 1000),
    commitFailures: metric(m, 'neurolift_ingest_commit_failures_total'),
    setsClosed: metric(m, 'neurolift_ingest_sets_closed_total'),
    repJobs: metric(m, 'neurolift_worker_jobs_total', { queue: 'reps', outcome: 'completed' }),
    setJobs: metric(m, 'neurolift_worker_jobs_total', { queue: 'sets', outcome: 'completed' }),
    jobRetries: metric(m, 'neurolift_worker_jobs_total', { outcome: 'retry' }),
    repPointsWritten: metric(m, 'neurolift_worker_points_written_total', { measurement: 'rep' }),
    setPointsWritten: metric(m, 'neurolift_worker_points_written_total', { measurement: 'set' }),
    tsdbWrites: metric(m, 'neurolift_worker_tsdb_write_seconds_count'),
    meanTsdbWriteMs: mean(m, 'neurolift_worker_tsdb_write_seconds', 1000),
    tsdbErrors: metric(m, 'neurolift_worker_tsdb_errors_total'),
    seriesInTsdb: sampled.seriesInTsdb,
  };
}
