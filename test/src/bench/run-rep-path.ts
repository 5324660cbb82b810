// One phase of the rep-path comparison: a system (Neurolift in a topology, or the flow-based peer) on fresh
// servers (Mosquitto with the benchmark's settings, VictoriaMetrics; Redis for Neurolift) receives a
// station workload, and is timed from the first publish to the moment the TSDB has acknowledged every
// rep point, then checked against the TSDB itself (distinct rep points stored; the loss).
//
// "Acknowledged by the TSDB" is read where each system can tell: Neurolift's own counter of points written
// (neurolift_worker_points_written_total{measurement="rep"}, counted after the TSDB's 2xx; scraped every
// 100 ms), as bench-reps does; for Node-RED, which has no such counter, a proxy in front of the TSDB counts
// the distinct rep points of every 2xx-answered write. The proxy costs the bench process ~0.5 µs per line;
// Node-RED writes one line per message in requests of 1,000, while Neurolift's set jobs write ~25 lines per
// message, so putting Neurolift behind it too would tax Neurolift, not make the two equal. Either trigger is
// then confirmed by the TSDB's distinct count (the later of the two times counts).
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv } from '../harness/pipeline.js';
import { startBenchServers } from './bench-servers.js';
import { startCountingProxy, type CountingProxy, type WriteCounts } from './counting-proxy.js';
import { startNodeRed } from './node-red-peer.js';
import { logLines, startPipelineParts, stopChild, type PipelinePart, type Topology } from './pipeline-process.js';
import { metric, until } from './probes.js';
import { cpuPerMessage, cpuSnapshot } from './proc-stats.js';
import { watchProcesses, type ProcessFigures, type ProcessWatch, type WatchedProcess } from './process-watch.js';
import { startStationPublishers, type StationWorkload } from './station-workloads.js';
import { tsdbMeasurementCount } from './tsdb-counts.js';
import type { Publishers } from './workload.js';

export type RepPathSystem = 'node-red' | Topology;

export interface RepPathResult {
  readonly system: RepPathSystem;
  /** Rep messages / seconds from the first publish to every rep point acknowledged by the TSDB. */
  readonly msgPerS: number;
  readonly seconds: number;
  /** First publish → the broker's last PUBACK to the publishers, s. */
  readonly ackedSeconds: number;
  /** Distinct rep points the TSDB holds, and the loss (reps − stored). */
  readonly stored: number;
  readonly loss: number;
  /** Peak RSS (and event-loop delay, for Neurolift) of each process of the system. */
  readonly processes: Record<string, ProcessFigures>;
  readonly peakRssMb: number;
  /** CPU µs per message up to stored: each process of the system (and `pipeline`, their sum), mosquitto, redis, victoria-metrics, loadgen, other. */
  readonly cpuUs: Record<string, number>;
  readonly busyPct: number;
  /** What the proxy saw (Node-RED only): write requests and lines. */
  readonly writes?: WriteCounts;
  /** Warnings and errors the system printed during the measurement. */
  readonly logLines: string[];
  readonly error?: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Started {
  readonly processes: WatchedProcess[];
  readonly exited: () => string | undefined;
  /** Rep points the TSDB has acknowledged so far, by the system's own count or the proxy's. */
  readonly repsAcknowledged: (watch: ProcessWatch) => number;
  /** Marks the log's current end (the measurement's start). */
  readonly mark: () => void;
  /** Warnings and errors printed since the mark (Node-RED) or since `t0Epoch` (the pipeline's JSON lines carry their time). */
  readonly log: (t0Epoch: number) => string[];
  readonly writes: () => WriteCounts | undefined;
  readonly stop: () => Promise<void>;
}

async function startSystem(system: RepPathSystem, run: number, env: Readonly<Record<string, string>>, extraEnv: Readonly<Record<string, string>>): Promise<Started> {
  const influxUrl = env.INFLUX_URL ?? '';
  if (system === 'node-red') {
    const proxy: CountingProxy = await startCountingProxy(influxUrl, ['rep']);
    try {
      const red = await startNodeRed({
        mqttUrl: env.MQTT_URL ?? '',
        clientId: `bench-node-red-${run}`,
        influxUrl: proxy.url,
        influxToken: env.INFLUX_TOKEN ?? '',
        influxOrg: env.INFLUX_ORG ?? '',
        influxBucket: env.INFLUX_BUCKET ?? '',
      });
      let marked = 0;
      return {
        processes: [{ name: 'node-red', pid: red.pid }],
        exited: () => (red.run.child.exitCode !== null || red.run.child.signalCode !== null ? 'node-red' : undefined),
        repsAcknowledged: () => proxy.counts().distinct.rep ?? 0,
        mark: () => {
          marked = red.log().length;
        },
        log: () => red.log().slice(marked).split('\n').filter((l) => /\[(warn|error)\]/.test(l)),
        writes: () => proxy.counts(),
        stop: async () => {
          await red.stop();
          await proxy.close();
        },
      };
    } catch (error) {
      await proxy.close();
      throw error;
    }
  }
  const parts: PipelinePart[] = await startPipelineParts(
    system,
    pipelineEnv(env as Parameters<typeof pipelineEnv>[0], { LOG_LEVEL: 'warn', MQTT_CLIENT_ID: `bench-ingest-${run}`, ...extraEnv }),
    [],
    freePort,
  );
  return {
    processes: parts.map((part) => ({ name: part.name, pid: part.run.child.pid, metricsUrl: part.url })),
    exited: () => parts.find((part) => part.run.child.exitCode !== null || part.run.child.signalCode !== null)?.name,
    repsAcknowledged: (watch) => metric(watch.latest(), 'neurolift_worker_points_written_total', { measurement: 'rep' }),
    mark: () => undefined,
    log: (t0Epoch) => parts.flatMap((part) => logLines(part.run, t0Epoch).map((line) => (parts.length > 1 ? `${part.name} ${line}` : line))),
    writes: () => undefined,
    stop: async () => {
      await Promise.all(parts.map((part) => stopChild(part.run)));
    },
  };
}

export async function runRepPath(run: number, system: RepPathSystem, workload: StationWorkload, extraEnv: Readonly<Record<string, string>> = {}): Promise<RepPathResult> {
  const N = workload.reps;
  const servers = await startBenchServers(system === 'node-red' ? ['mosquitto', 'victoria-metrics'] : undefined);
  let started: Started | undefined;
  let publishers: Publishers | undefined;
  try {
    started = await startSystem(system, run, servers.env, extraEnv);
    const current = started;
    publishers = await startStationPublishers(servers.env.MQTT_URL, workload, `bench-${system}-${run}`);
    await sleep(500);
    const watch = await watchProcesses(started.processes, 100);
    const redisPid = (servers as { redis?: { pid: number | undefined } }).redis?.pid;
    const pids: Record<string, number | undefined> = {
      ...Object.fromEntries(started.processes.map((p) => [p.name, p.pid])),
      mosquitto: servers.mosquitto.pid,
      ...(redisPid === undefined ? {} : { redis: redisPid }),
      'victoria-metrics': servers.victoriaMetrics.pid,
      loadgen: process.pid,
    };
    started.mark();
    const before = cpuSnapshot(pids);
    const t0 = publishers.go();
    const t0Epoch = Date.now();
    let storedAt = 0;
    let after = before;
    let stored = 0;
    let acknowledged = 0;
    let error: string | undefined;
    try {
      await until(
        `${N} rep points acknowledged by the TSDB`,
        async () => {
          const gone = current.exited();
          if (gone) throw new Error(`${gone} exited`);
          acknowledged = current.repsAcknowledged(watch);
          return acknowledged >= N ? true : undefined;
        },
        () => acknowledged,
        10,
      );
      storedAt = performance.now();
      after = cpuSnapshot(pids);
      await until(
        `${N} distinct rep points in VictoriaMetrics`,
        async () => {
          stored = await tsdbMeasurementCount(servers.env.INFLUX_URL, 'rep', workload.gym, workload.oldestTs);
          if (stored >= N) return true;
          storedAt = 0; // reached later than the acknowledgements say: take the time the TSDB shows all
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
    const processes = await watch.stop();
    const done = await Promise.race([publishers.done, sleep(10_000).then(() => undefined)]);
    if (!done) error ??= 'publishers did not finish';
    else if (done.failed > 0) error ??= `${done.failed} publishes failed: ${done.errors.join('; ')}`;
    stored = await tsdbMeasurementCount(servers.env.INFLUX_URL, 'rep', workload.gym, workload.oldestTs).catch(() => stored);
    const seconds = (storedAt - t0) / 1000;
    const { perMsgUs, busyPct } = cpuPerMessage(before, after, N);
    const systemNames = started.processes.map((p) => p.name);
    if (systemNames.length > 1) perMsgUs.pipeline = systemNames.reduce((sum, name) => sum + (perMsgUs[name] ?? 0), 0);
    const writes = started.writes();
    if (writes !== undefined && writes.failedRequests > 0) error ??= `${writes.failedRequests} TSDB writes failed`;
    return {
      system,
      msgPerS: stored >= N && error === undefined ? N / seconds : 0,
      seconds,
      ackedSeconds: done ? (done.doneAt - t0) / 1000 : Number.NaN,
      stored,
      loss: N - Math.min(stored, N),
      processes,
      peakRssMb: Object.values(processes).reduce((sum, p) => sum + p.peakRssMb, 0),
      cpuUs: perMsgUs,
      busyPct,
      ...(writes === undefined ? {} : { writes }),
      logLines: started.log(t0Epoch),
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await publishers?.terminate();
    await started?.stop();
    await servers.stop();
  }
}
