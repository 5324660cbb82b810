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
import { freePort } from '../../../infra/local-services.mjs';
import { nodeArgs } from './redis-cluster-node.js';
import { ask, infoFields, parseClusterNodes, type NodeLine } from './redis-cluster-topology.js';
import type { ClusterNode, RedisCluster, RedisClusterOptions } from './redis-cluster-types.js';
import { startServers, waitFor, type LocalServices, type ServerHandle } from './servers.js';

export { parseClusterNodes } from './redis-cluster-topology.js';
export type { ClusterNode, RedisCluster, RedisClusterOptions } from './redis-cluster-types.js';

const run = promisify(execFile);

/** Slots of a Redis Cluster: 0 … 16383. */
export const CLUSTER_SLOTS = 16_384;

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
