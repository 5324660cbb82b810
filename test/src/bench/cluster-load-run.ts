// One loaded run of bench-cluster: the pipeline as separate processes (ingest, worker, alerts: the compose
// shape) on fresh servers (cluster-stack.ts), with the multi-gym workload of cluster-workload.ts. Timed from the
// first publish to every rep point acknowledged by the TSDB, and to every set's `set` and NSI point acknowledged
// (a counting proxy in front of VictoriaMetrics sees each write; the TSDB's own counts are the truth for the
// loss). CPU of every process from /proc (each redis-server node by its role), ingest's commit histogram
// from its /metrics, every message's publish → the broker's PUBACK at the device, and a quiet probe after the
// load (cluster-quiet-probe.ts).
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv } from '../harness/pipeline.js';
import { groupSeconds, loadAverage, message, scaled } from './cluster-cpu.js';
import { quietProbe, type ProbeResult } from './cluster-quiet-probe.js';
import { commandDelta, commandStats, userSysSeconds, type CommandFigures } from './cluster-redis-stats.js';
import { startStack, type RedisShape } from './cluster-stack.js';
import { CLUSTER_ATHLETES, CLUSTER_GYM_PREFIX, clusterWorkload, quantile, startLatencyPublishers, type ClusterWorkloadOptions } from './cluster-workload.js';
import { startCountingProxy } from './counting-proxy.js';
import { histogramQuantileMs } from './metric-histogram.js';
import { logLines, startPipelineParts, type PipelinePart } from './pipeline-process.js';
import { fetchMetrics, mean, metric, type Sample } from './probes.js';
import { cpuSnapshot, type CpuSnapshot } from './proc-stats.js';
import { stopRun, storeRates, untilSetsDone, type StoreRates } from './run-sets.js';
import { tsdbCount } from './tsdb-counts.js';
import { settlePublishers, type Publishers } from './workload.js';

export interface LoadRunSettings {
  readonly shape: RedisShape;
  readonly shards: number;
  readonly waitReplicas: number;
  readonly workload: ClusterWorkloadOptions;
  readonly pipelineEnv: Readonly<Record<string, string>>;
  /** Rep messages of the quiet probe after the load (one at a time; 0: none). */
  readonly probe: number;
}

/** Sets done: their `set` and NSI points acknowledged by the TSDB. */
export interface LoadRunResult extends StoreRates {
  readonly loadAtStart: number[];
  readonly loadAtEnd: number[];
  readonly masters: number;
  readonly replicas: number;
  /** First publish → the publishers' last PUBACK, s. */
  readonly ackedS: number;
  /** CPU µs per message (reps + end events) from the first publish to every set done, by process group. */
  readonly cpuUsPerMsg: Record<string, number>;
  /** CPU ms per closed set over the same stretch (each set with its 8 rep messages). */
  readonly cpuMsPerSet: Record<string, number>;
  /** From every rep stored to every set done (only set work left): sets done then, and CPU ms per set of those. */
  readonly setWindowSets: number;
  readonly setWindowCpuMsPerSet: Record<string, number>;
  /** The busiest master's CPU over the masters' mean (1 = even); 1 with one Redis. */
  readonly busiestMasterShare: number;
  /** Machine busy time minus every process we know, µs per message: how much else ran. */
  readonly otherUsPerMsg: number;
  readonly busyPct: number;
  /** Ingest's commits (one MULTI per shard of a micro-batch, and its WAIT when asked). */
  readonly commits: number;
  readonly commitMeanMs: number;
  readonly commitP50Ms: number;
  readonly commitP99Ms: number;
  readonly meanBatch: number;
  /** Publish → the broker's PUBACK at the device, ms: the broker's backpressure, not ingest's commit (ingest acknowledges to the broker). */
  readonly pubackP50Ms: number;
  readonly pubackP99Ms: number;
  readonly probe?: ProbeResult;
  /** INFO commandstats of the masters over the same stretch (first publish → every set done), per set. */
  readonly redisCommands: CommandFigures;
  /** The masters' CPU per set split into user and system time (/proc utime, stime). */
  readonly redisMastersUserMsPerSet: number;
  readonly redisMastersSysMsPerSet: number;
  readonly repLoss: number;
  readonly setLoss: number;
  readonly nsiLoss: number;
  readonly internals: Record<string, number>;
  /** Warn-and-above lines during the measurement, and those printed while the processes started. */
  readonly logLines: string[];
  readonly startupLogLines: string[];
  readonly error?: string;
}

export async function runLoad(run: number, tag: string, settings: LoadRunSettings): Promise<LoadRunResult> {
  const loadAtStart = loadAverage();
  const stack = await startStack(settings.shape);
  const proxy = await startCountingProxy(stack.env.INFLUX_URL as string, ['rep', 'set', 'neurotrophic_stimulus']);
  let parts: PipelinePart[] = [];
  let publishers: Publishers | undefined;
  try {
    const workload = clusterWorkload(settings.workload, `${tag}-${run}`);
    const env = pipelineEnv(stack.env as Parameters<typeof pipelineEnv>[0], {
      INFLUX_URL: proxy.url,
      LOG_LEVEL: 'warn',
      MQTT_CLIENT_ID: `bench-ingest-${tag}-${run}`,
      REDIS_SHARDS: String(settings.shards),
      INGEST_REDIS_WAIT_REPLICAS: String(settings.waitReplicas),
      ...settings.pipelineEnv,
    });
    parts = await startPipelineParts('services', env, [], freePort);
    publishers = await startLatencyPublishers(stack.env.MQTT_URL as string, workload);
    await sleep(500); // the ingest's subscription and the workers' first polls settle
    const pids: Record<string, number | undefined> = {
      ...Object.fromEntries(parts.map((part) => [part.name, part.run.child.pid])),
      ...Object.fromEntries(stack.nodes.map((node) => [`redis ${node.name}`, node.pid])),
      mosquitto: stack.mosquittoPid,
      'victoria-metrics': stack.victoriaMetricsPid,
      loadgen: process.pid,
    };

    const statsBefore = await commandStats(stack.nodes);
    const userSysBefore = userSysSeconds(stack.nodes);
    const before = cpuSnapshot(pids);
    const t0 = publishers.go();
    const t0Epoch = Date.now();
    let repsStoredS = Number.NaN;
    let setsDoneS = Number.NaN;
    let atReps: CpuSnapshot | undefined;
    let setsAtReps = 0;
    let after: CpuSnapshot | undefined;
    let error = await untilSetsDone(`${workload.sets} sets' set and NSI points acknowledged by the TSDB`, parts, proxy, () => {
      const { distinct } = proxy.counts();
      const reps = distinct.rep ?? 0;
      const sets = Math.min(distinct.set ?? 0, distinct.neurotrophic_stimulus ?? 0);
      if (Number.isNaN(repsStoredS) && reps >= workload.reps) {
        atReps = cpuSnapshot(pids);
        repsStoredS = (performance.now() - t0) / 1000;
        setsAtReps = sets;
      }
      if (reps < workload.reps || sets < workload.sets) return false;
      after = cpuSnapshot(pids);
      setsDoneS = (performance.now() - t0) / 1000;
      return true;
    });
    if (error !== undefined) after = cpuSnapshot(pids);
    const loadAtEnd = loadAverage();
    const userSysAfter = userSysSeconds(stack.nodes);
    const statsAfter = await commandStats(stack.nodes).catch(() => statsBefore);
    const { done, problem } = await settlePublishers(publishers);
    error ??= problem;

    const m: Sample[] = (await Promise.all(parts.map((part) => fetchMetrics(part.url).catch(() => [] as Sample[])))).flat();
    let probe: ProbeResult | undefined;
    const ingest = parts.find((part) => part.name === 'ingest');
    if (error === undefined && settings.probe > 0 && ingest !== undefined) {
      probe = await quietProbe(stack.env.MQTT_URL as string, ingest.url, proxy, workload.gyms[0] as string, settings.probe, `${tag}-${run}`, m).catch((e: unknown) => {
        error ??= `probe: ${message(e)}`;
        return undefined;
      });
    }
    const allLogs = parts.flatMap((part) => logLines(part.run, t0Epoch).map((line) => `${part.name} ${line}`));
    // Lines stamped before the first publish were printed while the processes started.
    const startupLogs = allLogs.filter((line) => line.includes('[t0-'));
    const logs = allLogs.filter((line) => !line.includes('[t0-'));

    // The truth: distinct points in the TSDB.
    const count = (series: string) => tsdbCount(stack.env.INFLUX_URL as string, series, workload.oldestTs).catch((e: unknown) => {
      error ??= `TSDB count ${series}: ${message(e)}`;
      return 0;
    });
    const gymSelector = `{gym=~"${CLUSTER_GYM_PREFIX}.*"}`;
    const repsStored = await count(`rep_mean_velocity${gymSelector}`);
    const setsStored = await count(`set_reps${gymSelector}`);
    const nsiStored = await count(`neurotrophic_stimulus_nsi{athlete=~"${CLUSTER_ATHLETES}"}`);
    if (proxy.counts().failedRequests > 0) error ??= `${proxy.counts().failedRequests} TSDB writes failed`;

    const end = after ?? cpuSnapshot(pids);
    const whole = groupSeconds(before, end, stack.nodes);
    const masters = stack.nodes.filter((n) => n.role === 'master');
    const masterSeconds = masters.map((n) => whole.byNode[n.name] ?? 0);
    const meanMaster = masterSeconds.reduce((a, b) => a + b, 0) / Math.max(1, masterSeconds.length);
    const setWindowSets = workload.sets - setsAtReps;
    // The set-only stretch says something only when a fair share of the sets were done in it.
    const setWindow = atReps !== undefined && after !== undefined && setWindowSets >= 0.1 * workload.sets ? groupSeconds(atReps, after, stack.nodes).groups : undefined;
    const busy = Object.values(whole.groups).reduce((a, b) => a + b, 0) - (whole.groups.pipeline ?? 0) - (whole.groups.redis ?? 0);
    const latencies = done?.latenciesMs ?? new Float64Array();
    return {
      loadAtStart,
      loadAtEnd,
      ...storeRates(workload, repsStoredS, setsDoneS),
      masters: masters.length,
      replicas: stack.nodes.length - masters.length,
      ackedS: done ? (done.doneAt - t0) / 1000 : Number.NaN,
      cpuUsPerMsg: scaled(whole.groups, 1e6 / workload.messages),
      cpuMsPerSet: scaled(whole.groups, 1e3 / workload.sets),
      setWindowSets,
      setWindowCpuMsPerSet: setWindow === undefined ? {} : scaled(setWindow, 1e3 / setWindowSets),
      busiestMasterShare: meanMaster > 0 ? Math.max(...masterSeconds) / meanMaster : Number.NaN,
      otherUsPerMsg: ((whole.groups.other ?? 0) * 1e6) / workload.messages,
      busyPct: (100 * busy) / (os.availableParallelism() * whole.wallS),
      commits: metric(m, 'neurolift_ingest_commit_seconds_count'),
      commitMeanMs: mean(m, 'neurolift_ingest_commit_seconds', 1000),
      commitP50Ms: histogramQuantileMs(m, 'neurolift_ingest_commit_seconds', 0.5),
      commitP99Ms: histogramQuantileMs(m, 'neurolift_ingest_commit_seconds', 0.99),
      meanBatch: mean(m, 'neurolift_ingest_batch_size'),
      pubackP50Ms: quantile(latencies, 0.5),
      pubackP99Ms: quantile(latencies, 0.99),
      ...(probe === undefined ? {} : { probe }),
      redisCommands: commandDelta(statsBefore, statsAfter, workload.sets),
      redisMastersUserMsPerSet: (1000 * (userSysAfter.user - userSysBefore.user)) / workload.sets,
      redisMastersSysMsPerSet: (1000 * (userSysAfter.sys - userSysBefore.sys)) / workload.sets,
      repLoss: workload.reps - Math.min(workload.reps, repsStored),
      setLoss: workload.sets - Math.min(workload.sets, setsStored),
      nsiLoss: workload.sets - Math.min(workload.sets, nsiStored),
      internals: {
        setsClosed: metric(m, 'neurolift_ingest_sets_closed_total'),
        commitFailures: metric(m, 'neurolift_ingest_commit_failures_total'),
        replicaShortfalls: metric(m, 'neurolift_ingest_replica_wait_shortfalls_total'),
        redelivered: metric(m, 'neurolift_ingest_messages_received_total') - workload.messages,
        deadLetters: metric(m, 'neurolift_ingest_dead_letters_total'),
        jobRetries: metric(m, 'neurolift_worker_jobs_total', { outcome: 'retry' }),
        tsdbErrors: metric(m, 'neurolift_worker_tsdb_errors_total'),
        linesWritten: proxy.counts().lines,
      },
      logLines: logs,
      startupLogLines: startupLogs,
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await stopRun(publishers, parts, proxy, stack);
  }
}
