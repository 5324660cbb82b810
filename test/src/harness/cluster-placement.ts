// Where the cluster pipeline's shards sit: one node's own connection, each shard's slot and master, each
// master's keys by shard, INFO fields and a replica's replication lag.
import type { ShardLayout } from '@neurolift/contracts';
import { Redis } from 'ioredis';
import { LAYOUT } from './cluster-layout.js';
import type { ClusterNode, RedisCluster } from './redis-cluster.js';

/** One plain connection to one node, closed after `work`. */
export async function onNode<T>(port: number, work: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await work(node);
  } finally {
    node.disconnect();
  }
}

export interface ShardPlace {
  readonly shard: number;
  readonly slot: number;
  readonly master: ClusterNode;
}

/** Each shard's slot and the master serving it. */
export async function shardPlaces(cluster: RedisCluster, layout: ShardLayout = LAYOUT): Promise<ShardPlace[]> {
  const out: ShardPlace[] = [];
  for (const [shard, prefix] of layout.prefixes.entries()) {
    const slot = await cluster.keySlot(prefix);
    out.push({ shard, slot, master: await cluster.masterOfSlot(slot) });
  }
  return out;
}

/** Shards per master port, every serving master listed. */
export async function shardsPerMaster(cluster: RedisCluster, layout: ShardLayout = LAYOUT): Promise<Map<number, number[]>> {
  const places = await shardPlaces(cluster, layout);
  const out = new Map<number, number[]>((await cluster.masters()).map((m) => [m.port, []]));
  for (const place of places) out.set(place.master.port, [...(out.get(place.master.port) ?? []), place.shard]);
  return out;
}

export interface MasterKeys {
  readonly port: number;
  readonly dbsize: number;
  /** Keys found by SCAN, by shard number. */
  readonly byShard: Map<number, number>;
  /** Keys under the control prefix `{nl}`. */
  readonly control: number;
  /** Keys of neither (none may exist). */
  readonly other: string[];
  /** CLUSTER COUNTKEYSINSLOT of each shard's slot, and of the control slot, on this master. */
  readonly inSlot: Map<number | 'control', number>;
}

const SHARD_KEY = /^\{nl:(\d+)\}/;
const CONTROL_KEY = /^\{nl\}/;

/** Every master's keys by shard (SCAN), with the key counts of the shards' slots (COUNTKEYSINSLOT). */
export async function masterKeys(cluster: RedisCluster, layout: ShardLayout = LAYOUT): Promise<MasterKeys[]> {
  const slots = await Promise.all(layout.prefixes.map((prefix) => cluster.keySlot(prefix)));
  const controlSlot = await cluster.keySlot(layout.control);
  const masters = await cluster.masters();
  return Promise.all(
    masters.map((master) =>
      onNode(master.port, async (node) => {
        const byShard = new Map<number, number>();
        let control = 0;
        const other: string[] = [];
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'COUNT', 1000);
          cursor = next;
          for (const key of keys) {
            const shard = SHARD_KEY.exec(key)?.[1];
            if (shard !== undefined) byShard.set(Number(shard), (byShard.get(Number(shard)) ?? 0) + 1);
            else if (CONTROL_KEY.test(key)) control++;
            else other.push(key);
          }
        } while (cursor !== '0');
        const inSlot = new Map<number | 'control', number>();
        for (const [shard, slot] of slots.entries()) inSlot.set(shard, Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot)));
        inSlot.set('control', Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', controlSlot)));
        return { port: master.port, dbsize: Number(await node.dbsize()), byShard, control, other, inSlot };
      }),
    ),
  );
}

/** `field:value` lines of INFO. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export interface ReplicationLag {
  /** The master's master_repl_offset. */
  readonly masterOffset: number;
  /** The replica's offset as the master last heard it (REPLCONF ACK, about once a second). */
  readonly ackedOffset: number | undefined;
  /** The replica's own offset (its INFO replication), read at the same time. */
  readonly replicaOffset: number | undefined;
  /** masterOffset − ackedOffset: bytes the master cannot count on the replica having. */
  readonly lagBytes: number | undefined;
  /** masterOffset − replicaOffset: bytes not yet on the replica as it says. */
  readonly replicaLagBytes: number | undefined;
}

/** INFO replication of a master and of its replica, at once. */
export async function replicationLag(masterPort: number, replicaPort: number): Promise<ReplicationLag> {
  const [master, replica] = await Promise.all([
    onNode(masterPort, async (node) => infoFields(await node.info('replication'))),
    onNode(replicaPort, async (node) => infoFields(await node.info('replication'))),
  ]);
  const masterOffset = Number(master.get('master_repl_offset'));
  const slave = [...master.entries()].find(([key, value]) => /^slave\d+$/.test(key) && value.includes(`port=${replicaPort},`))?.[1];
  const acked = slave === undefined ? undefined : Number(/offset=(\d+)/.exec(slave)?.[1]);
  const own = replica.get('slave_repl_offset');
  const replicaOffset = own === undefined ? undefined : Number(own);
  return {
    masterOffset,
    ackedOffset: acked,
    replicaOffset,
    lagBytes: acked === undefined ? undefined : masterOffset - acked,
    replicaLagBytes: replicaOffset === undefined ? undefined : masterOffset - replicaOffset,
  };
}
