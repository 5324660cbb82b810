// The queue worker's watchdog (packages/storage queue-worker.ts), on a real Redis. On a Redis Cluster a
// failover once left a BullMQ worker taking no job while jobs waited, with the process up (decision 0022).
// A stuck fetch loop is made here by a TCP proxy that freezes the worker's blocking connection: it stays
// open and nothing comes back. The watchdog must notice (jobs wait, none runs, none fetched for stallMs)
// and replace the worker, whose fresh blocking connection is forwarded again.
//
// What this does not show: that nothing else would recover. BullMQ 6 races its own BZPOPMIN against a
// timer and resets the blocking connection after its block timeout + 1 s (about 6 s here); the watchdog
// fires first only because stallMs is 1 s in this test (20 s in the services). Without the watchdog this
// test fails on the replacement count. The hang met on the cluster outlasted that guard (until a restart).
import { createLogger, createRegistry, Counter, Gauge } from '@neurolift/platform';
import { createRedisConnection, startQueueWorker, type QueueWorker, type RedisClient } from '@neurolift/storage';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';
import { startTcpLinkProxy, type TcpLinkProxy } from './harness/tcp-link-proxy.js';

const QUEUE = 'watchdog-test';
const PREFIX = '{wd}';
const STALL_MS = 1000;

let servers: LocalServices<'redis'>;
let proxy: TcpLinkProxy;
let viaProxy: RedisClient;
let direct: RedisClient;
let queue: Queue;
let worker: QueueWorker | undefined;

beforeAll(async () => {
  servers = await startServers({ services: ['redis'] });
  const url = new URL(servers.env.REDIS_URL);
  proxy = await startTcpLinkProxy({ host: url.hostname, port: Number(url.port) });
  viaProxy = createRedisConnection({ url: `redis://127.0.0.1:${proxy.port}`, cluster: false, name: 'watchdog-worker', retryForever: true });
  direct = createRedisConnection({ url: servers.env.REDIS_URL, cluster: false, name: 'watchdog-producer' });
  queue = new Queue(QUEUE, { connection: direct, prefix: PREFIX });
});

afterAll(async () => {
  await worker?.close();
  await queue?.close();
  viaProxy?.disconnect();
  direct?.disconnect();
  await proxy?.close();
  await servers?.stop();
});

function queueMetrics() {
  const registry = createRegistry();
  return {
    jobs: new Counter({ name: 'jobs', help: 'jobs', labelNames: ['queue', 'outcome'] as const, registers: [registry] }),
    errors: new Counter({ name: 'errors', help: 'errors', labelNames: ['code'] as const, registers: [registry] }),
    received: new Counter({ name: 'received', help: 'received', labelNames: ['queue'] as const, registers: [registry] }),
    inFlight: new Gauge({ name: 'in_flight', help: 'in flight', labelNames: ['queue'] as const, registers: [registry] }),
  };
}

it('replaces a worker whose fetch loop waits on a connection that never answers, and the waiting job is processed', async () => {
  const processed: number[] = [];
  let replaced = 0;
  await viaProxy.ping(); // the worker's shared connection: link 0
  const sharedLinks = proxy.links().length;
  worker = startQueueWorker({
    queue: QUEUE,
    schema: z.object({ n: z.number() }),
    process: async ({ n }) => void processed.push(n),
    connection: viaProxy,
    prefix: PREFIX,
    concurrency: 1,
    deadLetters: { add: async () => undefined },
    metrics: queueMetrics(),
    logger: createLogger({ name: 'watchdog-test', level: 'warn' }),
    watchdog: { intervalMs: 100, stallMs: STALL_MS, onReplaced: () => replaced++ },
  });
  await worker.waitUntilReady();

  await queue.add('job', { n: 1 });
  await waitFor(async () => processed.includes(1) || undefined, { what: 'job 1 processed' });
  const workerLinks = proxy.links().slice(sharedLinks);
  expect(workerLinks.length, 'the worker opened its blocking connection').toBeGreaterThan(0);

  // Its blocking connection (and any other it opened) goes silent: the fetch loop waits.
  for (const link of workerLinks) link.freeze();
  await queue.add('job', { n: 2 });
  await waitFor(async () => processed.includes(2) || undefined, { what: 'job 2 processed by the replacement', timeoutMs: 20_000 });
  expect(replaced).toBe(1);
  expect(proxy.links().length, 'the replacement opened a connection of its own').toBeGreaterThan(sharedLinks + workerLinks.length);

  // The replacement keeps taking jobs, and an idle queue is no reason to replace it again.
  await queue.add('job', { n: 3 });
  await waitFor(async () => processed.includes(3) || undefined, { what: 'job 3 processed' });
  expect(processed).toEqual([1, 2, 3]);
  expect(replaced).toBe(1);
});
