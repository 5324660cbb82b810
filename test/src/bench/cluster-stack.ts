// The servers of one bench-cluster run on fresh servers: Mosquitto, VictoriaMetrics, and one plain Redis or a
// real Redis Cluster (test/src/harness/redis-cluster.ts: redis-server nodes, AOF everysec).
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import type { LocalServices } from '../harness/servers.js';
import { startBenchServers } from './bench-servers.js';

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
