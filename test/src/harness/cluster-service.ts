// One service of the cluster pipeline as a child process (health URL, whole output, SIGKILL, restart), and
// its warnings in short.
import { freePort } from '../../../infra/local-services.mjs';
import { spawnNode, type RunningProcess } from './pipeline.js';
import { waitFor } from './servers.js';

/** One service as a child process: its health URL, its whole output (not a tail), SIGKILL. */
export interface ClusterService {
  readonly name: string;
  readonly healthUrl: string;
  /** Everything it printed (JSON log lines at LOG_LEVEL), stdout then stderr. */
  output(): string;
  /** Its log lines at level warn (40) and above, parsed (other lines kept as text). */
  warnings(): Array<Record<string, unknown> | string>;
  kill(): Promise<void>;
  /** SIGKILL, then the same process again (same environment and port), resolved once ready. */
  restart(): Promise<void>;
}

export async function service(name: string, script: string, env: Record<string, string>): Promise<ClusterService> {
  const port = await freePort();
  const healthUrl = `http://127.0.0.1:${port}`;
  let proc: RunningProcess | undefined;
  /** What earlier runs of it (before a restart) printed. */
  let earlier = '';
  const current = () => {
    const { stdout, stderr } = proc?.output() ?? { stdout: '', stderr: '' };
    return `${stdout}${stderr}`;
  };
  const output = () => `${earlier}${current()}`;
  const kill = async () => {
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.child.kill('SIGKILL');
    await proc.exit;
  };
  const start = async () => {
    if (proc) earlier += current();
    proc = spawnNode(script, { ...env, METRICS_PORT: String(port) });
    try {
      await waitFor(async () => ((await fetch(`${healthUrl}/readyz`)).ok ? true : undefined), { what: `${name} to be ready`, timeoutMs: 30_000, intervalMs: 100 });
    } catch (error) {
      await kill();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${current().slice(-4000)}`);
    }
  };
  await start();
  return {
    name,
    healthUrl,
    output,
    warnings: () =>
      output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line): Record<string, unknown> | string => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return line;
          }
        })
        // Plain lines too (a crash's stack), but not a DEBUG trace's (`<time> ioredis:…` and its continuations).
        .filter((entry) => (typeof entry === 'string' ? !/^(\s|[\]}]|\d{4}-\d\d-\d\dT\S+ \S+:)/.test(entry) : Number(entry.level) >= 40)),
    kill,
    async restart() {
      await kill();
      await start();
    },
  };
}

/** A log line in short: time, service, message, error type and message. */
export function shortLine(service: string, entry: Record<string, unknown> | string): string {
  if (typeof entry === 'string') return `${service}: ${entry.slice(0, 300)}`;
  const err = entry.err as { type?: string; message?: string } | undefined;
  const rest = Object.entries(entry)
    .filter(([key]) => !['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err'].includes(key))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  return `${new Date(Number(entry.time)).toISOString().slice(11, 23)} ${service} [${String(entry.level)}] ${String(entry.msg)}${err ? `: ${err.type ?? ''} ${err.message ?? ''}` : ''}${rest ? ` ${rest}` : ''}`;
}

/** Every service's warnings and errors from `since` (epoch ms), one short line each, repeats counted. */
export function warningSummary(services: readonly ClusterService[], since = 0): string[] {
  const counts = new Map<string, { first: string; last: number; n: number }>();
  for (const svc of services) {
    for (const entry of svc.warnings()) {
      if (typeof entry !== 'string' && Number(entry.time) < since) continue;
      const line = shortLine(svc.name, entry);
      const key = line.replace(/^\S+ /, '').slice(0, 200);
      const at = typeof entry === 'string' ? 0 : Number(entry.time);
      const seen = counts.get(key);
      if (seen) [seen.n, seen.last] = [seen.n + 1, at];
      else counts.set(key, { first: line, last: at, n: 1 });
    }
  }
  return [...counts.values()].map(({ first, last, n }) => (n > 1 ? `${first} (×${n}, last at ${new Date(last).toISOString().slice(11, 23)})` : first));
}
