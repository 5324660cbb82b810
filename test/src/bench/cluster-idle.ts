// The cost at rest of bench-cluster: one worker (or alerts) process alone, idle, with S = 1 or S shards: its
// CPU, the Redis nodes' CPU, and the connections it holds on the nodes (CLIENT LIST).
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv, spawnNode, type RunningProcess } from '../harness/pipeline.js';
import { groupSeconds, loadAverage, message } from './cluster-cpu.js';
import type { RedisNode, Stack } from './cluster-stack.js';
import { DEPLOYED_NODE_ARGS, stopChild, waitUntilReady } from './pipeline-process.js';
import { cpuSnapshot, rssBytes } from './proc-stats.js';

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
