// Redis: command-line config (AOF durability, no eviction); ready once it answers PING.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BINARIES } from './packages.mjs';
import { probeTcp } from './ports.mjs';

/** True once Redis answers PING with +PONG (while loading the AOF it answers -LOADING). @param {number} port */
function redisPong(port) {
  return probeTcp(port, (socket, done) => {
    let reply = '';
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (d) => { reply += d; if (reply.includes('\r\n')) done(reply.startsWith('+PONG')); });
  });
}

/**
 * @param {string} dir @param {number} port @param {readonly string[]} extraArgs appended to the command line
 * @returns {import('./process-handle.mjs').ServerSpec}
 */
export function redisSpec(dir, port, extraArgs) {
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
