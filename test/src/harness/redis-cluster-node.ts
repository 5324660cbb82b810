// The redis-server settings of a Redis Cluster node (see redis-cluster.ts).

export function nodeArgs(busPort: number, nodeTimeoutMs: number): string[] {
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
