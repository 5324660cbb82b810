// One run of bench-cluster: the pipeline as separate processes (ingest, worker, alerts: the compose shape)
// against one plain Redis or a real Redis Cluster (test/src/harness/redis-cluster.ts: redis-server nodes,
// AOF everysec), on fresh servers, with the multi-gym workload of cluster-workload.ts. Timed from the first
// publish to every rep point acknowledged by the TSDB, and to every set's `set` and NSI point acknowledged
// (a counting proxy in front of VictoriaMetrics sees each write; the TSDB's own counts are the truth for the
// loss). CPU of every process from /proc (each redis-server node by its role), ingest's commit histogram
// from its /metrics, every message's publish → the broker's PUBACK at the device, and a quiet probe after the load
// (one message at a time: publish → its rep point in the TSDB, and ingest's commits then).
//
// Also the cost at rest: one worker (or alerts) process alone, idle, with S = 1 or S shards: its CPU, the
// Redis nodes' CPU, and the connections it holds on the nodes (CLIENT LIST).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv, repPayload, spawnNode, type RunningProcess } from '../harness/pipeline.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import type { LocalServices } from '../harness/servers.js';
import { startBenchServers } from './bench-servers.js';
import { CLUSTER_ATHLETES, CLUSTER_GYM_PREFIX, clusterWorkload, quantile, startLatencyPublishers, type ClusterWorkloadOptions } from './cluster-workload.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { DEPLOYED_NODE_ARGS, logLines, startPipelineParts, stopChild, waitUntilReady, type PipelinePart } from './pipeline-process.js';
import { fetchMetrics, mean, metric, type Sample } from './probes.js';
import { CLOCK_TICKS, cpuDelta, cpuSnapshot, rssBytes, type CpuSnapshot } from './proc-stats.js';
import { stopRun, storeRates, untilSetsDone, type StoreRates } from './run-sets.js';
import { tsdbCount } from './tsdb-counts.js';
import { settlePublishers, type Publishers } from './workload.js';

/** Where the deployment's Redis data lives. */
export type RedisShape = { readonly kind: 'single' } | { readonly kind: 'cluster'; readonly masters: number; readonly replicasPerMaster: number };

export interface RedisNode {
  /** `redis` (the single one), or `m:<port>` / `r:<port>` on a cluster. */
  readonly name: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  readonly pid: number | undefined;
}

/** The servers of one run: Mosquitto, VictoriaMetrics, and the Redis of the shape. */
export interface Stack {
  readonly env: Record<string, string>;
  readonly nodes: readonly RedisNode[];
  readonly mosquittoPid: number | undefined;
  readonly victoriaMetricsPid: number | undefined;
  stop(): Promise<void>;
}

/**
 * cluster-node-timeout for the bench's clusters: the harness's 2 s (fast failover tests) risks a failover
 * nobody asked for when two cores are saturated; a benchmark must not fail over.
 */
const BENCH_NODE_TIMEOUT_MS = 15_000;

export async function startStack(shape: RedisShape): Promise<Stack> {
  if (shape.kind === 'single') {
    const servers = await startBenchServers();
    return {
      env: { ...servers.env },
      nodes: [{ name: 'redis', port: servers.redis.port, role: 'master', pid: servers.redis.pid }],
      mosquittoPid: servers.mosquitto.pid,
      victoriaMetricsPid: servers.victoriaMetrics.pid,
      stop: () => servers.stop(),
    };
  }
  const [servers, cluster] = await Promise.allSettled([
    startBenchServers(['mosquitto', 'victoria-metrics'] as const),
    startRedisCluster({ masters: shape.masters, replicasPerMaster: shape.replicasPerMaster, nodeTimeoutMs: BENCH_NODE_TIMEOUT_MS, readyTimeoutMs: 60_000 }),
  ]);
  if (servers.status === 'rejected' || cluster.status === 'rejected') {
    if (servers.status === 'fulfilled') await servers.value.stop();
    if (cluster.status === 'fulfilled') await cluster.value.stop();
    throw servers.status === 'rejected' ? servers.reason : (cluster as PromiseRejectedResult).reason;
  }
  const s: LocalServices<'mosquitto' | 'victoria-metrics'> = servers.value;
  const c: RedisCluster = cluster.value;
  const topology = await c.nodes();
  return {
    env: { ...s.env, REDIS_URL: c.url, REDIS_CLUSTER: 'true' },
    nodes: topology.map((node) => ({ name: `${node.role === 'master' ? 'm' : 'r'}:${node.port}`, port: node.port, role: node.role, pid: c.handle(node.port).pid })),
    mosquittoPid: s.mosquitto.pid,
    victoriaMetricsPid: s.victoriaMetrics.pid,
    stop: async () => {
      await Promise.all([s.stop(), c.stop()]);
    },
  };
}

export function describeShape(shape: RedisShape): string {
  return shape.kind === 'single' ? 'one plain Redis' : `Redis Cluster, ${shape.masters} masters × ${shape.replicasPerMaster} replica(s)`;
}

export interface LoadRunSettings {
  readonly shape: RedisShape;
  readonly shards: number;
  readonly waitReplicas: number;
  readonly workload: ClusterWorkloadOptions;
  readonly pipelineEnv: Readonly<Record<string, string>>;
  /** Rep messages of the quiet probe after the load (one at a time; 0: none). */
  readonly probe: number;
}

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

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const loadAverage = () => os.loadavg().map((v) => Number(v.toFixed(2)));

/** CPU seconds between two snapshots, summed into the bench's groups. */
function groupSeconds(a: CpuSnapshot, b: CpuSnapshot, nodes: readonly RedisNode[]): { groups: Record<string, number>; byNode: Record<string, number>; wallS: number } {
  const { seconds, wallSeconds } = cpuDelta(a, b);
  const groups: Record<string, number> = { ingest: 0, worker: 0, alerts: 0, 'redis masters': 0, 'redis replicas': 0, mosquitto: 0, 'victoria-metrics': 0, loadgen: 0, other: 0 };
  const byNode: Record<string, number> = {};
  for (const [name, value] of Object.entries(seconds)) {
    const node = nodes.find((n) => `redis ${n.name}` === name);
    if (node) {
      byNode[node.name] = value;
      groups[node.role === 'master' ? 'redis masters' : 'redis replicas'] = (groups[node.role === 'master' ? 'redis masters' : 'redis replicas'] ?? 0) + value;
    } else {
      groups[name] = (groups[name] ?? 0) + value;
    }
  }
  groups.pipeline = (groups.ingest ?? 0) + (groups.worker ?? 0) + (groups.alerts ?? 0);
  groups.redis = (groups['redis masters'] ?? 0) + (groups['redis replicas'] ?? 0);
  return { groups, byNode, wallS: wallSeconds };
}

const scaled = (seconds: Record<string, number>, factor: number): Record<string, number> =>
  Object.fromEntries(Object.entries(seconds).map(([name, value]) => [name, value * factor]));

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

/** Commands the masters ran per set, the time Redis accounts to executing them (usec), and the top commands by time. */
export interface CommandFigures {
  readonly callsPerSet: number;
  readonly execMsPerSet: number;
  /** `name calls/set µs/set`, the five dearest. */
  readonly top: string[];
}

type CommandTotals = Map<string, { calls: number; usec: number }>;

/** INFO commandstats summed over the masters. */
async function commandStats(nodes: readonly RedisNode[]): Promise<CommandTotals> {
  const totals: CommandTotals = new Map();
  for (const node of nodes.filter((n) => n.role === 'master')) {
    const redis = new Redis({ host: '127.0.0.1', port: node.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
        const name = match[1] as string;
        const was = totals.get(name) ?? { calls: 0, usec: 0 };
        totals.set(name, { calls: was.calls + Number(match[2]), usec: was.usec + Number(match[3]) });
      }
    } finally {
      redis.disconnect();
    }
  }
  return totals;
}

function commandDelta(before: CommandTotals, after: CommandTotals, sets: number): CommandFigures {
  const rows = [...after].map(([name, { calls, usec }]) => ({ name, calls: calls - (before.get(name)?.calls ?? 0), usec: usec - (before.get(name)?.usec ?? 0) }));
  const calls = rows.reduce((sum, r) => sum + r.calls, 0);
  const usec = rows.reduce((sum, r) => sum + r.usec, 0);
  return {
    callsPerSet: calls / sets,
    execMsPerSet: usec / 1000 / sets,
    top: rows.sort((a, b) => b.usec - a.usec).slice(0, 5).map((r) => `${r.name} ${(r.calls / sets).toFixed(1)}/set ${(r.usec / sets).toFixed(0)} µs/set`),
  };
}

/** User and system CPU seconds of the masters (/proc/<pid>/stat utime and stime, children included). */
function userSysSeconds(nodes: readonly RedisNode[]): { user: number; sys: number } {
  let user = 0;
  let sys = 0;
  for (const node of nodes.filter((n) => n.role === 'master' && n.pid !== undefined)) {
    try {
      const text = readFileSync(`/proc/${node.pid}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
      user += ((fields[11] ?? 0) + (fields[13] ?? 0)) / CLOCK_TICKS;
      sys += ((fields[12] ?? 0) + (fields[14] ?? 0)) / CLOCK_TICKS;
    } catch {
      // gone: counts nothing
    }
  }
  return { user, sys };
}

/** The samples of `after` minus those of `before` with the same name and labels (a counter's or histogram's delta). */
function deltaSamples(before: readonly Sample[], after: readonly Sample[]): Sample[] {
  const key = (s: Sample) => `${s.name}${JSON.stringify(s.labels)}`;
  const was = new Map(before.map((s) => [key(s), s.value]));
  return after.map((s) => ({ ...s, value: s.value - (was.get(key(s)) ?? 0) }));
}

/**
 * A station of `gym` publishes `count` reps (sets of 8) one at a time, each once the one before is stored as
 * a rep point (the counting proxy saw the TSDB acknowledge it), after the load is done: latency without
 * queueing, and ingest's commits then.
 */
async function quietProbe(url: string, ingestUrl: string, proxy: CountingProxy, gym: string, count: number, tag: string, before: readonly Sample[]): Promise<ProbeResult> {
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

// ---- at rest ----

export type IdleService = 'worker' | 'alerts';
const IDLE_MAINS: Record<IdleService, string> = { worker: 'services/stimulus/dist/main.js', alerts: 'services/alerts/dist/main.js' };

export interface ClientCounts {
  /** Connections on every node but ours. */
  readonly total: number;
  /** Of those, blocked in a command (CLIENT LIST flags `b`: BullMQ's BZPOPMIN). */
  readonly blocked: number;
}

/** CLIENT LIST on every node, without the asking connection itself. */
export async function clientCounts(nodes: readonly RedisNode[]): Promise<ClientCounts> {
  let total = 0;
  let blocked = 0;
  for (const node of nodes) {
    const redis = new Redis({ host: '127.0.0.1', port: node.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const self = Number(await redis.client('ID'));
      const lines = String(await redis.client('LIST')).split('\n').filter((l) => l.trim() !== '');
      for (const line of lines) {
        const fields = new Map(line.trim().split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const));
        if (Number(fields.get('id')) === self) continue;
        // Replication and cluster-bus links are not clients of ours (a replica's link has flags S / M).
        const flags = fields.get('flags') ?? '';
        if (/[SM]/.test(flags)) continue;
        total++;
        if (flags.includes('b')) blocked++;
      }
    } finally {
      redis.disconnect();
    }
  }
  return { total, blocked };
}

export interface IdleResult {
  readonly service: IdleService;
  readonly shards: number;
  readonly loadAtStart: number[];
  /** The service's connections on the Redis nodes, and how many of them block. */
  readonly clients: ClientCounts;
  /** CPU ms per second of wall time: the service, the Redis nodes with it, the Redis nodes before it started. */
  readonly serviceCpuMsPerS: number;
  readonly redisCpuMsPerS: number;
  readonly redisAloneCpuMsPerS: number;
  readonly rssMb: number;
  readonly error?: string;
}

/**
 * CPU seconds the nodes have used (INFO cpu: used_cpu_user + used_cpu_sys, children included), summed: finer
 * than /proc's 10 ms ticks, which an idle Redis hardly moves in a few seconds.
 */
export async function redisCpuSeconds(nodes: readonly RedisNode[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    const redis = new Redis({ host: '127.0.0.1', port: node.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const info = await redis.info('cpu');
      for (const key of ['used_cpu_user', 'used_cpu_sys', 'used_cpu_user_children', 'used_cpu_sys_children']) {
        total += Number(new RegExp(`^${key}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
      }
    } finally {
      redis.disconnect();
    }
  }
  return total;
}

/** Redis nodes' CPU ms per second over `seconds`, nothing of ours running. */
export async function redisAlone(stack: Stack, seconds: number): Promise<number> {
  const a = await redisCpuSeconds(stack.nodes);
  const at = performance.now();
  await sleep(seconds * 1000);
  const b = await redisCpuSeconds(stack.nodes);
  return (1e6 * (b - a)) / (performance.now() - at);
}

/**
 * One service process alone on `stack` with `shards` shards, idle: started, ready, left `settleS` seconds,
 * then its connections counted and its CPU and the nodes' measured over `seconds`.
 */
export async function runIdle(stack: Stack, service: IdleService, shards: number, seconds: number, redisAloneCpuMsPerS: number, settleS = 3): Promise<IdleResult> {
  const loadAtStart = loadAverage();
  const port = await freePort();
  const env = pipelineEnv(stack.env as Parameters<typeof pipelineEnv>[0], {
    LOG_LEVEL: 'warn',
    METRICS_PORT: String(port),
    REDIS_SHARDS: String(shards),
    ALERTS_MQTT_CLIENT_ID: `bench-idle-alerts-${shards}`,
  });
  let proc: RunningProcess | undefined;
  try {
    proc = spawnNode(IDLE_MAINS[service], env, DEPLOYED_NODE_ARGS);
    await waitUntilReady(proc, `http://127.0.0.1:${port}`);
    await sleep(settleS * 1000);
    const clients = await clientCounts(stack.nodes);
    const pids = { [service]: proc.child.pid };
    const redisA = await redisCpuSeconds(stack.nodes);
    const a = cpuSnapshot(pids);
    await sleep(seconds * 1000);
    const b = cpuSnapshot(pids);
    const redisB = await redisCpuSeconds(stack.nodes);
    const { groups, wallS } = groupSeconds(a, b, stack.nodes);
    const rss = (rssBytes(proc.child.pid ?? 0) ?? 0) / 2 ** 20;
    const exited = proc.child.exitCode !== null || proc.child.signalCode !== null;
    return {
      service,
      shards,
      loadAtStart,
      clients,
      serviceCpuMsPerS: (1000 * (groups[service] ?? 0)) / wallS,
      redisCpuMsPerS: (1000 * (redisB - redisA)) / wallS,
      redisAloneCpuMsPerS,
      rssMb: rss,
      ...(exited ? { error: `${service} exited: ${proc.output().stderr.slice(-500)}` } : {}),
    };
  } catch (e) {
    return { service, shards, loadAtStart, clients: { total: Number.NaN, blocked: Number.NaN }, serviceCpuMsPerS: Number.NaN, redisCpuMsPerS: Number.NaN, redisAloneCpuMsPerS, rssMb: Number.NaN, error: message(e) };
  } finally {
    if (proc) await stopChild(proc);
  }
}
