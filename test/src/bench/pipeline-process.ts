// The all-in-one pipeline as a child process: start it (optionally with node diagnostics options),
// wait until it is ready, stop it, and read its log.
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnNode, type RunningProcess } from '../harness/pipeline.js';

export const PIPELINE_MAIN = 'services/pipeline/dist/main.js';

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** `node [nodeArgs] PIPELINE_MAIN` with exactly `env` (plus PATH), output captured. */
export function spawnPipeline(env: Record<string, string>, nodeArgs: readonly string[]): RunningProcess {
  return spawnNode(PIPELINE_MAIN, env, nodeArgs);
}

export const hasExited = (run: RunningProcess) => run.child.exitCode !== null || run.child.signalCode !== null;

/** Polls GET /readyz; fails when the process exits first or is not ready after 30 s. */
export async function waitUntilReady(run: RunningProcess, apiUrl: string): Promise<void> {
  const startedAt = performance.now();
  for (;;) {
    if (hasExited(run)) throw new Error(`pipeline exited during start:\n${run.output().stderr}${run.output().stdout}`);
    const ok = await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (performance.now() - startedAt > 30_000) throw new Error('pipeline not ready after 30 s');
    await sleep(100);
  }
}

/** SIGTERM, then SIGKILL after 15 s. */
export async function stopChild(run: RunningProcess): Promise<Exit> {
  if (hasExited(run)) return run.exit;
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
  const exit = await run.exit;
  clearTimeout(timer);
  return exit;
}

/** Every line printed so far; Pino lines carry "time" (epoch ms), so they get the seconds since `t0Epoch` as a prefix. */
export function logLines(run: RunningProcess, t0Epoch: number): string[] {
  const { stdout, stderr } = run.output();
  return `${stderr}\n${stdout}`.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const time = /"time":(\d+)/.exec(l)?.[1];
    return time === undefined ? l : `[t0${Number(time) >= t0Epoch ? '+' : ''}${((Number(time) - t0Epoch) / 1000).toFixed(2)} s] ${l}`;
  });
}
