// Redis Cluster shards (issue 16): what Redis costs per rep message and per closed set, on one plain Redis
// and on a Redis Cluster, and what WAIT for a replica costs. The pipeline runs as separate processes
// (ingest, worker, alerts: the compose shape) against, by case:
//   a  one plain Redis, REDIS_SHARDS=1 (the baseline);
//   b  a 3-master cluster, no replicas, REDIS_SHARDS=12;
//   c  a 3-master cluster, 1 replica each, REDIS_SHARDS=12, WAIT off;
//   d  the same with INGEST_REDIS_WAIT_REPLICAS=1;
//   e  one plain Redis, REDIS_SHARDS=12: the shards' cost without a cluster.
// Each run: fresh servers, the multi-gym gym rhythm (cluster-workload.ts), timed to every rep point and to
// every set's set and NSI points acknowledged by the TSDB (cluster-run.ts). The cases alternate within a run.
// Then `idle`: one worker, then one alerts process, alone and idle with S=1 and S=12 on a plain Redis, and
// with S=12 on a 3-master cluster: CPU and connections at rest.
//
//   npx tsc -b test && node test/dist/bench/bench-cluster.js [--runs 3] [--reps 16000] [--stations 72] [--gyms 24]
//     [--shards 12] [--cases a,b,c,d,e,idle] [--idle-runs R] [--idle-seconds 15] [--probe 240] [--pipeline-env KEY=VALUE ...] [--json]
//
// On one machine every node shares the same cores: this measures what each node costs, not how throughput
// grows with masters (docs/benchmarks.md, "Redis Cluster shards (issue 16)").
import os from 'node:os';
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, exitWith, parsePipelineEnv, positiveFlag, usageExit } from './args.js';
import { describeShape, redisAlone, runIdle, runLoad, startStack, type IdleResult, type IdleService, type LoadRunResult, type RedisShape } from './cluster-run.js';
import { clusterWorkload } from './cluster-workload.js';
import { fmt } from './report.js';
import { alignTable, medianOf, summaryMedians, summaryTable, type SummaryRow } from './summary.js';

const USAGE = `Usage: node test/dist/bench/bench-cluster.js [--runs 3] [--reps 16000] [--stations 72] [--gyms 24] [--shards 12]
  [--cases a,b,c,d,e,idle] [--idle-runs R] [--idle-seconds 15] [--probe 240] [--pipeline-env KEY=VALUE ...] [--json]
  cases: a one Redis S=1; b 3 masters S; c 3 masters + 1 replica each S; d = c with INGEST_REDIS_WAIT_REPLICAS=1;
         e one Redis with S shards; idle: a worker / an alerts process at rest, S=1 and S`;

interface LoadCase {
  readonly id: string;
  readonly label: string;
  readonly shape: RedisShape;
  readonly shards: number;
  readonly waitReplicas: number;
}

function loadCases(shards: number): LoadCase[] {
  const cluster = (replicasPerMaster: number): RedisShape => ({ kind: 'cluster', masters: 3, replicasPerMaster });
  return [
    { id: 'a', label: '(a) 1 Redis, S=1', shape: { kind: 'single' }, shards: 1, waitReplicas: 0 },
    { id: 'b', label: `(b) 3 masters, S=${shards}`, shape: cluster(0), shards, waitReplicas: 0 },
    { id: 'c', label: `(c) 3m+3r, S=${shards}`, shape: cluster(1), shards, waitReplicas: 0 },
    { id: 'd', label: `(d) 3m+3r, S=${shards}, WAIT 1`, shape: cluster(1), shards, waitReplicas: 1 },
    { id: 'e', label: `(e) 1 Redis, S=${shards}`, shape: { kind: 'single' }, shards, waitReplicas: 0 },
  ];
}

const positive = (name: string, text: string): number => positiveFlag(name, text, USAGE);
function usage(problem: string): never {
  return usageExit(problem, USAGE);
}

const cpu = (r: LoadRunResult, group: string) => r.cpuUsPerMsg[group];
const perSet = (r: LoadRunResult, group: string) => r.cpuMsPerSet[group];
/** Redis masters' µs per message with the set-only stretch's cost per set taken out: the rep path's share. */
const repOnlyRedisUs = (r: LoadRunResult) => {
  const setMs = r.setWindowCpuMsPerSet['redis masters'];
  const whole = r.cpuUsPerMsg['redis masters'];
  return setMs === undefined || whole === undefined ? Number.NaN : whole - (setMs * 1000 * r.sets) / r.messages;
};

const LOAD_ROWS: Array<SummaryRow<LoadRunResult>> = [
  { key: 'msgPerS', label: 'rep msg/s (1st publish → every rep point in the TSDB)', get: (r) => r.msgPerS, digits: 0 },
  { key: 'setsPerS', label: 'sets/s (1st publish → every set + NSI point in the TSDB)', get: (r) => r.setsPerS, digits: 0 },
  { key: 'repsStoredS', label: '  s to every rep point', get: (r) => r.repsStoredS, digits: 1 },
  { key: 'setsDoneS', label: '  s to every set point', get: (r) => r.setsDoneS, digits: 1 },
  { key: 'redisMastersUsPerMsg', label: 'REDIS masters CPU µs per message (whole run)', get: (r) => cpu(r, 'redis masters'), digits: 1 },
  { key: 'redisReplicasUsPerMsg', label: 'REDIS replicas CPU µs per message', get: (r) => (r.replicas > 0 ? cpu(r, 'redis replicas') : undefined), digits: 1 },
  { key: 'redisMastersMsPerSet', label: 'REDIS masters CPU ms per closed set (with its 8 reps)', get: (r) => perSet(r, 'redis masters'), digits: 2 },
  { key: 'redisReplicasMsPerSet', label: 'REDIS replicas CPU ms per closed set', get: (r) => (r.replicas > 0 ? perSet(r, 'redis replicas') : undefined), digits: 2 },
  { key: 'setWindowSets', label: 'sets done after every rep was stored (set-only stretch)', get: (r) => r.setWindowSets, digits: 0 },
  { key: 'setWindowRedisMsPerSet', label: '  REDIS masters ms per set in it (set work alone)', get: (r) => r.setWindowCpuMsPerSet['redis masters'], digits: 2 },
  { key: 'setWindowReplicasMsPerSet', label: '  REDIS replicas ms per set in it', get: (r) => (r.replicas > 0 ? r.setWindowCpuMsPerSet['redis replicas'] : undefined), digits: 2 },
  { key: 'repOnlyRedisUs', label: '  ⇒ REDIS masters µs per rep message, set work taken out', get: repOnlyRedisUs, digits: 1 },
  { key: 'redisMastersUserMsPerSet', label: '  REDIS masters ms per set: user', get: (r) => r.redisMastersUserMsPerSet, digits: 2 },
  { key: 'redisMastersSysMsPerSet', label: '  REDIS masters ms per set: system (syscalls: network, AOF)', get: (r) => r.redisMastersSysMsPerSet, digits: 2 },
  { key: 'redisCallsPerSet', label: 'REDIS masters commands per set (INFO commandstats)', get: (r) => r.redisCommands.callsPerSet, digits: 1 },
  { key: 'redisExecMsPerSet', label: '  ms per set executing them (commandstats usec)', get: (r) => r.redisCommands.execMsPerSet, digits: 2 },
  { key: 'busiestMasterShare', label: 'busiest master CPU / masters\' mean', get: (r) => r.busiestMasterShare, digits: 2 },
  { key: 'ingestUsPerMsg', label: 'CPU µs per message: ingest', get: (r) => cpu(r, 'ingest'), digits: 1 },
  { key: 'workerUsPerMsg', label: '  worker', get: (r) => cpu(r, 'worker'), digits: 1 },
  { key: 'alertsUsPerMsg', label: '  alerts', get: (r) => cpu(r, 'alerts'), digits: 1 },
  { key: 'mosquittoUsPerMsg', label: '  mosquitto', get: (r) => cpu(r, 'mosquitto'), digits: 1 },
  { key: 'vmUsPerMsg', label: '  victoria-metrics', get: (r) => cpu(r, 'victoria-metrics'), digits: 1 },
  { key: 'loadgenUsPerMsg', label: '  bench process (publishers, proxy)', get: (r) => cpu(r, 'loadgen'), digits: 1 },
  { key: 'otherUsPerMsg', label: '  other processes on the machine', get: (r) => r.otherUsPerMsg, digits: 1 },
  { key: 'busyPct', label: 'machine busy %', get: (r) => r.busyPct, digits: 0 },
  { key: 'commitMeanMs', label: 'ingest commit (one shard\'s MULTI [+ WAIT]) mean ms', get: (r) => r.commitMeanMs, digits: 2 },
  { key: 'commitP50Ms', label: '  p50 ms (histogram, interpolated)', get: (r) => r.commitP50Ms, digits: 2 },
  { key: 'commitP99Ms', label: '  p99 ms (histogram, interpolated)', get: (r) => r.commitP99Ms, digits: 1 },
  { key: 'commits', label: '  commits', get: (r) => r.commits, digits: 0 },
  { key: 'meanBatch', label: '  messages per commit', get: (r) => r.meanBatch, digits: 1 },
  { key: 'pubackP50Ms', label: 'device publish → broker PUBACK p50 ms (≤ 20 in flight a station)', get: (r) => r.pubackP50Ms, digits: 1 },
  { key: 'pubackP99Ms', label: '  p99 ms', get: (r) => r.pubackP99Ms, digits: 1 },
  { key: 'probeStoredP50Ms', label: 'QUIET PROBE (1 message at a time) publish → rep point in the TSDB p50 ms', get: (r) => r.probe?.storedP50Ms, digits: 1 },
  { key: 'probeStoredP99Ms', label: '  p99 ms', get: (r) => r.probe?.storedP99Ms, digits: 1 },
  { key: 'probeCommitMeanMs', label: '  ingest commit mean ms', get: (r) => r.probe?.commitMeanMs, digits: 3 },
  { key: 'probeCommitP50Ms', label: '  ingest commit p50 ms (histogram)', get: (r) => r.probe?.commitP50Ms, digits: 2 },
  { key: 'probeCommitP99Ms', label: '  ingest commit p99 ms (histogram)', get: (r) => r.probe?.commitP99Ms, digits: 2 },
  { key: 'repLoss', label: 'LOSS rep / set / NSI points', get: (r) => r.repLoss + r.setLoss + r.nsiLoss, digits: 0 },
  { key: 'replicaShortfalls', label: 'WAIT shortfalls, commit failures, redeliveries, dead letters, retries', get: (r) => ['replicaShortfalls', 'commitFailures', 'redelivered', 'deadLetters', 'jobRetries'].reduce((sum, key) => sum + (r.internals[key] ?? 0), 0), digits: 0 },
  { key: 'loadAtStart', label: 'load average (1 min) at the run\'s start', get: (r) => r.loadAtStart[0], digits: 2 },
  { key: 'loadAtEnd', label: 'load average (1 min) at every set done', get: (r) => r.loadAtEnd[0], digits: 2 },
];

const IDLE_ROWS: Array<SummaryRow<IdleResult>> = [
  { key: 'clients', label: 'connections on the Redis nodes', get: (r) => r.clients.total, digits: 0 },
  { key: 'blocked', label: '  of them blocked (BZPOPMIN)', get: (r) => r.clients.blocked, digits: 0 },
  { key: 'serviceCpu', label: 'process CPU ms per s (/proc)', get: (r) => r.serviceCpuMsPerS, digits: 2 },
  { key: 'redisCpu', label: 'Redis nodes CPU ms per s, with it (INFO cpu)', get: (r) => r.redisCpuMsPerS, digits: 2 },
  { key: 'redisAlone', label: 'Redis nodes CPU ms per s, alone before it', get: (r) => r.redisAloneCpuMsPerS, digits: 2 },
  { key: 'rssMb', label: 'process RSS MB', get: (r) => r.rssMb, digits: 0 },
  { key: 'load', label: 'load average (1 min) at its start', get: (r) => r.loadAtStart[0], digits: 2 },
];

/** What went wrong in a run (fails the bench), and what is only worth a note (`NOTE` / `NOISY`). */
function problemsOf(label: string, run: number, r: LoadRunResult): string[] {
  const out: string[] = [];
  if (r.startupLogLines.length > 0) {
    const kinds = [...new Set(r.startupLogLines.map((l) => /"message":"([^"]{0,80})/.exec(l)?.[1] ?? l.slice(0, 80)))];
    out.push(`${label} run ${run}: NOTE — ${r.startupLogLines.length} line(s) at warn or above while the processes started (before the first publish): ${kinds.join(' | ')}`);
  }
  if (r.error) out.push(`${label} run ${run}: ${r.error}`);
  if (r.repLoss || r.setLoss || r.nsiLoss) out.push(`${label} run ${run}: LOSS rep ${r.repLoss}, set ${r.setLoss}, NSI ${r.nsiLoss}`);
  for (const [key, value] of Object.entries(r.internals)) if (key !== 'setsClosed' && key !== 'linesWritten' && value !== 0) out.push(`${label} run ${run}: ${key} = ${value}`);
  if (r.logLines.length > 0) out.push(`${label} run ${run}: ${r.logLines.length} log line(s) at warn or above: ${r.logLines.slice(0, 4).map((l) => l.slice(0, 240)).join(' | ')}`);
  const stack = (r.cpuUsPerMsg.pipeline ?? 0) + (r.cpuUsPerMsg.redis ?? 0);
  if (r.otherUsPerMsg > 0.15 * stack) out.push(`${label} run ${run}: NOISY — other processes used ${fmt(r.otherUsPerMsg, 1)} µs per message (${fmt((100 * r.otherUsPerMsg) / stack, 0)} % of the pipeline + Redis)`);
  return out;
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      reps: { type: 'string', default: '16000' },
      stations: { type: 'string', default: '72' },
      gyms: { type: 'string', default: '24' },
      shards: { type: 'string', default: '12' },
      cases: { type: 'string', default: 'a,b,c,d,e,idle' },
      'idle-runs': { type: 'string' },
      'idle-seconds': { type: 'string', default: '15' },
      probe: { type: 'string', default: '240' },
      ...COMMON_FLAGS,
    },
    strict: true,
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = positive('runs', args.runs);
  const idleRuns = args['idle-runs'] === undefined ? runs : positive('idle-runs', args['idle-runs']);
  const idleSeconds = positive('idle-seconds', args['idle-seconds']);
  const probe = args.probe === '0' ? 0 : positive('probe', args.probe);
  const shards = positive('shards', args.shards);
  const workloadOptions = { reps: positive('reps', args.reps), stations: positive('stations', args.stations), gyms: positive('gyms', args.gyms) };
  let extraEnv: Record<string, string>;
  try {
    extraEnv = parsePipelineEnv(args['pipeline-env']);
  } catch (error) {
    usage((error as Error).message);
  }
  const wanted = args.cases.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const all = loadCases(shards);
  for (const id of wanted) if (id !== 'idle' && !all.some((c) => c.id === id)) usage(`unknown case "${id}"`);
  const cases = all.filter((c) => wanted.includes(c.id));

  const sample = clusterWorkload(workloadOptions, 'x');
  console.log(`bench-cluster: ${sample.description}; ${sample.reps.toLocaleString('en-US')} reps, ${sample.sets.toLocaleString('en-US')} sets, ` +
    `${sample.messages.toLocaleString('en-US')} messages, each station on its own connection (QoS 1, ≤ 20 unacknowledged)`);
  console.log(`pipeline: ingest, worker and alerts as separate processes, LOG_LEVEL=warn, defaults otherwise${Object.keys(extraEnv).length ? ` except ${JSON.stringify(extraEnv)}` : ''}; ` +
    `fresh servers per run (Mosquitto 2.0, VictoriaMetrics behind a counting proxy, redis-server nodes with AOF everysec; clusters with cluster-node-timeout 15 s)`);
  console.log(`cases: ${cases.map((c) => `${c.label} = ${describeShape(c.shape)}`).join('; ')}${wanted.includes('idle') ? '; idle' : ''}; ${runs} run(s), ${idleRuns} idle run(s) of ${idleSeconds} s; ` +
    `${os.availableParallelism()} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);

  const results = new Map<string, LoadRunResult[]>(cases.map((c) => [c.id, []]));
  const problems: string[] = [];
  for (let run = 1; run <= runs && cases.length > 0; run++) {
    for (const c of cases) {
      console.error(`[bench-cluster] run ${run}/${runs} ${c.label}… (load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')})`);
      let r: LoadRunResult;
      try {
        r = await runLoad(run, c.id, { shape: c.shape, shards: c.shards, waitReplicas: c.waitReplicas, workload: workloadOptions, pipelineEnv: extraEnv, probe });
      } catch (error) {
        problems.push(`${c.label} run ${run}: did not run: ${error instanceof Error ? error.message : String(error)}`);
        console.error(`[bench-cluster] ${problems[problems.length - 1]}`);
        continue;
      }
      results.get(c.id)?.push(r);
      const p = problemsOf(c.label, run, r);
      problems.push(...p);
      console.error(
        `[bench-cluster] run ${run}/${runs} ${c.label}: ${fmt(r.msgPerS, 0)} msg/s, ${fmt(r.setsPerS, 0)} sets/s, Redis masters ${fmt(cpu(r, 'redis masters'), 1)} µs/msg` +
          `${r.replicas > 0 ? `, replicas ${fmt(cpu(r, 'redis replicas'), 1)}` : ''}, commit p99 ${fmt(r.commitP99Ms, 1)} ms, load ${r.loadAtStart[0]} → ${r.loadAtEnd[0]}${p.length ? ` (${p.length} problem(s))` : ''}`,
      );
      for (const line of p) console.log(`! ${line}`);
    }
  }

  for (const c of cases) {
    const rs = results.get(c.id) ?? [];
    if (rs.length === 0) continue;
    console.log(`\n--- ${c.label}: ${describeShape(c.shape)}, REDIS_SHARDS=${c.shards}, INGEST_REDIS_WAIT_REPLICAS=${c.waitReplicas} ---\n${summaryTable(LOAD_ROWS, rs)}`);
    rs.forEach((r, i) => console.log(`run ${i + 1}: the masters' dearest commands: ${r.redisCommands.top.join('; ')}`));
  }
  const withRuns = cases.filter((c) => (results.get(c.id)?.length ?? 0) > 0);
  if (withRuns.length > 0) {
    const header = ['MEDIANS', ...withRuns.map((c) => c.label)];
    const body = LOAD_ROWS.map((row) => [row.label, ...withRuns.map((c) => fmt(medianOf((results.get(c.id) ?? []).map(row.get)), row.digits))]);
    console.log(`\n=== medians of ${runs} run(s) ===\n${alignTable([header, ...body])}`);
    // The model, from the measured CPU: one master's core over the masters' CPU per message / per set.
    console.log('\nmodel (not measured): one core per master ÷ the masters\' CPU per message (or per set with its reps)');
    for (const c of withRuns) {
      const rs = results.get(c.id) ?? [];
      const us = medianOf(rs.map((r) => cpu(r, 'redis masters'))) ?? Number.NaN;
      const ms = medianOf(rs.map((r) => perSet(r, 'redis masters'))) ?? Number.NaN;
      const share = medianOf(rs.map((r) => r.busiestMasterShare)) ?? 1;
      console.log(`  ${c.label}: ${fmt(1e6 / us, 0)} msg/s and ${fmt(1e3 / ms, 0)} sets/s per master core; M masters ≈ M × that ÷ ${fmt(share, 2)} (busiest master's share)`);
    }
  }

  const idle: Array<{ label: string; runs: IdleResult[] }> = [];
  if (wanted.includes('idle')) {
    const plain: Array<[IdleService, number]> = [['worker', 1], ['worker', shards], ['alerts', 1], ['alerts', shards]];
    const onCluster: Array<[IdleService, number]> = [['worker', shards], ['alerts', shards]];
    const byLabel = new Map<string, IdleResult[]>();
    const push = (label: string, r: IdleResult) => {
      if (!byLabel.has(label)) byLabel.set(label, []);
      byLabel.get(label)?.push(r);
      if (r.error) problems.push(`idle ${label}: ${r.error}`);
    };
    for (let run = 1; run <= idleRuns; run++) {
      for (const [shape, list] of [[{ kind: 'single' }, plain], [{ kind: 'cluster', masters: 3, replicasPerMaster: 0 }, onCluster]] as Array<[RedisShape, Array<[IdleService, number]>]>) {
        console.error(`[bench-cluster] idle run ${run}/${idleRuns} on ${describeShape(shape)}… (load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')})`);
        let stack;
        try {
          stack = await startStack(shape);
        } catch (error) {
          problems.push(`idle on ${describeShape(shape)} run ${run}: did not start: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        try {
          const alone = await redisAlone(stack, idleSeconds);
          for (const [service, s] of list) {
            const r = await runIdle(stack, service, s, idleSeconds, alone);
            const label = `${service}, S=${s}, ${shape.kind === 'single' ? '1 Redis' : '3 masters'}`;
            push(label, r);
            console.error(`[bench-cluster] idle ${label}: ${r.clients.total} connections (${r.clients.blocked} blocked), ${fmt(r.serviceCpuMsPerS, 2)} ms/s CPU, Redis ${fmt(r.redisCpuMsPerS, 2)} ms/s (alone ${fmt(alone, 2)})`);
          }
        } finally {
          await stack.stop();
        }
      }
    }
    for (const [label, rs] of byLabel) idle.push({ label, runs: rs });
    if (idle.length > 0) {
      const header = [`AT REST (${idleSeconds} s windows), medians`, ...idle.map((i) => i.label)];
      const body = IDLE_ROWS.map((row) => [row.label, ...idle.map((i) => fmt(medianOf(i.runs.map(row.get)), row.digits))]);
      console.log(`\n=== at rest: one process alone, idle; medians of ${idleRuns} run(s) ===\n${alignTable([header, ...body])}`);
    }
  }

  if (problems.length > 0) console.log(`\nproblems:\n${problems.map((p) => `! ${p}`).join('\n')}`);
  if (args.json) {
    console.log(`JSON ${JSON.stringify({
      settings: { ...workloadOptions, shards, probe, runs, idleRuns, idleSeconds, pipelineEnv: extraEnv, cores: os.availableParallelism(), node: process.version },
      medians: Object.fromEntries(withRuns.map((c) => [c.id, summaryMedians(LOAD_ROWS, results.get(c.id) ?? [])])),
      runs: Object.fromEntries(withRuns.map((c) => [c.id, (results.get(c.id) ?? []).map((r) => ({ ...r, logLines: r.logLines.slice(0, 20) }))])),
      idle: idle.map((i) => ({ label: i.label, medians: summaryMedians(IDLE_ROWS, i.runs), runs: i.runs })),
    })}`);
  }
  const failed = problems.some((p) => !p.includes('NOISY') && !p.includes('NOTE —'));
  if (failed) console.log('\nFAILED: an error, a loss or a run that did not finish (see above)');
  return failed ? 1 : 0;
}

exitWith(main);
