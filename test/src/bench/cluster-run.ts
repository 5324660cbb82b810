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
//
// The parts: cluster-stack.ts (the servers of each case), cluster-load-run.ts (one loaded run),
// cluster-quiet-probe.ts, cluster-redis-stats.ts (commandstats, the masters' user/system CPU), cluster-cpu.ts
// (CPU by process group), metric-histogram.ts, cluster-idle.ts (the cost at rest).
export { describeShape, startStack, type RedisNode, type RedisShape, type Stack } from './cluster-stack.js';
export { runLoad, type LoadRunResult, type LoadRunSettings } from './cluster-load-run.js';
export type { ProbeResult } from './cluster-quiet-probe.js';
export type { CommandFigures } from './cluster-redis-stats.js';
export { histogramQuantileMs } from './metric-histogram.js';
export { clientCounts, redisAlone, redisCpuSeconds, runIdle, type ClientCounts, type IdleResult, type IdleService } from './cluster-idle.js';
