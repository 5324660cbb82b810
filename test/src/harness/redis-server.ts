// A Redis with a password on its `default` user, configured like the harness's (AOF everysec, no RDB,
// noeviction) and like production (docker-compose.yml: `--requirepass`, because Redis 7.0–7.4 drop
// MULTI/EXEC during AOF replay when `default` is disabled). The harness's own Redis cannot take a
// password: its readiness probe sends PING unauthenticated and waits for +PONG, which a password-protected
// Redis answers with -NOAUTH, so start() would time out.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../../infra/local-services.mjs';
import { waitFor } from './servers.js';

const REDIS_BIN = '/usr/bin/redis-server';

export interface RedisServer {
  /** redis://:<password>@127.0.0.1:<port>, what REDIS_URL gets. */
  readonly url: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  /** Starts and waits until an authenticated PING answers (after the AOF is loaded). */
  start(): Promise<void>;
  /** SIGTERM (Redis fsyncs the AOF and exits) and wait. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL: a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  pause(): void;
  resume(): void;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** True once `AUTH <password>` and `PING` are both answered (+OK, +PONG); false while loading or down. */
function authenticatedPong(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(`*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n*1\r\n$4\r\nPING\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.split('\r\n').length >= 3) done(reply.startsWith('+OK\r\n+PONG'));
    });
  });
}

export async function createRedisServer(options: { dir: string; password: string; extraArgs?: readonly string[] }): Promise<RedisServer> {
  const port = await freePort();
  const dataDir = path.join(options.dir, 'redis-auth');
  const logFile = path.join(options.dir, 'redis-auth.log');
  await mkdir(dataDir, { recursive: true });
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
    '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction',
    '--requirepass', options.password,
    '--daemonize', 'no', '--logfile', logFile,
    ...(options.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;
  let exited = Promise.resolve();

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    if (signal !== 'SIGKILL') proc.kill('SIGCONT');
    await exited;
  };

  return {
    url: `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    logFile,
    async start() {
      if (child) return;
      const fd = openSync(logFile, 'a');
      const proc = spawn(REDIS_BIN, args, { cwd: options.dir, stdio: ['ignore', fd, fd], detached: true });
      closeSync(fd);
      child = proc;
      live.add(proc);
      exited = new Promise<void>((resolve) => proc.once('exit', () => resolve())).then(() => {
        live.delete(proc);
        if (child === proc) child = undefined;
      });
      await waitFor(async () => ((await authenticatedPong(port, options.password)) ? true : undefined), { what: `redis on ${port} (log ${logFile})`, timeoutMs: 20_000 });
    },
    stop: () => kill('SIGTERM'),
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}
