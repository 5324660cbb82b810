// A real Redis Cluster for tests: M masters with R replicas each (default 3 and 0), one redis-server
// process per node (Debian's, cluster mode, AOF everysec like production) on free ports, joined by
// `redis-cli --cluster create … --cluster-replicas R --cluster-yes`. Ready once every node reports
// cluster_state:ok, sees every other node, and every replica is in sync with its master.
//
// For failover tests: the live topology (nodes(), masterOfSlot(), masterOfKey()), killNode() (SIGKILL, a
// hard crash), waitForFailover() (a replica of the dead master is promoted and the cluster is ok again),
// restartNode() (the same node again from its own nodes.conf and AOF: it rejoins, as a replica of whoever
// was promoted) and waitForHealthy(). Every wait polls CLUSTER NODES / CLUSTER INFO / INFO replication
// against a deadline; there are no fixed sleeps.
//
// Each node is one startServers({ services: ['redis'] }) run: its own temporary folder (data dir with the
// AOF and nodes.conf, log, pid file), reaped by the next run if this process dies without stop().
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../../infra/local-services.mjs';
import { startServers, waitFor, type LocalServices, type ServerHandle } from './servers.js';

const run = promisify(execFile);

/** Slots of a Redis Cluster: 0 … 16383. */
export const CLUSTER_SLOTS = 16_384;

export interface RedisClusterOptions {
  /** Masters (default 3, the minimum `redis-cli --cluster create` accepts). */
  masters?: number;
  /** Replicas of each master (default 0). */
  replicasPerMaster?: number;
  /**
   * cluster-node-timeout (default 2000 ms): how long a node may not answer before it is suspected (PFAIL);
   * a failover takes about this long plus the election (~0.5–1.5 s). Lower is faster but, on two busy
   * cores, risks failovers nobody asked for.
   */
  nodeTimeoutMs?: number;
  /** Deadline for the cluster to form and sync (default 30 s). */
  readyTimeoutMs?: number;
}

export interface ClusterNode {
  readonly port: number;
  /** The node id (40 hex characters), stable across restarts (it is in the node's nodes.conf). */
  readonly id: string;
  readonly role: 'master' | 'replica';
  /** A replica's master; undefined for a master. */
  readonly masterId: string | undefined;
  /** A replica's master's port; undefined for a master. */
  readonly masterPort: number | undefined;
  /** Inclusive slot ranges a master serves (empty for a replica, or a master that lost its slots). */
  readonly slots: ReadonlyArray<readonly [from: number, to: number]>;
  readonly configEpoch: number;
  /** CLUSTER NODES flags other than myself/master/slave, e.g. 'fail', 'fail?', 'handshake'. */
  readonly flags: readonly string[];
  /** False while the harness has the process killed (killNode … restartNode). */
  readonly alive: boolean;
}

export interface RedisCluster {
  /** One node's URL: what REDIS_URL names with REDIS_CLUSTER=true (the first node; may be killed by a test). */
  readonly url: string;
  /** Every node's port, in creation order (the first `masters` were created as masters). */
  readonly ports: readonly number[];
  /** Every node as ioredis startup nodes: `new Cluster(cluster.startupNodes)`. */
  readonly startupNodes: ReadonlyArray<{ host: string; port: number }>;
  /** The node id of the node on `port`. */
  idOf(port: number): string;
  /** The node's process handle (pid, logFile, pause/resume). */
  handle(port: number): ServerHandle;
  /**
   * The live topology, in creation order: each live node as it sees itself (role, master, slots), a killed
   * node as the first live node sees it (alive: false).
   */
  nodes(): Promise<ClusterNode[]>;
  /** The masters (live or not) that serve slots, by their first slot. */
  masters(): Promise<ClusterNode[]>;
  /** The replicas whose master is the node on `port`. */
  replicasOf(port: number): Promise<ClusterNode[]>;
  /** CLUSTER KEYSLOT `key`, asked of a live node. */
  keySlot(key: string): Promise<number>;
  /** The master serving `slot`: of the nodes claiming it, the one with the highest config epoch. */
  masterOfSlot(slot: number): Promise<ClusterNode>;
  /** masterOfSlot(keySlot(key)). */
  masterOfKey(key: string): Promise<ClusterNode>;
  /** SIGKILL (a hard crash: no AOF fsync, no nodes.conf update), resolved once the process is gone. */
  killNode(port: number): Promise<void>;
  /**
   * Starts the killed node again: same port, data dir, AOF and nodes.conf. Resolves once it answers and
   * (unless `wait: false`) the cluster is healthy again, i.e. it has rejoined: a former master whose slots
   * were taken over comes back as a replica of the promoted node, and is in sync.
   */
  restartNode(port: number, options?: { wait?: boolean; timeoutMs?: number }): Promise<ClusterNode>;
  /**
   * Resolves with the promoted node once a replica of the (killed) master on `oldMasterPort` is master of
   * all its former slots, every live node reports cluster_state:ok and sees the promoted node as their
   * owner. Default deadline 20 s.
   */
  waitForFailover(oldMasterPort: number, options?: { timeoutMs?: number }): Promise<ClusterNode>;
  /**
   * Resolves once every live node reports cluster_state:ok, sees every other live node connected and
   * without fail flags, and every live replica is in sync (master_link_status:up, no sync in progress,
   * online in its master's INFO replication). Default deadline 30 s.
   */
  waitForHealthy(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops every node and removes their folders. */
  stop(): Promise<void>;
}

/** One line of CLUSTER NODES. */
interface NodeLine {
  id: string;
  port: number;
  myself: boolean;
  role: 'master' | 'replica';
  masterId: string | undefined;
  flags: string[];
  configEpoch: number;
  connected: boolean;
  slots: Array<[number, number]>;
}

/** `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>…` */
export function parseClusterNodes(text: string): NodeLine[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', address = '', flagList = '', master = '-', , , epoch = '0', link = '', ...slotFields] = line.split(' ');
      const flags = flagList.split(',');
      const hostPort = address.split('@')[0] ?? '';
      return {
        id,
        port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
        myself: flags.includes('myself'),
        role: flags.includes('slave') ? 'replica' : 'master',
        masterId: master === '-' ? undefined : master,
        flags: flags.filter((flag) => !['myself', 'master', 'slave', 'noflags'].includes(flag)),
        configEpoch: Number(epoch),
        connected: link === 'connected',
        // "[slot->-id]" / "[slot-<-id]" are migrations in progress, not served slots.
        slots: slotFields
          .filter((field) => !field.startsWith('['))
          .map((field): [number, number] => {
            const [from, to = from] = field.split('-');
            return [Number(from), Number(to)];
          }),
      };
    });
}

/** `field:value` lines of INFO / CLUSTER INFO. */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** One command to one node over a fresh connection that neither retries nor queues: a dead node throws. */
async function ask(port: number, command: string, ...args: Array<string | number>): Promise<string> {
  const client = new Redis({
    host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 1000, commandTimeout: 2000,
    maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  client.on('error', () => {}); // the rejected connect() / command reports it
  try {
    await client.connect();
    return String(await client.call(command, ...args));
  } finally {
    client.disconnect();
  }
}

function nodeArgs(busPort: number, nodeTimeoutMs: number): string[] {
  // On top of the harness's Redis settings (infra/local-services/redis.mjs), which are production's:
  // `appendonly yes` + `appendfsync everysec` (durability from the AOF, up to ~1 s lost on a crash, as
  // in docker-compose.yml), `save ""` (no RDB snapshots), `maxmemory-policy noeviction` (BullMQ needs it).
  return [
    '--cluster-enabled', 'yes',
    // The node's identity, epochs and view of the cluster, in its data dir: what restartNode comes back from.
    '--cluster-config-file', 'nodes.conf',
    // The cluster bus on a port of our choosing: the default (port + 10000) fails for ports above 55535,
    // which free ephemeral ports often are.
    '--cluster-port', String(busPort),
    // Fast failure detection: a node silent this long is PFAIL, then FAIL once a majority of masters agree;
    // its replica is promoted ~0.5–1.5 s later.
    '--cluster-node-timeout', String(nodeTimeoutMs),
    // A replica may always take over, however long its link to the master has been down (default 10 ×
    // node timeout would refuse a replica that lost its master a while before the kill).
    '--cluster-replica-validity-factor', '0',
    // A stable topology for the tests: no replica moves to a master left without replicas by a failover.
    '--cluster-allow-replica-migration', 'no',
    // Full syncs (a new replica, a former master rejoining) start at once instead of after the 5 s wait
    // for more replicas to share a diskless transfer.
    '--repl-diskless-sync-delay', '0',
  ];
}

/**
 * Starts the cluster. `startRedisCluster()` / `startRedisCluster(masters)` as before (masters without
 * replicas); `startRedisCluster({ masters: 3, replicasPerMaster: 1 })` for the failover tests.
 */
export async function startRedisCluster(options: number | RedisClusterOptions = {}): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 0, nodeTimeoutMs = 2000, readyTimeoutMs = 30_000 } =
    typeof options === 'number' ? { masters: options } : options;
  if (masters < 3) throw new Error(`a Redis Cluster needs at least 3 masters (got ${masters})`);
  const count = masters * (1 + replicasPerMaster);

  const runs: Array<LocalServices<'redis'>> = [];
  const handles = new Map<number, ServerHandle>();
  const ids = new Map<number, string>();
  /** What a node was just before killNode: waitForFailover's reference. */
  const beforeKill = new Map<number, { node: ClusterNode; replicaIds: string[] }>();

  const stop = async () => {
    await Promise.all(runs.map((r) => r.stop()));
  };

  const handleOf = (port: number): ServerHandle => {
    const handle = handles.get(port);
    if (!handle) throw new Error(`no node of this cluster on port ${port}`);
    return handle;
  };
  const isAlive = (port: number) => handleOf(port).pid !== undefined;

  try {
    // One node at a time: each picks its ports once the previous ones are bound. A bus port that the
    // data port happens to equal (both are "free" until bound) fails that start: try again.
    const taken = new Set<number>();
    for (let i = 0; i < count; i++) {
      for (let attempt = 1; ; attempt++) {
        let busPort = await freePort();
        while (taken.has(busPort)) busPort = await freePort();
        try {
          const node = await startServers({ services: ['redis'], redisExtraArgs: nodeArgs(busPort, nodeTimeoutMs) });
          runs.push(node);
          handles.set(node.redis.port, node.redis);
          taken.add(node.redis.port).add(busPort);
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    }
    const ports = [...handles.keys()];
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], { timeout: 60_000 });
    for (const port of ports) ids.set(port, (await ask(port, 'CLUSTER', 'MYID')).trim());

    const portOfId = (id: string | undefined) => [...ids].find(([, nodeId]) => nodeId === id)?.[0];
    const toNode = (line: NodeLine, port: number): ClusterNode => ({
      port,
      id: line.id,
      role: line.role,
      masterId: line.masterId,
      masterPort: portOfId(line.masterId),
      slots: line.slots,
      configEpoch: line.configEpoch,
      flags: line.flags,
      alive: isAlive(port),
    });

    const nodes = async (): Promise<ClusterNode[]> => {
      const views = await Promise.all(
        ports.map(async (port) => (isAlive(port) ? { port, lines: await ask(port, 'CLUSTER', 'NODES').then(parseClusterNodes, () => undefined) } : { port, lines: undefined })),
      );
      const someView = views.find((view) => view.lines !== undefined)?.lines;
      if (!someView) throw new Error('no node of the cluster answers');
      return views.map(({ port, lines }) => {
        const line = lines?.find((l) => l.myself) ?? someView.find((l) => l.id === ids.get(port));
        if (!line) throw new Error(`node ${port} (${ids.get(port)}) is unknown to the cluster`);
        return toNode(line, port);
      });
    };

    const masterOfSlot = async (slot: number): Promise<ClusterNode> => {
      const claimants = (await nodes()).filter((node) => node.role === 'master' && node.slots.some(([from, to]) => slot >= from && slot <= to));
      const owner = claimants.sort((a, b) => b.configEpoch - a.configEpoch)[0];
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      return owner;
    };

    const keySlot = async (key: string): Promise<number> => {
      const port = ports.find(isAlive);
      if (port === undefined) throw new Error('no node of the cluster is running');
      return Number(await ask(port, 'CLUSTER', 'KEYSLOT', key));
    };

    /** Undefined (not yet) unless every live node is ok, sees the other live nodes healthy, and live replicas are in sync. */
    const healthyProbe = async (): Promise<true | undefined> => {
      const live = ports.filter(isAlive);
      const views = await Promise.all(
        live.map(async (port) => ({
          port,
          info: infoFields(await ask(port, 'CLUSTER', 'INFO')),
          lines: parseClusterNodes(await ask(port, 'CLUSTER', 'NODES')),
          replication: infoFields(await ask(port, 'INFO', 'replication')),
        })),
      );
      const liveIds = new Set(live.map((port) => ids.get(port)));
      // Every live node must see the live nodes alike (role, master, slots): a restarted former master
      // still claiming its old slots, or a node that has not yet heard of a promotion, disagrees.
      const signatures = new Set(
        views.map((view) =>
          view.lines
            .filter((line) => liveIds.has(line.id))
            .map((line) => `${line.id} ${line.role} ${line.masterId ?? '-'} ${line.slots.map(([from, to]) => `${from}-${to}`).join(',')}`)
            .sort()
            .join('\n'),
        ),
      );
      if (signatures.size !== 1) return undefined;
      for (const view of views) {
        if (view.info.get('cluster_state') !== 'ok') return undefined;
        if (Number(view.info.get('cluster_known_nodes')) !== count) return undefined;
        for (const line of view.lines) {
          if (!liveIds.has(line.id) || line.myself) continue;
          if (!line.connected || line.flags.some((flag) => flag.startsWith('fail') || flag === 'handshake' || flag === 'noaddr')) return undefined;
        }
        const self = view.lines.find((line) => line.myself);
        if (self?.role === 'replica') {
          const masterPort = portOfId(self.masterId);
          if (masterPort === undefined || !isAlive(masterPort)) return undefined;
          if (view.replication.get('role') !== 'slave' || view.replication.get('master_link_status') !== 'up') return undefined;
          if (view.replication.get('master_sync_in_progress') !== '0' || Number(view.replication.get('master_port')) !== masterPort) return undefined;
          const master = views.find((v) => v.port === masterPort);
          const online = [...(master?.replication.entries() ?? [])].some(([key, value]) => /^slave\d+$/.test(key) && value.includes(`port=${view.port},`) && value.includes('state=online'));
          if (!online) return undefined;
        }
      }
      return true;
    };

    const waitForHealthy = async ({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> => {
      await waitFor(healthyProbe, { what: 'the Redis Cluster to be ok with every replica in sync', timeoutMs, intervalMs: 100 });
    };

    const waitForFailover = async (oldMasterPort: number, { timeoutMs = 20_000 }: { timeoutMs?: number } = {}): Promise<ClusterNode> => {
      const before = beforeKill.get(oldMasterPort) ?? (await snapshot(oldMasterPort));
      if (before.node.role !== 'master' || before.node.slots.length === 0) throw new Error(`node ${oldMasterPort} was not a master serving slots`);
      if (before.replicaIds.length === 0) throw new Error(`master ${oldMasterPort} has no replica to take over`);
      const [firstSlot] = before.node.slots[0] ?? [0];
      return waitFor(
        async () => {
          const live = ports.filter(isAlive);
          const views = await Promise.all(
            live.map(async (port) => ({ info: infoFields(await ask(port, 'CLUSTER', 'INFO')), lines: parseClusterNodes(await ask(port, 'CLUSTER', 'NODES')) })),
          );
          // The promoted replica, as it sees itself: master of all the old master's slots.
          const promoted = views
            .map((view) => view.lines.find((line) => line.myself))
            .find((self) => self !== undefined && before.replicaIds.includes(self.id) && self.role === 'master'
              && before.node.slots.every(([from, to]) => self.slots.some(([a, b]) => a <= from && to <= b)));
          if (!promoted) return undefined;
          for (const view of views) {
            if (view.info.get('cluster_state') !== 'ok') return undefined;
            const owner = view.lines.filter((line) => line.role === 'master' && line.slots.some(([a, b]) => a <= firstSlot && firstSlot <= b))
              .sort((a, b) => b.configEpoch - a.configEpoch)[0];
            if (owner?.id !== promoted.id) return undefined;
          }
          const port = portOfId(promoted.id);
          return port === undefined ? undefined : toNode(promoted, port);
        },
        { what: `a replica of ${oldMasterPort} to be promoted and the cluster ok again`, timeoutMs, intervalMs: 100 },
      );
    };

    const snapshot = async (port: number) => {
      const all = await nodes();
      const node = all.find((n) => n.port === port);
      if (!node) throw new Error(`no node of this cluster on port ${port}`);
      return { node, replicaIds: all.filter((n) => n.masterId === node.id).map((n) => n.id) };
    };

    const cluster: RedisCluster = {
      url: `redis://127.0.0.1:${ports[0]}`,
      ports,
      startupNodes: ports.map((port) => ({ host: '127.0.0.1', port })),
      idOf: (port) => {
        const id = ids.get(port);
        if (!id) throw new Error(`no node of this cluster on port ${port}`);
        return id;
      },
      handle: handleOf,
      nodes,
      masters: async () => (await nodes()).filter((node) => node.role === 'master' && node.slots.length > 0).sort((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0)),
      replicasOf: async (port) => {
        const id = ids.get(port);
        return (await nodes()).filter((node) => node.masterId === id);
      },
      keySlot,
      masterOfSlot,
      masterOfKey: async (key) => masterOfSlot(await keySlot(key)),
      async killNode(port) {
        beforeKill.set(port, await snapshot(port));
        await handleOf(port).kill('SIGKILL');
      },
      async restartNode(port, { wait = true, timeoutMs = 30_000 } = {}) {
        await handleOf(port).start();
        beforeKill.delete(port);
        if (wait) await waitForHealthy({ timeoutMs });
        const node = (await nodes()).find((n) => n.port === port);
        if (!node) throw new Error(`node ${port} is not in the cluster after its restart`);
        return node;
      },
      waitForFailover,
      waitForHealthy,
      stop,
    };

    await waitForHealthy({ timeoutMs: readyTimeoutMs });
    // The shape asked for: every slot served, each master with its replicas.
    const topology = await nodes();
    const servingMasters = topology.filter((node) => node.role === 'master' && node.slots.length > 0);
    const served = servingMasters.reduce((sum, node) => sum + node.slots.reduce((s, [from, to]) => s + to - from + 1, 0), 0);
    const shapeOk = servingMasters.length === masters && served === CLUSTER_SLOTS
      && servingMasters.every((master) => topology.filter((node) => node.masterId === master.id).length === replicasPerMaster);
    if (!shapeOk) throw new Error(`unexpected cluster topology: ${JSON.stringify(topology)}`);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}
