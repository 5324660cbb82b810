// Helpers shared by the cross-service tests: the pipeline started in-process or as child processes,
// a device publisher, and readers for what ended up in the TSDB and the dead-letter store.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createLogger, createRegistry, loadConfig } from '@neurolift/platform';
import { PipelineConfigSchema, startPipeline, type Pipeline } from '@neurolift/pipeline';
import mqtt, { type MqttClient } from 'mqtt';
import type { LocalServicesEnv } from './servers.js';

export const API_TOKEN = 'test-token-0123456789abcdef';
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type ServerEnv = LocalServicesEnv<'mosquitto' | 'redis' | 'victoria-metrics'>;

/** Environment for the pipeline against the harness servers; unique client id and prefix per test file. */
export function pipelineEnv(servers: ServerEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...servers,
    API_PORT: '0',
    API_TOKEN,
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    // Test devices publish far faster than real stations; the rate limit has its own test.
    INGEST_STATION_RATE_PER_S: '1000000',
    INGEST_STATION_BURST: '1000000',
    ...extra,
  };
}

export async function startTestPipeline(env: Record<string, string>): Promise<Pipeline> {
  const config = loadConfig('pipeline', PipelineConfigSchema, env);
  return startPipeline(config, createLogger({ name: 'test', level: env.LOG_LEVEL ?? 'warn' }), createRegistry({ defaultMetrics: false }));
}

/** A test device: plain MQTT.js publisher at QoS 1 (what firmware does). */
export async function connectDevice(url: string, clientId = `dev-${Math.random().toString(36).slice(2)}`): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, protocolVersion: 5, reconnectPeriod: 200 });
}

export interface RepInput {
  ts: number;
  athleteId?: string;
  setId: string;
  exercise?: string;
  repIndex: number;
  loadKg?: number;
  meanVelocity: number;
  concentricMs?: number;
  eccentricMs?: number;
}

export function repPayload(rep: RepInput): string {
  return JSON.stringify({ v: 1, athleteId: 'ath-1', exercise: 'back_squat', loadKg: 100, ...rep });
}

export async function publishRep(client: MqttClient, gym: string, station: string, rep: RepInput): Promise<void> {
  await client.publishAsync(`gym/v1/${gym}/${station}/rep`, repPayload(rep), { qos: 1 });
}

export async function getJson<T>(url: string, token = API_TOKEN): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

export interface DeadLetterList {
  total: number;
  byReason: Record<string, number>;
  items: Array<{ topic: string; reason: string; detail: string; payload: string; receivedAt: string }>;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process exits. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `node [nodeArgs] <script>` from the repository root with exactly the given environment (plus
 * PATH). Node options such as `--cpu-prof` go in `nodeArgs`: NODE_OPTIONS does not allow them.
 */
export function spawnNode(script: string, env: Record<string, string>, nodeArgs: readonly string[] = []): RunningProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, output: () => ({ stdout, stderr }), exit };
}
