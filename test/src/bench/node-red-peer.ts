// The flow-based peer of the benchmark: Node-RED 4 with the InfluxDB nodes, from test/bench-peer/node-red
// (its own package.json and package-lock, not an npm workspace: `npm ci` at the root never installs it).
// The benchmark installs it on demand (`npm ci --prefix test/bench-peer/node-red`) and runs it from a
// fresh temporary user directory with the folder's settings.json (no editor, no admin API, no HTTP
// server, no telemetry) and a copy of its flows.json. Connection settings reach the flow through the
// environment (`${MQTT_HOST}` etc. in the nodes' properties); the TSDB token, a credential, is written
// from INFLUX_TOKEN into the user directory's plain credentials file (credentialSecret false).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, type RunningProcess } from '../harness/pipeline.js';
import { hasExited, stopChild } from './pipeline-process.js';

export const PEER_DIR = path.join(REPO_ROOT, 'test', 'bench-peer', 'node-red');
const RED_JS = path.join(PEER_DIR, 'node_modules', 'node-red', 'red.js');
/** The flow's TSDB config node, whose `token` credential the benchmark writes. */
const TSDB_NODE_ID = 'bench-tsdb';

interface PackageJson {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

const readPackage = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/** The pinned versions of the peer's package.json. */
export function peerVersions(): Readonly<Record<string, string>> {
  return readPackage(path.join(PEER_DIR, 'package.json')).dependencies ?? {};
}

/** True when every pinned dependency is installed at its pinned version. */
function installed(): boolean {
  return Object.entries(peerVersions()).every(([name, version]) => {
    const file = path.join(PEER_DIR, 'node_modules', name, 'package.json');
    return existsSync(file) && readPackage(file).version === version;
  });
}

/** Installs the peer from its package-lock when it is missing or at other versions (needs the npm registry). */
export function ensureNodeRed(log: (message: string) => void): void {
  if (installed()) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  log(`installing the flow-based peer: npm ci --prefix ${path.relative(process.cwd(), PEER_DIR) || '.'} (once; ${Object.entries(peerVersions()).map(([n, v]) => `${n}@${v}`).join(', ')})`);
  execFileSync(npm, ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund', '--loglevel', 'error'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!installed()) throw new Error(`the flow-based peer is not installed in ${PEER_DIR} after npm ci`);
}

export interface NodeRedSettings {
  readonly mqttUrl: string;
  readonly clientId: string;
  readonly influxUrl: string;
  readonly influxToken: string;
  readonly influxOrg: string;
  readonly influxBucket: string;
}

export interface NodeRed {
  readonly run: RunningProcess;
  readonly pid: number | undefined;
  /** Everything it printed. */
  log(): string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node red.js ARGS` with exactly `env` (plus PATH), output captured. */
function spawnNodeRed(args: readonly string[], env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [RED_JS, ...args], { cwd: PEER_DIR, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, output: () => ({ stdout, stderr }), exit };
}

/** Starts Node-RED on the peer's flow and waits until its MQTT-in node is connected (then 0.5 s for the subscription). */
export async function startNodeRed(settings: NodeRedSettings): Promise<NodeRed> {
  const userDir = await mkdtemp(path.join(os.tmpdir(), 'neurolift-bench-node-red-'));
  const flowFile = path.join(userDir, 'flows.json');
  await copyFile(path.join(PEER_DIR, 'flows.json'), flowFile);
  await writeFile(path.join(userDir, 'flows_cred.json'), JSON.stringify({ [TSDB_NODE_ID]: { token: settings.influxToken } }));
  const broker = new URL(settings.mqttUrl);
  const run = spawnNodeRed(['--userDir', userDir, '--settings', path.join(PEER_DIR, 'settings.json'), flowFile], {
    HOME: userDir,
    NODE_RED_DISABLE_TELEMETRY: '1',
    MQTT_HOST: broker.hostname,
    MQTT_PORT: broker.port,
    MQTT_CLIENT_ID: settings.clientId,
    INFLUX_URL: settings.influxUrl,
    INFLUX_ORG: settings.influxOrg,
    INFLUX_BUCKET: settings.influxBucket,
  });
  const log = () => `${run.output().stdout}${run.output().stderr}`;
  const cleanUp = async () => {
    await stopChild(run);
    await rm(userDir, { recursive: true, force: true });
  };
  const startedAt = performance.now();
  for (;;) {
    if (hasExited(run)) {
      await cleanUp();
      throw new Error(`Node-RED exited during start:\n${log().slice(-3000)}`);
    }
    if (/Connected to broker/.test(log()) && /Started flows/.test(log())) break;
    if (performance.now() - startedAt > 60_000) {
      await cleanUp();
      throw new Error(`Node-RED not connected to the broker after 60 s:\n${log().slice(-3000)}`);
    }
    await sleep(100);
  }
  await sleep(500);
  return { run, pid: run.child.pid, log, stop: async () => { const exit = await stopChild(run); await rm(userDir, { recursive: true, force: true }); return exit; } };
}
