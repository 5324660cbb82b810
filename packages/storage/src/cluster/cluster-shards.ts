import { Redis } from 'ioredis';
import { balanceMoves, placement, type ShardMove, type ShardSlot, type SlotOwner } from './shard-placement.js';

/** A master as CLUSTER NODES lists it. */
export interface ClusterMaster extends SlotOwner {
  readonly host: string;
  readonly port: number;
}

export interface ClusterAuth {
  readonly username?: string;
  readonly password?: string;
}

/** The masters serving slots, from CLUSTER NODES (failed masters left out: their replicas took over). */
export function parseClusterNodes(text: string): ClusterMaster[] {
  const masters: ClusterMaster[] = [];
  for (const line of text.split('\n')) {
    const [id, address, flags = '', , , , , , ...slots] = line.trim().split(' ');
    if (id === undefined || address === undefined || !flags.split(',').includes('master') || flags.includes('fail')) continue;
    const hostPort = address.split('@')[0] ?? '';
    const at = hostPort.lastIndexOf(':');
    const ranges = slots
      .filter((part) => !part.startsWith('['))
      .map((part): readonly [number, number] => {
        const [from, to = from] = part.split('-');
        return [Number(from), Number(to)];
      });
    masters.push({ id, host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)), slots: ranges });
  }
  return masters;
}

export interface ShardReport {
  readonly masters: ClusterMaster[];
  readonly shards: ShardSlot[];
  /** Each master's shards. */
  readonly placement: Map<string, ShardSlot[]>;
}

/** Where the shards (their prefixes, `{nl:n}`) sit now, asked of any node. */
export async function shardReport(node: Redis, prefixes: readonly string[]): Promise<ShardReport> {
  const masters = parseClusterNodes(String(await node.call('CLUSTER', 'NODES')));
  const shards = await Promise.all(prefixes.map(async (prefix, shard) => ({ shard, slot: Number(await node.call('CLUSTER', 'KEYSLOT', prefix)) })));
  return { masters, shards, placement: placement(masters, shards) };
}

export interface MoveOptions {
  /** Opens a connection to a master (closed by the caller of moveShard's helpers). */
  readonly connect: (host: string, port: number) => Redis;
  readonly auth?: ClusterAuth;
  /** Keys per MIGRATE (default 100). */
  readonly batch?: number;
  readonly migrateTimeoutMs?: number;
}

/**
 * Moves one slot (one shard) from its master to another, online, the way Redis Cluster's own resharding
 * does: the target imports, the source migrates, the keys go over in batches of MIGRATE (atomic per key;
 * meanwhile clients are sent to the target with ASK for keys already there), then every master learns the
 * new owner. A key is never in two places; commands on it wait or are redirected (ioredis follows ASK and
 * retries TRYAGAIN).
 */
export async function moveShard(move: ShardMove, masters: readonly ClusterMaster[], options: MoveOptions): Promise<number> {
  const from = masters.find((master) => master.id === move.from);
  const to = masters.find((master) => master.id === move.to);
  if (from === undefined || to === undefined) throw new Error(`shard ${move.shard}: master ${from === undefined ? move.from : move.to} is not in the cluster`);
  const source = options.connect(from.host, from.port);
  const target = options.connect(to.host, to.port);
  const others = masters.filter((master) => master.id !== from.id && master.id !== to.id).map((master) => options.connect(master.host, master.port));
  const auth = options.auth?.password === undefined ? [] : options.auth.username === undefined ? ['AUTH', options.auth.password] : ['AUTH2', options.auth.username, options.auth.password];
  let moved = 0;
  try {
    await target.call('CLUSTER', 'SETSLOT', move.slot, 'IMPORTING', from.id);
    await source.call('CLUSTER', 'SETSLOT', move.slot, 'MIGRATING', to.id);
    for (;;) {
      const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', move.slot, options.batch ?? 100)) as string[];
      if (keys.length === 0) break;
      await source.call('MIGRATE', to.host, to.port, '', 0, options.migrateTimeoutMs ?? 10_000, ...auth, 'KEYS', ...keys);
      moved += keys.length;
    }
    // The target first: once it owns the slot, no client is sent back to a source that no longer has it.
    await target.call('CLUSTER', 'SETSLOT', move.slot, 'NODE', to.id);
    await source.call('CLUSTER', 'SETSLOT', move.slot, 'NODE', to.id);
    await Promise.all(others.map((node) => node.call('CLUSTER', 'SETSLOT', move.slot, 'NODE', to.id)));
    return moved;
  } finally {
    for (const node of [source, target, ...others]) node.disconnect();
  }
}

/** Computes and makes the moves that even out the shards over the masters; returns them with the keys moved. */
export async function balanceShards(node: Redis, prefixes: readonly string[], options: MoveOptions & { readonly dryRun?: boolean; readonly onMove?: (move: ShardMove, keys: number) => void }): Promise<ShardMove[]> {
  const report = await shardReport(node, prefixes);
  const moves = balanceMoves(report.masters, report.shards);
  if (options.dryRun) return moves;
  for (const move of moves) options.onMove?.(move, await moveShard(move, report.masters, options));
  return moves;
}

/** A plain connection to one master for the moves, with the cluster's credentials. */
export function masterConnection(auth: ClusterAuth = {}) {
  return (host: string, port: number): Redis => new Redis({ host, port, ...(auth.username === undefined ? {} : { username: auth.username }), ...(auth.password === undefined ? {} : { password: auth.password }), lazyConnect: false, maxRetriesPerRequest: 3 });
}
