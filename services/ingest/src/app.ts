import { randomUUID } from 'node:crypto';
import { DEVICE_TOPIC_FILTER, QUEUES, QUEUE_EVENTS_MAX_LEN, sharedTopicFilter, type RedisKeys } from '@neurolift/contracts';
import { closeAll, createRegistry, once, type Logger, type Registry } from '@neurolift/platform';
import { Queue } from 'bullmq';
import { createRedisConnection, shardLayoutOf, type RedisClient } from '@neurolift/storage';
import { createBullSetJobQueue } from './adapters/bullmq-set-queue.js';
import { startMqttSubscriber } from './adapters/mqtt-subscriber.js';
import { checkDevice, createRedisRegistryStore, startRegistryView, tenancyKeys } from '@neurolift/tenancy';
import { createRedisIntakeStore } from './adapters/redis-intake-store.js';
import type { IngestConfig } from './config.js';
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics.js';
import { createRedisSeenGyms } from './adapters/redis-seen-gyms.js';
import { createIntake } from './intake.js';
import { createRateLimiter } from './rate-limit.js';
import type { Clock } from './ports.js';
import { startSetCloser } from './set-closer.js';

export interface IngestOverrides {
  readonly registry?: Registry;
  readonly clock?: Clock;
  /** How often idle sets are looked for, ms (default: a tenth of the idle timeout, 50–1000). */
  readonly closerIntervalMs?: number;
}

export interface IngestService {
  ready(): boolean;
  /** Stops intake, commits what was received, stops the set closer, disconnects. Idempotent. */
  close(): Promise<void>;
}

/** Starts the ingest service: MQTT → validate → micro-batch → Redis (set state, jobs, dead letters). */
export async function startIngest(config: IngestConfig, logger: Logger, overrides: IngestOverrides = {}): Promise<IngestService> {
  const clock = overrides.clock ?? Date.now;
  const registry = overrides.registry ?? createRegistry();
  const metrics = createIngestMetrics(registry);
  const layout = shardLayoutOf('ingest', config);

  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: 'neurolift-ingest', retryForever: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  // Every shard's queues on the one connection (a cluster client routes each by its hash tag).
  const shards = layout.prefixes.map((prefix, shard) => openShard(redis, prefix, layout.keys(shard), config, metrics));
  await Promise.all(shards.map((shard) => shard.queues.reps.waitUntilReady()));

  const tenancy = tenancyKeys(layout.control);
  const registryView = await startRegistryView({
    store: createRedisRegistryStore(redis, tenancy, layout.athleteKeys),
    defaultBucket: '', // ingest writes no points
    pollMs: config.REGISTRY_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'device registry read failed; the last one read stays in use'),
    onLoaded: (version) => metrics.registryVersion.set(version),
  });
  const owner = `${config.MQTT_CLIENT_ID}-${randomUUID()}`;
  // One closer per shard: a shard's idle sets, closing list and lock are in its slot.
  const closers = shards.map((shard, n) =>
    startSetCloser({
      store: shard.store,
      queue: createBullSetJobQueue(shard.queues.sets),
      clock,
      logger: logger.child({ component: 'set-closer', ...(layout.count > 1 ? { shard: n } : {}) }),
      owner,
      intervalMs: overrides.closerIntervalMs ?? Math.max(50, Math.min(1000, Math.floor(config.SET_IDLE_TIMEOUT_MS / 10))),
      onClosed: (count) => metrics.setsClosed.inc(count),
    }),
  );
  const intake = createIntake({
    stores: shards.map((shard) => shard.store),
    shardOf: layout.gymShard,
    seenGyms: createRedisSeenGyms(redis, tenancy),
    clock,
    metrics,
    logger,
    window: { maxFutureMs: config.TIME_MAX_FUTURE_MS, maxAgeMs: config.TIME_MAX_AGE_MS },
    batchMaxItems: config.INGEST_BATCH_MAX,
    batchMaxWaitMs: config.INGEST_BATCH_WAIT_MS,
    deadLetterPayloadBytes: config.DEAD_LETTER_PAYLOAD_BYTES,
    onSetsClosed: (_count, shard) => closers[shard]?.wake(),
    rateLimiter: createRateLimiter({ ratePerS: config.INGEST_STATION_RATE_PER_S, burst: config.INGEST_STATION_BURST, clock }),
    devices: {
      check: (gymId, stationId) => checkDevice(registryView, config.DEVICE_REGISTRY, gymId, stationId),
      tenantOfGym: (gymId) => registryView.tenantOfGym(gymId),
      isRegisteredGym: (gymId) => registryView.isRegisteredGym(gymId),
      refresh: () => registryView.refresh(),
    },
  });
  const subscriber = await startMqttSubscriber({
    url: config.MQTT_URL,
    clientId: config.MQTT_CLIENT_ID,
    username: config.MQTT_USERNAME,
    password: config.MQTT_PASSWORD,
    sessionExpirySeconds: config.MQTT_SESSION_EXPIRY_S,
    topicFilter: config.INGEST_SHARED_GROUP ? sharedTopicFilter(config.INGEST_SHARED_GROUP) : DEVICE_TOPIC_FILTER,
    maxInFlight: config.INGEST_MAX_IN_FLIGHT,
    logger: logger.child({ component: 'mqtt' }),
    onMessage: (message) => intake.accept(message),
  });

  return {
    ready: () => subscriber.connected() && redis.status === 'ready',
    close: once(() =>
      closeAll([
        // Commit what was received first, then disconnect so the PUBACKs still reach the broker.
        () => intake.close(),
        () => subscriber.close(),
        async () => registryView.stop(),
        () => Promise.all(closers.map((closer) => closer.close())).then(() => undefined),
        () => Promise.all(shards.flatMap((shard) => Object.values(shard.queues).map((queue) => queue.close()))).then(() => undefined),
        () => redis.quit().then(() => undefined),
      ]),
    ),
  };
}

/** One shard's queues and its intake store (set state, jobs and dead letters in one MULTI). */
function openShard(redis: RedisClient, prefix: string, keys: RedisKeys, config: IngestConfig, metrics: IngestMetrics) {
  const queueOptions = { connection: redis, prefix, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } };
  const queues = {
    reps: new Queue(QUEUES.reps, queueOptions),
    sets: new Queue(QUEUES.sets, queueOptions),
    samples: new Queue(QUEUES.samples, queueOptions),
    heartRate: new Queue(QUEUES.heartRate, queueOptions),
    alertChecks: new Queue(QUEUES.alertChecks, queueOptions),
  };
  const store = createRedisIntakeStore({
    redis,
    repsQueue: queues.reps,
    samplesQueue: queues.samples,
    heartRateQueue: queues.heartRate,
    alertChecksQueue: queues.alertChecks,
    keys,
    setIdleTimeoutMs: config.SET_IDLE_TIMEOUT_MS,
    deadLetterMax: config.DEAD_LETTER_MAX,
    waitReplicas: config.INGEST_REDIS_WAIT_REPLICAS,
    waitTimeoutMs: config.INGEST_REDIS_WAIT_TIMEOUT_MS,
    onReplicaShortfall: () => metrics.replicaShortfalls.inc(),
  });
  return { queues, store };
}
