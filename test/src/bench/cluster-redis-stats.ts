// What the Redis masters did during a run: INFO commandstats per set, and their user and system CPU from /proc.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { RedisNode } from './cluster-stack.js';
import { CLOCK_TICKS } from './proc-stats.js';

/** Commands the masters ran per set, the time Redis accounts to executing them (usec), and the top commands by time. */
export interface CommandFigures {
  readonly callsPerSet: number;
  readonly execMsPerSet: number;
  /** `name calls/set µs/set`, the five dearest. */
  readonly top: string[];
}

type CommandTotals = Map<string, { calls: number; usec: number }>;

/** INFO commandstats summed over the masters. */
export async function commandStats(nodes: readonly RedisNode[]): Promise<CommandTotals> {
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

export function commandDelta(before: CommandTotals, after: CommandTotals, sets: number): CommandFigures {
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
export function userSysSeconds(nodes: readonly RedisNode[]): { user: number; sys: number } {
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
