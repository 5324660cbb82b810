#!/usr/bin/env node
// Starts real Mosquitto, Redis and VictoriaMetrics servers on free ports in a fresh temporary folder,
// for the integration tests and the demo; `node infra/local-services.mjs` runs them until Ctrl-C.
// Plain Node.js (node:* only) so it runs before anything is built. Types: local-services.d.mts.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** @typedef {'mosquitto' | 'redis' | 'victoria-metrics'} ServiceName */

/** Debian package → the binary it installs (what we check for and run). */
const BINARIES = {
  mosquitto: '/usr/sbin/mosquitto',
  'redis-server': '/usr/bin/redis-server',
  'victoria-metrics': '/usr/bin/victoria-metrics',
};
/** @type {Record<ServiceName, keyof typeof BINARIES>} */
const PACKAGE_OF = { mosquitto: 'mosquitto', redis: 'redis-server', 'victoria-metrics': 'victoria-metrics' };
const ALL_SERVICES = /** @type {ServiceName[]} */ (['mosquitto', 'redis', 'victoria-metrics']);
const DIR_PREFIX = 'neurolift-';
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Children die with us. 'exit' handlers must be synchronous, so SIGKILL is all we can do there.
// A plain SIGINT/SIGTERM/SIGHUP does not emit 'exit', so we also catch those — but only when
// nobody else listens (the CLI below has its own graceful handler); then we re-raise the signal
// so the process still dies the default way. A parent killed with SIGKILL runs no handler at all:
// its orphans are reaped by the next run (reapLeftovers).
// ---------------------------------------------------------------------------------------------

/** @type {Set<import('node:child_process').ChildProcess>} */
const liveChildren = new Set();
function killChildrenSync() {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killChildrenSync);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  const onSignal = () => {
    if (process.listenerCount(signal) > 1) return; // someone else owns shutdown
    killChildrenSync();
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Asks the OS for a free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Our packages count as installed when their binary exists; others by dpkg. @param {string} pkg */
async function isInstalled(pkg) {
  if (pkg in BINARIES) return existsSync(BINARIES[/** @type {keyof typeof BINARIES} */ (pkg)]);
  const { code, out } = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg], 'pipe');
  return code === 0 && out.trim() === 'installed';
}

/**
 * @param {string} cmd @param {string[]} args @param {'inherit' | 'pipe'} stdio
 * @returns {Promise<{ code: number | null, out: string }>}
 */
function run(cmd, args, stdio) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', stdio, stdio], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.on('error', (err) => resolve({ code: null, out: String(err) }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * Makes sure the Debian packages are installed: as root installs the missing ones with apt-get
 * (running `apt-get update` only if the first attempt fails); otherwise throws with the command to run.
 * @param {string[]} pkgs
 */
export async function ensurePackages(pkgs) {
  const installed = await Promise.all(pkgs.map(isInstalled));
  const missing = pkgs.filter((_, i) => !installed[i]);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing ${missing.join(', ')}. Install with:\n  sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  console.error(`[local-services] apt-get ${install.join(' ')}`);
  if ((await run('apt-get', install, 'inherit')).code === 0) return;
  // Usually a stale or empty package list on a fresh machine.
  await run('apt-get', ['update'], 'inherit');
  const retry = await run('apt-get', install, 'inherit');
  if (retry.code !== 0) throw new Error(`apt-get ${install.join(' ')} failed (exit ${retry.code})`);
}

/** @param {string} file @param {number} [bytes] */
function logTail(file, bytes = 4000) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > bytes ? `…${text.slice(-bytes)}` : text || '(empty)';
  } catch {
    return '(no log)';
  }
}

/** True once a TCP connection to the port succeeds. @param {number} port */
function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.on('connect', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** True once Redis answers PING with +PONG (while loading the AOF it answers -LOADING). @param {number} port */
function redisPong(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (/** @type {boolean} */ ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (d) => { reply += d; if (reply.includes('\r\n')) done(reply.startsWith('+PONG')); });
    socket.on('error', () => done(false));
    socket.on('timeout', () => done(false));
  });
}

/** True once GET /health answers 200. @param {number} port */
async function httpHealthy(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Is `pid` running? A zombie (killed, not yet reaped by its parent) counts as dead. @param {number} pid */
function isAlive(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Does `pid` run inside `dir`? Servers are spawned with cwd `dir` (Redis then chdirs into its own
 * subfolder). Guards against reused pids; the command line is no use, as Redis rewrites its title.
 * @param {number} pid @param {string} dir
 */
function runsIn(pid, dir) {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === dir || cwd.startsWith(`${dir}/`);
  } catch {
    return false;
  }
}

/**
 * Kills servers left running in `dir` by a run whose owner died without cleaning up (e.g. SIGKILLed).
 * Each running server has `<dir>/<name>.pid`; the owning Node process has `<dir>/owner.pid`.
 * @param {string} dir @param {{ force?: boolean }} [opts] force: ignore whether the owner is alive
 * @returns {boolean} whether `dir` was left behind by a dead owner
 */
function killLeftovers(dir, { force = false } = {}) {
  let files;
  try { files = readdirSync(dir); } catch { return false; }
  if (!files.includes('owner.pid')) return false; // stopped cleanly (or not ours)
  const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
  if (!force && isAlive(owner)) return false; // its owner still runs (maybe us)
  for (const file of files.filter((f) => f.endsWith('.pid') && f !== 'owner.pid')) {
    const pid = Number(readFileSync(path.join(dir, file), 'utf8'));
    if (pid && runsIn(pid, dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* raced with its exit */ }
    }
  }
  return true;
}

/** Removes temp folders (and their servers) abandoned by earlier runs whose owner process is gone. */
function reapLeftovers() {
  let tmp, entries;
  try { tmp = realpathSync(os.tmpdir()); entries = readdirSync(tmp).filter((e) => e.startsWith(DIR_PREFIX)); } catch { return; }
  for (const entry of entries) {
    const dir = path.join(tmp, entry);
    if (killLeftovers(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Server handles
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} ServerSpec
 * @property {string} name
 * @property {string} bin
 * @property {string} url
 * @property {string} logFile
 * @property {() => Promise<string[]>} prepare creates folders/config and returns the argv
 * @property {() => Promise<boolean>} ready
 */

/**
 * @param {ServerSpec} spec
 * @param {number} port
 * @param {string} dir
 */
function createHandle(spec, port, dir) {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  /** @type {Promise<void>} */
  let exited = Promise.resolve();
  const pidFile = path.join(dir, `${spec.name}.pid`);

  const handle = {
    name: spec.name,
    port,
    url: spec.url,
    dir,
    logFile: spec.logFile,
    /** @returns {number | undefined} */
    get pid() { return child?.pid; },

    async start() {
      if (child) return;
      const args = await spec.prepare();
      // stdout/stderr go to the log file too: startup errors appear before a server opens its own log.
      const fd = openSync(spec.logFile, 'a');
      // Own process group: a terminal's Ctrl-C reaches only us, and we stop the servers in order.
      const proc = spawn(spec.bin, args, { cwd: dir, stdio: ['ignore', fd, fd], detached: true });
      closeSync(fd);
      child = proc;
      liveChildren.add(proc);
      /** @type {Error | undefined} */
      let spawnError;
      exited = new Promise((resolve) => {
        proc.on('error', (err) => { spawnError = err; resolve(); });
        proc.on('exit', () => resolve());
      }).then(() => {
        liveChildren.delete(proc);
        if (child === proc) child = undefined;
        try { unlinkSync(pidFile); } catch { /* never written */ }
      });
      if (proc.pid) writeFileSync(pidFile, String(proc.pid));

      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (child !== proc) {
          throw new Error(`${spec.name} exited during start${spawnError ? `: ${spawnError.message}` : ''}\n--- ${spec.logFile}\n${logTail(spec.logFile)}`);
        }
        if (await spec.ready()) return;
        if (Date.now() > deadline) {
          await handle.kill();
          throw new Error(`${spec.name} not ready on port ${port} after ${READY_TIMEOUT_MS} ms\n--- ${spec.logFile}\n${logTail(spec.logFile)}`);
        }
        await sleep(50);
      }
    },

    /** SIGTERM (graceful: Redis fsyncs the AOF, Mosquitto saves its db), SIGKILL after 10 s. */
    async stop() {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGTERM');
      proc.kill('SIGCONT'); // a paused process only acts on SIGTERM once continued
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },

    /** Sends `signal` (default SIGKILL: a crash) and waits for the exit. */
    async kill(/** @type {NodeJS.Signals} */ signal = 'SIGKILL') {
      const proc = child;
      if (!proc) return;
      proc.kill(signal);
      if (signal !== 'SIGKILL') proc.kill('SIGCONT');
      await exited;
    },

    /** Stop then start again on the same port and data folder. */
    async restart() {
      await handle.stop();
      await handle.start();
    },

    /** Freezes the process (SIGSTOP): the port stays open but nothing answers. */
    pause() { child?.kill('SIGSTOP'); },
    resume() { child?.kill('SIGCONT'); },
  };
  return handle;
}

/** @param {string} dir @param {number} port @param {string} extraConfig */
function mosquittoSpec(dir, port, extraConfig) {
  const dataDir = path.join(dir, 'mosquitto');
  const logFile = path.join(dir, 'mosquitto.log');
  const configFile = path.join(dir, 'mosquitto.conf');
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    // Started as root, mosquitto would switch to user `mosquitto`, which cannot write our folder.
    'user root',
    'persistence true',
    `persistence_location ${dataDir}/`,
    // With autosave_on_changes, autosave_interval counts changes: save the db after every change.
    'autosave_interval 1',
    'autosave_on_changes true',
    'max_inflight_messages 1000', // (0 would mean unlimited in 2.0 too)
    'max_queued_messages 1000000',
    `log_dest file ${logFile}`,
    'log_type error warning notice information',
    extraConfig,
  ].join('\n');
  return {
    name: 'mosquitto', bin: BINARIES.mosquitto, url: `mqtt://127.0.0.1:${port}`, logFile,
    async prepare() {
      await mkdir(dataDir, { recursive: true });
      await writeFile(configFile, `${config}\n`);
      return ['-c', configFile]; // foreground (no -d) so the pid is ours
    },
    ready: () => canConnect(port),
  };
}

/** @param {string} dir @param {number} port @param {string[]} extraArgs */
function redisSpec(dir, port, extraArgs) {
  const dataDir = path.join(dir, 'redis');
  const logFile = path.join(dir, 'redis.log');
  return {
    name: 'redis', bin: BINARIES['redis-server'], url: `redis://127.0.0.1:${port}`, logFile,
    async prepare() {
      await mkdir(dataDir, { recursive: true });
      return [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
        '--save', '', // no RDB snapshots; durability comes from the AOF
        '--appendonly', 'yes', '--appendfsync', 'everysec',
        '--maxmemory-policy', 'noeviction', // BullMQ requires it
        '--daemonize', 'no', '--logfile', logFile,
        ...extraArgs,
      ];
    },
    ready: () => redisPong(port),
  };
}

/** @param {string} dir @param {number} port */
function victoriaMetricsSpec(dir, port) {
  const logFile = path.join(dir, 'victoria-metrics.log'); // it logs to stderr only
  return {
    name: 'victoria-metrics', bin: BINARIES['victoria-metrics'], url: `http://127.0.0.1:${port}`, logFile,
    async prepare() {
      return [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${path.join(dir, 'vm')}`,
        '-retentionPeriod=100y',
        '-search.latencyOffset=0s', // fresh points are visible to queries at once
        // A point re-written with the same series and timestamp is kept once (checked by the tests).
        '-dedup.minScrapeInterval=1ms',
        '-search.disableCache', // tests rewrite past points; never answer from a stale response cache
        '-loggerLevel=ERROR',
      ];
    },
    ready: () => httpHealthy(port),
  };
}

// ---------------------------------------------------------------------------------------------
// Public entry point
// ---------------------------------------------------------------------------------------------

/**
 * Starts the requested servers (default: all three) in parallel.
 * @param {{ services?: ServiceName[], dir?: string, mosquittoExtraConfig?: string, redisExtraArgs?: string[], keepDir?: boolean }} [options]
 */
export async function startLocalServices(options = {}) {
  const services = options.services ?? ALL_SERVICES;
  await ensurePackages(services.map((s) => PACKAGE_OF[s]));
  reapLeftovers();
  let dir;
  if (options.dir) {
    await mkdir(options.dir, { recursive: true });
    dir = await realpath(options.dir); // real paths: runsIn() compares with /proc/<pid>/cwd
    killLeftovers(dir, { force: true }); // a reused data folder must not have two servers on it
  } else {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), DIR_PREFIX)));
  }
  await writeFile(path.join(dir, 'owner.pid'), String(process.pid));

  const handles = await Promise.all(services.map(async (service) => {
    const port = await freePort();
    switch (service) {
      case 'mosquitto': return createHandle(mosquittoSpec(dir, port, options.mosquittoExtraConfig ?? ''), port, dir);
      case 'redis': return createHandle(redisSpec(dir, port, options.redisExtraArgs ?? []), port, dir);
      case 'victoria-metrics': return createHandle(victoriaMetricsSpec(dir, port), port, dir);
      default: throw new Error(`unknown service ${String(service)}`);
    }
  }));
  const byName = (/** @type {string} */ name) => handles.find((h) => h.name === name);
  const mosquitto = byName('mosquitto');
  const redis = byName('redis');
  const victoriaMetrics = byName('victoria-metrics');

  async function stop() {
    await Promise.all(handles.map((h) => h.stop()));
    if (options.keepDir) await rm(path.join(dir, 'owner.pid'), { force: true });
    else await rm(dir, { recursive: true, force: true });
  }

  const results = await Promise.allSettled(handles.map((h) => h.start()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }

  return {
    dir,
    ...(mosquitto && { mosquitto }),
    ...(redis && { redis }),
    ...(victoriaMetrics && { victoriaMetrics }),
    env: {
      ...(mosquitto && { MQTT_URL: mosquitto.url }),
      ...(redis && { REDIS_URL: redis.url }),
      ...(victoriaMetrics && { INFLUX_URL: victoriaMetrics.url }),
      INFLUX_TOKEN: 'local', // VictoriaMetrics ignores the token, org and bucket
      INFLUX_ORG: 'neurolift',
      INFLUX_BUCKET: 'telemetry',
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

async function main() {
  if (process.argv.includes('--install-only')) {
    await ensurePackages(Object.keys(BINARIES));
    return;
  }
  const local = await startLocalServices();
  for (const [key, value] of Object.entries(local.env)) console.log(`export ${key}=${value}`);
  const servers = [local.mosquitto, local.redis, local.victoriaMetrics].filter((h) => h !== undefined);
  console.error(`[local-services] ${servers.map((h) => `${h.name} ${h.url}`).join(', ')} in ${local.dir}; Ctrl-C stops`);

  const keepAlive = setInterval(() => {}, 1 << 30); // signal listeners alone don't keep Node running
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await local.stop();
  console.error('[local-services] stopped');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
