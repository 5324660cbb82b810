// The Redis Cluster harness's public types (see redis-cluster.ts): its options, a node as the live
// topology reports it, and the running cluster's API.
import type { ServerHandle } from './servers.js';

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
