// CPU accounting of a bench-cluster run: /proc snapshots summed into the bench's process groups.
import os from 'node:os';
import type { RedisNode } from './cluster-stack.js';
import { cpuDelta, type CpuSnapshot } from './proc-stats.js';

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
export const loadAverage = () => os.loadavg().map((v) => Number(v.toFixed(2)));

/** CPU seconds between two snapshots, summed into the bench's groups. */
export function groupSeconds(a: CpuSnapshot, b: CpuSnapshot, nodes: readonly RedisNode[]): { groups: Record<string, number>; byNode: Record<string, number>; wallS: number } {
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

export const scaled = (seconds: Record<string, number>, factor: number): Record<string, number> =>
  Object.fromEntries(Object.entries(seconds).map(([name, value]) => [name, value * factor]));
