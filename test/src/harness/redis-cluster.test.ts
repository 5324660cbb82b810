// The cluster harness itself: 3 masters with one in-sync replica each; a killed master's replica takes
// over (with the data it had acknowledged); the killed node, restarted, rejoins as that replica's replica.
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLUSTER_SLOTS, startRedisCluster, type RedisCluster } from './redis-cluster.js';

let cluster: RedisCluster;
let client: Cluster;
const timings: Record<string, number> = {};

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - start;
  }
}

async function replication(port: number): Promise<string> {
  const node = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await node.connect();
    return await node.info('replication');
  } finally {
    node.disconnect();
  }
}

beforeAll(async () => {
  cluster = await timed('start 3+3', () => startRedisCluster({ masters: 3, replicasPerMaster: 1 }));
  client = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 3 } });
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
  console.log(`[redis-cluster harness] ${JSON.stringify(timings)}`);
});

it('has 3 masters covering every slot, each with one in-sync replica', async () => {
  const nodes = await cluster.nodes();
  expect(nodes).toHaveLength(6);
  const masters = await cluster.masters();
  expect(masters).toHaveLength(3);
  expect(masters.flatMap((m) => m.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0)).toBe(CLUSTER_SLOTS);
  for (const master of masters) {
    const replicas = await cluster.replicasOf(master.port);
    expect(replicas.map((r) => r.masterPort)).toEqual([master.port]);
    const info = await replication(replicas[0]!.port);
    expect(info).toContain('master_link_status:up');
    expect(info).toContain(`master_port:${master.port}`);
  }
  expect(nodes.every((node) => node.alive && node.id === cluster.idOf(node.port))).toBe(true);
});

it('knows which master holds a key', async () => {
  for (const key of ['{nl:0}:a', '{nl:1}:a', '{nl:7}:a', 'plain']) {
    await client.set(key, 'v');
    const master = await cluster.masterOfKey(key);
    expect(master.role).toBe('master');
    const node = new Redis({ port: master.port });
    try {
      expect(await node.get(key)).toBe('v'); // a non-owner would answer -MOVED
    } finally {
      node.disconnect();
    }
  }
});

it('promotes the replica of a killed master, and the restarted node rejoins as its replica', async () => {
  const key = '{nl:3}:failover';
  const old = await cluster.masterOfKey(key);
  const [replica] = await cluster.replicasOf(old.port);
  // Acknowledged by the replica before the crash: must survive the failover.
  await client.set(key, 'before');
  const master = new Redis({ port: old.port });
  expect(await master.call('WAIT', 1, 2000)).toBe(1);
  master.disconnect();

  await cluster.killNode(old.port);
  const promoted = await timed('failover', () => cluster.waitForFailover(old.port));
  expect(promoted.id).toBe(replica!.id);
  expect(promoted.port).toBe(replica!.port);
  expect(timings.failover).toBeLessThan(15_000);
  expect((await cluster.masterOfKey(key)).port).toBe(replica!.port);
  expect(await client.get(key)).toBe('before');
  expect((await cluster.nodes()).find((n) => n.port === old.port)).toMatchObject({ alive: false });

  const rejoined = await timed('restart and rejoin', () => cluster.restartNode(old.port));
  expect(rejoined).toMatchObject({ id: old.id, role: 'replica', masterId: promoted.id, masterPort: promoted.port, alive: true });
  expect(await replication(old.port)).toContain('master_link_status:up');
  expect(timings['restart and rejoin']).toBeLessThan(15_000);
}, 60_000);
