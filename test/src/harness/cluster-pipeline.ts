// The pipeline on a real Redis Cluster with replicas, as separate processes, for the shard tests (issue 16):
// 3 masters with one replica each (the harness's redis-cluster.ts), REDIS_SHARDS = 12, Mosquitto and
// VictoriaMetrics behind the recording proxy (checker input), and ingest, one stimulus worker and the alerts
// service as child processes with REDIS_CLUSTER=true. Plus what the tests read back from the cluster: where
// each shard sits, each master's keys by shard, every shard's queue counts and dead letters, and a device
// stream spread over many gyms (in cluster-gyms.ts, cluster-checks.ts, shard-queues.ts and
// cluster-placement.ts, re-exported here).
import { Cluster } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { SHARDS } from './cluster-layout.js';
import { service, type ClusterService } from './cluster-service.js';
import { connectDevice, pipelineEnv } from './pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { startServers, type LocalServices } from './servers.js';

export { LAYOUT, SHARDS } from './cluster-layout.js';
export { shortLine, warningSummary, type ClusterService } from './cluster-service.js';
export { expectedNsi, gymsInEveryShard, gymsStream, type GymsPlan } from './cluster-gyms.js';
export { awaitStored, checkGyms, expectExactlyOnce, readDeadLetters, type ClusterOutcome } from './cluster-checks.js';
export { awaitQueuesIdle, shardQueues, type ShardQueues } from './shard-queues.js';
export {
  infoFields, masterKeys, onNode, replicationLag, shardPlaces, shardsPerMaster, type MasterKeys, type ReplicationLag, type ShardPlace,
} from './cluster-placement.js';

export interface ClusterPipelineOptions {
  /** Unique per file: MQTT client ids are derived from it. */
  readonly name: string;
  /** Extra environment for ingest (INGEST_REDIS_WAIT_REPLICAS …). */
  readonly ingestEnv?: Record<string, string>;
  /** Extra environment for every service. */
  readonly env?: Record<string, string>;
  /** Extra environment for the worker and for the alerts service (e.g. DEBUG=ioredis:* to trace their clients). */
  readonly workerEnv?: Record<string, string>;
  readonly alertsEnv?: Record<string, string>;
  /** The node the services are given as REDIS_URL (index into cluster.ports; default 0). */
  readonly seedNode?: number;
}

export interface ClusterPipeline {
  readonly servers: LocalServices<'mosquitto' | 'victoria-metrics'>;
  readonly cluster: RedisCluster;
  readonly tsdb: RecordingProxy;
  readonly ingest: ClusterService;
  readonly worker: ClusterService;
  readonly alerts: ClusterService;
  readonly device: MqttClient;
  /** The test's own cluster client (every node as a startup node). */
  readonly client: Cluster;
  /** The environment the services share (REDIS_URL, REDIS_CLUSTER, REDIS_SHARDS …). */
  readonly env: Record<string, string>;
  readonly services: readonly ClusterService[];
  stop(): Promise<void>;
}

export async function startClusterPipeline(options: ClusterPipelineOptions): Promise<ClusterPipeline> {
  const [servers, cluster] = await Promise.all([
    startServers({ services: ['mosquitto', 'victoria-metrics'] }),
    startRedisCluster({ masters: 3, replicasPerMaster: 1 }),
  ]);
  const started: ClusterService[] = [];
  try {
    const tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
    const seed = cluster.ports[options.seedNode ?? 0] ?? cluster.ports[0];
    const env = pipelineEnv(
      { ...servers.env, REDIS_URL: `redis://127.0.0.1:${seed}`, INFLUX_URL: tsdb.url },
      { REDIS_CLUSTER: 'true', REDIS_SHARDS: String(SHARDS), ...options.env },
    );
    const ingest = await service('ingest', 'services/ingest/dist/main.js', { ...env, MQTT_CLIENT_ID: `${options.name}-ingest`, ...options.ingestEnv });
    started.push(ingest);
    const worker = await service('worker', 'services/stimulus/dist/main.js', { ...env, ...options.workerEnv });
    started.push(worker);
    const alerts = await service('alerts', 'services/alerts/dist/main.js', { ...env, ALERTS_MQTT_CLIENT_ID: `${options.name}-alerts`, ...options.alertsEnv });
    started.push(alerts);
    const device = await connectDevice(servers.env.MQTT_URL, `${options.name}-device`);
    const client = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: null } });
    client.on('error', () => undefined); // a killed node's connection; commands are retried
    return {
      servers, cluster, tsdb, ingest, worker, alerts, device, client, env,
      services: started,
      async stop() {
        client.disconnect();
        await device.endAsync(true).catch(() => undefined);
        await Promise.all(started.map((p) => p.kill()));
        await tsdb.close();
        await cluster.stop();
        await servers.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((p) => p.kill()));
    await cluster.stop();
    await servers.stop();
    throw error;
  }
}
