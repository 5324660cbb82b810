import { randomUUID } from 'node:crypto';
import { DEVICE_TOPIC_FILTER, QUEUES, QUEUE_EVENTS_MAX_LEN, redisKeys, sharedTopicFilter } from '@neurolift/contracts';
import { closeAll, createRegistry, once, type Logger, type Registry } from '@neurolift/platform';
import { Queue } from 'bullmq';
import { createRedisConnection } from '@neurolift/storage';
import { createBullSetJobQueue } from './adapters/bullmq-set-queue.js';
import { startMqttSubscriber } from './adapters/mqtt-subscriber.js';
import { checkDevice, createRedisRegistryStore, startRegistryView, tenancyKeys } from '@neurolift/tenancy';
import { createRedisIntakeStore } from './adapters/redis-intake-store.js';
import type { IngestConfig } from './config.js';
import { createIngestMetrics } from './ingest-metrics.js';
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
  const keys = redisKeys(config.REDIS_PREFIX);

  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, name: 'neurolift-ingest', retryForever: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  const queueOptions = { connection: redis, prefix: config.REDIS_PREFIX, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } };
  const repsQueue = new Queue(QUEUES.reps, queueOptions);
  const setsQueue = new Queue(QUEUES.sets, queueOptions);
  const samplesQueue = new Queue(QUEUES.samples, queueOptions);
  const heartRateQueue = new Queue(QUEUES.heartRate, queueOptions);
  const alertChecksQueue = new Queue(QUEUES.alertChecks, queueOptions);
  await repsQueue.waitUntilReady();

  const store = createRedisIntakeStore({
    redis,
    repsQueue,
    samplesQueue,
    heartRateQueue,
    alertChecksQueue,
    keys,
    setIdleTimeoutMs: config.SET_IDLE_TIMEOUT_MS,
    deadLetterMax: config.DEAD_LETTER_MAX,
    gymsSeenKey: tenancyKeys(config.REDIS_PREFIX).gymsSeen,
  });
  const tenancy = tenancyKeys(config.REDIS_PREFIX);
  const registryView = await startRegistryView({
    store: createRedisRegistryStore(redis, tenancy),
    defaultBucket: '', // ingest writes no points
    pollMs: config.REGISTRY_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'device registry read failed; the last one read stays in use'),
    onLoaded: (version) => metrics.registryVersion.set(version),
  });
  const closer = startSetCloser({
    store,
    queue: createBullSetJobQueue(setsQueue),
    clock,
    logger: logger.child({ component: 'set-closer' }),
    owner: `${config.MQTT_CLIENT_ID}-${randomUUID()}`,
    intervalMs: overrides.closerIntervalMs ?? Math.max(50, Math.min(1000, Math.floor(config.SET_IDLE_TIMEOUT_MS / 10))),
    onClosed: (count) => metrics.setsClosed.inc(count),
  });
  const intake = createIntake({
    store,
    clock,
    metrics,
    logger,
    window: { maxFutureMs: config.TIME_MAX_FUTURE_MS, maxAgeMs: config.TIME_MAX_AGE_MS },
    batchMaxItems: config.INGEST_BATCH_MAX,
    batchMaxWaitMs: config.INGEST_BATCH_WAIT_MS,
    deadLetterPayloadBytes: config.DEAD_LETTER_PAYLOAD_BYTES,
    onSetsClosed: () => closer.wake(),
    rateLimiter: createRateLimiter({ ratePerS: config.INGEST_STATION_RATE_PER_S, burst: config.INGEST_STATION_BURST, clock }),
    devices: {
      check: (gymId, stationId) => checkDevice(registryView, config.DEVICE_REGISTRY, gymId, stationId),
      tenantOfGym: (gymId) => registryView.tenantOfGym(gymId),
      isRegisteredGym: (gymId) => registryView.isRegisteredGym(gymId),
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
        () => closer.close(),
        () => Promise.all([repsQueue.close(), setsQueue.close(), samplesQueue.close(), heartRateQueue.close(), alertChecksQueue.close()]).then(() => undefined),
        () => redis.quit().then(() => undefined),
      ]),
    ),
  };
}
