// Results: the per-run and median table, the JSON medians, and the problems worth a line each.
import type { BaselineResult } from './run-baseline.js';
import type { PipelineResult } from './run-pipeline.js';

export interface RunResult {
  readonly run: number;
  readonly baseline?: BaselineResult;
  readonly pipeline: PipelineResult;
}

interface Row {
  /** Unique name in the JSON summary. */
  readonly key: string;
  readonly label: string;
  readonly get: (r: RunResult) => number | undefined;
  readonly digits: number;
}

const ratio = (r: RunResult) => (r.baseline && r.baseline.msgPerS > 0 ? r.pipeline.msgPerS / r.baseline.msgPerS : undefined);
const cpu = (r: RunResult, name: string) => r.pipeline.cpuUs[name];
const serverCpu = (us: Readonly<Record<string, number>>) =>
  ['pipeline', 'mosquitto', 'redis', 'victoria-metrics'].reduce((sum, name) => sum + (us[name] ?? 0), 0);

/** The rows for N messages per phase. */
function rows(N: number): Row[] {
  return [
    { key: 'baselineMsgPerS', label: 'baseline msg/s (bare MQTT.js sub, QoS 1)', get: (r) => r.baseline?.msgPerS, digits: 0 },
    { key: 'baselineLoss', label: '  baseline loss', get: (r) => r.baseline?.loss, digits: 0 },
    { key: 'baselineCpuUsMosquitto', label: '  baseline CPU µs/msg mosquitto', get: (r) => r.baseline?.cpuUs.mosquitto, digits: 1 },
    { key: 'baselineCpuUsLoadgen', label: '  baseline CPU µs/msg loadgen+subscriber', get: (r) => r.baseline?.cpuUs.loadgen, digits: 1 },
    { key: 'baselineCpuUsOther', label: '  baseline CPU µs/msg other processes', get: (r) => r.baseline?.cpuUs.other, digits: 1 },
    { key: 'baselineBusyPct', label: '  baseline machine busy %', get: (r) => r.baseline?.busyPct, digits: 0 },
    { key: 'pipelineMsgPerS', label: 'pipeline msg/s (1st publish → all in TSDB)', get: (r) => r.pipeline.msgPerS, digits: 0 },
    { key: 'ratio', label: 'RATIO pipeline/baseline (target ≥ 0.6)', get: ratio, digits: 2 },
    { key: 'pipelineLoss', label: 'pipeline LOSS (N − distinct points)', get: (r) => r.pipeline.loss, digits: 0 },
    { key: 'publishedS', label: '  s to all published (broker PUBACKs)', get: (r) => r.pipeline.ackedSeconds, digits: 2 },
    { key: 'inRedisS', label: '  s to all in Redis (ingest PUBACKs)', get: (r) => r.pipeline.inRedisSeconds, digits: 2 },
    { key: 'storedS', label: '  s to all rep points in TSDB', get: (r) => r.pipeline.seconds, digits: 2 },
    { key: 'drainedS', label: '  s to set-job backlog drained', get: (r) => r.pipeline.drainedSeconds, digits: 2 },
    { key: 'publishMsgPerS', label: '  publish rate msg/s (N / all published)', get: (r) => N / r.pipeline.ackedSeconds, digits: 0 },
    { key: 'ingestMsgPerS', label: '  ingest rate msg/s (N / all in Redis)', get: (r) => N / r.pipeline.inRedisSeconds, digits: 0 },
    { key: 'drainedMsgPerS', label: '  drained rate msg/s (N / drained)', get: (r) => N / r.pipeline.drainedSeconds, digits: 0 },
    { key: 'peakRssMb', label: 'peak pipeline RSS MB', get: (r) => r.pipeline.peakRssMb, digits: 0 },
    { key: 'peakRssMbIngest', label: '  of which ingest', get: (r) => r.pipeline.peakRssMbByProcess['ingest'], digits: 0 },
    { key: 'peakRssMbWorker', label: '  of which worker', get: (r) => r.pipeline.peakRssMbByProcess['worker'], digits: 0 },
    { key: 'peakRssMbAlerts', label: '  of which alerts', get: (r) => r.pipeline.peakRssMbByProcess['alerts'], digits: 0 },
    { key: 'cpuUsPipeline', label: 'CPU µs/msg to all stored: pipeline (node)', get: (r) => cpu(r, 'pipeline'), digits: 1 },
    { key: 'cpuUsIngest', label: '    of which ingest', get: (r) => cpu(r, 'ingest'), digits: 1 },
    { key: 'cpuUsWorker', label: '    of which worker', get: (r) => cpu(r, 'worker'), digits: 1 },
    { key: 'cpuUsAlerts', label: '    of which alerts', get: (r) => cpu(r, 'alerts'), digits: 1 },
    { key: 'cpuUsMosquitto', label: '  mosquitto', get: (r) => cpu(r, 'mosquitto'), digits: 1 },
    { key: 'cpuUsRedis', label: '  redis', get: (r) => cpu(r, 'redis'), digits: 1 },
    { key: 'cpuUsVictoriaMetrics', label: '  victoria-metrics', get: (r) => cpu(r, 'victoria-metrics'), digits: 1 },
    { key: 'cpuUsServerTotal', label: '  = server-side total', get: (r) => serverCpu(r.pipeline.cpuUs), digits: 1 },
    { key: 'cpuUsLoadgen', label: '  load generator (bench process)', get: (r) => cpu(r, 'loadgen'), digits: 1 },
    { key: 'cpuUsOther', label: '  other processes on the machine', get: (r) => cpu(r, 'other'), digits: 1 },
    { key: 'busyPct', label: '  machine busy %', get: (r) => r.pipeline.busyPct, digits: 0 },
    { key: 'drainedCpuUsPipeline', label: 'CPU µs/msg to drained: pipeline (node)', get: (r) => r.pipeline.cpuUsDrained.pipeline, digits: 1 },
    { key: 'drainedCpuUsIngest', label: '    of which ingest', get: (r) => r.pipeline.cpuUsDrained.ingest, digits: 1 },
    { key: 'drainedCpuUsWorker', label: '    of which worker', get: (r) => r.pipeline.cpuUsDrained.worker, digits: 1 },
    { key: 'drainedCpuUsAlerts', label: '    of which alerts', get: (r) => r.pipeline.cpuUsDrained.alerts, digits: 1 },
    { key: 'drainedCpuUsMosquitto', label: '  mosquitto', get: (r) => r.pipeline.cpuUsDrained.mosquitto, digits: 1 },
    { key: 'drainedCpuUsRedis', label: '  redis', get: (r) => r.pipeline.cpuUsDrained.redis, digits: 1 },
    { key: 'drainedCpuUsVictoriaMetrics', label: '  victoria-metrics', get: (r) => r.pipeline.cpuUsDrained['victoria-metrics'], digits: 1 },
    { key: 'drainedCpuUsServerTotal', label: '  = server-side total', get: (r) => serverCpu(r.pipeline.cpuUsDrained), digits: 1 },
    { key: 'commits', label: 'ingest commits (Redis MULTI)', get: (r) => r.pipeline.internals.commits, digits: 0 },
    { key: 'meanBatch', label: '  mean batch, msgs', get: (r) => r.pipeline.internals.meanBatch, digits: 0 },
    { key: 'meanCommitMs', label: '  mean commit ms', get: (r) => r.pipeline.internals.meanCommitMs, digits: 1 },
    { key: 'slowestCommitS', label: '  slowest commit ≤ s (histogram bucket)', get: (r) => r.pipeline.internals.maxCommitBucketS, digits: 3 },
    { key: 'redelivered', label: '  messages redelivered to ingest', get: (r) => r.pipeline.internals.redelivered, digits: 0 },
    { key: 'ingestInFlightMax', label: '  ingest in-flight (unacked) max, sampled', get: (r) => r.pipeline.internals.ingestInFlightMax, digits: 0 },
    { key: 'eventLoopDelayMaxMs', label: 'pipeline event-loop delay max ms', get: (r) => r.pipeline.internals.eventLoopLagMaxMs, digits: 0 },
    { key: 'repJobs', label: 'worker rep jobs', get: (r) => r.pipeline.internals.repJobs, digits: 0 },
    { key: 'setJobs', label: 'worker set jobs', get: (r) => r.pipeline.internals.setJobs, digits: 0 },
    { key: 'repPointWrites', label: 'worker rep point writes (counter)', get: (r) => r.pipeline.internals.repPointsWritten, digits: 0 },
    { key: 'tsdbWrites', label: 'worker TSDB write requests', get: (r) => r.pipeline.internals.tsdbWrites, digits: 0 },
    { key: 'meanTsdbWriteMs', label: '  mean TSDB write ms', get: (r) => r.pipeline.internals.meanTsdbWriteMs, digits: 1 },
    { key: 'slowestTsdbWriteS', label: '  slowest TSDB write ≤ s (histogram bucket)', get: (r) => r.pipeline.internals.maxTsdbWriteBucketS, digits: 3 },
  ];
}

/** Median of the row's finite values over the runs. */
function median(row: Row, results: readonly RunResult[]): number | undefined {
  const sorted = results.map((r) => row.get(r)).filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export const fmt = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Rows (those with a value in some run) by runs, plus a MEDIAN column if asked. */
export function table(N: number, results: readonly RunResult[], withMedian: boolean): string {
  const header = ['', ...results.map((r) => `run ${r.run}`), ...(withMedian ? ['MEDIAN'] : [])];
  const body = rows(N).filter((row) => results.some((r) => row.get(r) !== undefined)).map((row) => {
    const cells = results.map((r) => fmt(row.get(r), row.digits));
    if (withMedian) cells.push(fmt(median(row, results), row.digits));
    return [row.label, ...cells];
  });
  const lines = [header, ...body];
  const widths = header.map((_, i) => Math.max(...lines.map((r) => (r[i] ?? '').length)));
  return lines.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

/** Every row's median by its key, for --json. */
export function medians(N: number, results: readonly RunResult[]): Record<string, number | undefined> {
  return Object.fromEntries(rows(N).map((row) => [row.key, median(row, results)]));
}

export function describeProblems(r: RunResult): string[] {
  const problems: string[] = [];
  if (r.baseline?.error) problems.push(`run ${r.run} baseline: ${r.baseline.error}`);
  if (r.baseline && r.baseline.loss > 0) problems.push(`run ${r.run} baseline: ${r.baseline.loss} messages not received`);
  if (r.pipeline.error) problems.push(`run ${r.run} pipeline: ${r.pipeline.error}`);
  if (r.pipeline.loss !== 0) problems.push(`run ${r.run} pipeline: LOSS ${r.pipeline.loss} (count query ${r.pipeline.stored}, export ${r.pipeline.exported})`);
  for (const key of ['deadLetters', 'commitFailures', 'jobRetries', 'tsdbErrors', 'redelivered', 'commitsOver1s'] as const) {
    const value = r.pipeline.internals[key];
    if (value) problems.push(`run ${r.run} pipeline: ${key} = ${value}`);
  }
  if (r.pipeline.exit !== 'code 0') problems.push(`run ${r.run} pipeline exit: ${r.pipeline.exit}`);
  if (r.pipeline.logLines.length > 0) {
    problems.push(`run ${r.run} pipeline printed ${r.pipeline.logLines.length} log line(s) at warn or above during the measurement:`);
    problems.push(...r.pipeline.logLines.slice(0, 10).map((l) => `    ${l.slice(0, 300)}`));
  }
  const server = serverCpu(r.pipeline.cpuUs);
  const otherUs = r.pipeline.cpuUs.other ?? 0;
  if (otherUs > 0.15 * server) {
    problems.push(`run ${r.run}: NOISY — processes outside the benchmark used ${otherUs.toFixed(1)} µs/msg of CPU (${((100 * otherUs) / server).toFixed(0)} % of the server-side total)`);
  }
  const baselineOther = r.baseline?.cpuUs.other ?? 0;
  const baselineOurs = (r.baseline?.cpuUs.mosquitto ?? 0) + (r.baseline?.cpuUs.loadgen ?? 0);
  if (baselineOther > 0.15 * baselineOurs) {
    problems.push(`run ${r.run}: NOISY baseline — other processes used ${baselineOther.toFixed(1)} µs/msg of CPU (${((100 * baselineOther) / baselineOurs).toFixed(0)} % of mosquitto + load generator)`);
  }
  return problems;
}
