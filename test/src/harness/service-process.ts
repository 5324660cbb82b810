// One pipeline service as a real child process (`node services/<name>/dist/main.js`) that a fault test
// can kill, freeze and restart, with its health and metrics endpoint and its memory as the kernel sees it.
import { readFile } from 'node:fs/promises';
import { spawnNode, type RunningProcess } from './pipeline.js';
import { waitFor } from './servers.js';

export interface ServiceProcess {
  readonly name: string;
  /** Where /readyz and /metrics answer (METRICS_PORT, or API_PORT for the api). */
  readonly healthUrl: string;
  readonly pid: number | undefined;
  /** Spawns it and waits for /readyz. */
  start(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP / SIGCONT. */
  pause(): void;
  resume(): void;
  /** Prometheus text of /metrics. */
  metrics(): Promise<string>;
  /** The last few KB of what it printed, for failure messages. */
  logTail(): string;
}

export function createServiceProcess(name: string, script: string, env: Record<string, string>, healthUrl: string): ServiceProcess {
  let running: RunningProcess | undefined;
  let log = '';
  return {
    name,
    healthUrl,
    get pid() {
      return running?.child.exitCode === null && running.child.signalCode === null ? running.child.pid : undefined;
    },
    async start() {
      const proc = spawnNode(script, env);
      running = proc;
      void proc.exit.then(({ code, signal }) => {
        const { stdout, stderr } = proc.output();
        log += `${stdout}${stderr}[${name} exited: code ${code}, signal ${signal}]\n`;
      });
      await waitFor(async () => ((await fetch(`${healthUrl}/readyz`)).ok ? true : undefined), { what: `${name} to be ready`, timeoutMs: 30_000, intervalMs: 100 });
    },
    async kill(signal = 'SIGKILL') {
      const proc = running;
      if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
      proc.child.kill(signal);
      if (signal !== 'SIGKILL') proc.child.kill('SIGCONT');
      await proc.exit;
    },
    pause: () => running?.child.kill('SIGSTOP'),
    resume: () => running?.child.kill('SIGCONT'),
    async metrics() {
      const res = await fetch(`${healthUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.text();
    },
    logTail() {
      const { stdout, stderr } = running?.output() ?? { stdout: '', stderr: '' };
      return `${log}${stdout}${stderr}`.slice(-4000);
    },
  };
}

/** The sum of every sample of a metric (all label sets) in Prometheus text, or undefined when absent. */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (!Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) continue;
    sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

/** Resident memory of a process (VmRSS of /proc/<pid>/status), bytes. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}
