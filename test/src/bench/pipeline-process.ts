// The pipeline as child processes (the all-in-one, or one process per service): start them (optionally
// with node diagnostics options), wait until they are ready, stop them, and read their logs.
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnNode, type RunningProcess } from '../harness/pipeline.js';

export const PIPELINE_MAIN = 'services/pipeline/dist/main.js';

/**
 * The heap cap every service runs with where it is deployed (the Dockerfile's NODE_OPTIONS, `npm run
 * start:pipeline`; decision 0016): the benchmarks measure what runs.
 */
export const DEPLOYED_NODE_ARGS: readonly string[] = ['--max-old-space-size=176'];

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** `node [nodeArgs] PIPELINE_MAIN` with exactly `env` (plus PATH), output captured. */
export function spawnPipeline(env: Record<string, string>, nodeArgs: readonly string[]): RunningProcess {
  return spawnNode(PIPELINE_MAIN, env, [...DEPLOYED_NODE_ARGS, ...nodeArgs]);
}

export const hasExited = (run: RunningProcess) => run.child.exitCode !== null || run.child.signalCode !== null;

/** Polls GET /readyz; fails when the process exits first or is not ready after 30 s. */
export async function waitUntilReady(run: RunningProcess, apiUrl: string): Promise<void> {
  const startedAt = performance.now();
  for (;;) {
    if (hasExited(run)) throw new Error(`pipeline process exited during start:\n${run.output().stderr}${run.output().stdout}`);
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

/**
 * How the pipeline runs: `all-in-one` is one process (ingest, worker, alerts and api on one event loop);
 * `services` is the compose stack's shape, one process each for ingest, the stimulus worker and alerts
 * (the api serves no part of the measured path, so it is left out).
 */
export type Topology = 'all-in-one' | 'services';
const TOPOLOGIES: readonly Topology[] = ['all-in-one', 'services'];

/** The --topology flag's value, or an error that lists the allowed ones. */
export function parseTopology(text: string): Topology {
  const topology = TOPOLOGIES.find((name) => name === text);
  if (topology === undefined) throw new Error(`--topology must be one of ${TOPOLOGIES.join(', ')} (got "${text}")`);
  return topology;
}

/** One process of the pipeline and where its /metrics and /readyz are served. */
export interface PipelinePart {
  readonly name: string;
  readonly run: RunningProcess;
  readonly url: string;
}

const SERVICE_MAINS = [
  { name: 'ingest', script: 'services/ingest/dist/main.js' },
  { name: 'worker', script: 'services/stimulus/dist/main.js' },
  { name: 'alerts', script: 'services/alerts/dist/main.js' },
] as const;

/**
 * Starts the pipeline in the given topology with `env` (the all-in-one's settings; each service reads
 * the ones it knows) and waits until every part is ready. `ports` gives each part its HTTP port.
 */
export async function startPipelineParts(topology: Topology, env: Record<string, string>, nodeArgs: readonly string[], ports: () => Promise<number>): Promise<PipelinePart[]> {
  const parts: PipelinePart[] = [];
  try {
    if (topology === 'all-in-one') {
      const port = await ports();
      parts.push({ name: 'pipeline', run: spawnPipeline({ ...env, API_PORT: String(port) }, nodeArgs), url: `http://127.0.0.1:${port}` });
    } else {
      for (const { name, script } of SERVICE_MAINS) {
        const port = await ports();
        parts.push({ name, run: spawnNode(script, { ...env, METRICS_PORT: String(port) }, [...DEPLOYED_NODE_ARGS, ...nodeArgs]), url: `http://127.0.0.1:${port}` });
      }
    }
    for (const part of parts) await waitUntilReady(part.run, part.url);
    return parts;
  } catch (error) {
    await Promise.all(parts.map((part) => stopChild(part.run)));
    throw error;
  }
}
