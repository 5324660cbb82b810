import { gymSettingsFor, type AlertConfig } from '@neurolift/alerts';
import { AlertCheckJob, AlertJob, QUEUES, WebhookJob, redisKeys, type RedisKeys, type ShardLayout } from '@neurolift/contracts';
import { PipelineError, closeAll, createRegistry, once, type Logger, type Registry } from '@neurolift/platform';
import {
  influxSinkFromSettings,
  createRedisConnection,
  createRedisAthleteStore,
  createRedisDeadLetters,
  createRedisHeartRateStore,
  consumedShardsOf,
  loadModelSettings,
  shardLayoutOf,
  clusterWatchdog,
  startQueueWorker,
  type QueueWorker,
  tenantOfJob,
  type AthleteStore,
  type HeartRateStore,
  type ModelSettings,
  type PointSink,
  type RedisClient,
} from '@neurolift/storage';
import type { RegistryView } from '@neurolift/tenancy';
import { loadAlertConfig } from './alert-config-file.js';
import { createShardAlertQueues, type ShardAlertQueues } from './adapters/bullmq-alert-queues.js';
import { startDailySchedulers } from './adapters/daily-schedulers.js';
import { startTenantBuckets, type TenantBuckets } from './adapters/tenant-buckets.js';
import { startMqttAlertPublisher, type MqttAlertPublisher } from './adapters/mqtt-alert-publisher.js';
import { createRedisAlertState } from './adapters/redis-alert-state.js';
import { WebhookError, sendWebhook } from './adapters/webhook-sender.js';
import { runCheck, type CheckDeps } from './checks/run-check.js';
import type { AlertsConfig } from './config.js';
import { dailySchedules, dailySchedulesByShard } from './daily-schedule.js';
import { deliverAlert } from './deliver-alert.js';
import { createAlertsMetrics, type AlertsMetrics } from './metrics.js';

export interface AlertsOverrides {
  readonly registry?: Registry;
  readonly sink?: PointSink;
  /** Otherwise read from ALERTS_CONFIG_FILE / MODEL_CONSTANTS_FILE. */
  readonly alertConfig?: AlertConfig;
  readonly model?: ModelSettings;
  readonly clock?: () => number;
  /** Gyms' tenants and tenants' buckets; otherwise the device registry in Redis, read every REGISTRY_POLL_MS. */
  readonly registryView?: Pick<RegistryView, 'tenantOfGym' | 'bucketOf'>;
}

export interface AlertsService {
  ready(): boolean;
  close(): Promise<void>;
}

/** What every shard's workers share. */
interface ShardContext {
  readonly config: AlertsConfig;
  readonly logger: Logger;
  readonly redis: RedisClient;
  readonly layout: ShardLayout;
  /** The keys of an athlete's shard. */
  readonly athleteKeys: (athleteId: string) => RedisKeys;
  readonly alertConfig: AlertConfig;
  readonly model: ModelSettings;
  readonly clock: () => number;
  readonly metrics: AlertsMetrics;
  readonly queues: ShardAlertQueues;
  readonly buckets: TenantBuckets;
  readonly publisher: MqttAlertPublisher;
  readonly sink: PointSink;
  readonly athletes: AthleteStore;
  readonly heartRate: HeartRateStore;
  /** The shard of a gym's keys (by its tenant, from the registry). */
  readonly shardOfGym: (gymId: string) => number;
}

/**
 * The workers of shard n's three queues. A job of shard n reads and writes its gym's keys in shard n and
 * enqueues what follows (deliveries, webhooks, session-end checks) into shard n's queues, so a gym's alert
 * flow stays in its shard; athletes' keys are in their own shards, the set of gyms on the control plane.
 */
function startShardWorkers(shard: number, context: ShardContext): QueueWorker[] {
  const { config, logger, redis, layout, alertConfig, clock, metrics, buckets } = context;
  const keys = layout.keys(shard);
  const state = createRedisAlertState(redis, { gym: keys, athlete: context.athleteKeys, control: redisKeys(layout.control) });
  const queues = context.queues.of(shard);
  const checkDeps: CheckDeps = {
    state,
    athletes: context.athletes,
    live: state,
    queues,
    config: alertConfig,
    inShard: (gymId) => context.shardOfGym(gymId) === shard,
    model: context.model,
    clock,
    heartRate: context.heartRate,
    inSetMaxAgeMs: config.ALERT_IN_SET_MAX_AGE_MS,
    sessionEndSettleMs: config.ALERT_SESSION_END_SETTLE_MS,
  };
  const common = {
    connection: redis,
    prefix: keys.prefix,
    concurrency: config.ALERTS_CONCURRENCY,
    // A job's dead letter (its alert, its webhook's failure) is for its gym's tenant, in the job's shard.
    deadLetters: createRedisDeadLetters(redis, keys, config.DEAD_LETTER_MAX),
    tenantOf: (data: unknown) => tenantOfJob(data, buckets.tenantOfGym),
    metrics,
    logger,
    ...(config.REDIS_CLUSTER ? { watchdog: clusterWatchdog(metrics) } : {}),
  };
  const delivery = { ledger: state, publisher: context.publisher, live: state, sink: context.sink, bucketOfGym: buckets.bucketOfGym, queues, config: alertConfig, clock, pushMaxAgeMs: config.ALERT_PUSH_MAX_AGE_MS };
  return [
    startQueueWorker({ ...common, queue: QUEUES.alertChecks, schema: AlertCheckJob, process: (job) => runCheck(job, checkDeps) }),
    startQueueWorker({
      ...common,
      queue: QUEUES.alerts,
      schema: AlertJob,
      process: async ({ alert }) => {
        const outcome = await deliverAlert(alert, delivery);
        metrics.alerts.inc({ rule: alert.rule, severity: alert.severity, outcome });
        logger.info({ alertId: alert.id, rule: alert.rule, severity: alert.severity, outcome }, 'alert');
        return outcome;
      },
    }),
    startQueueWorker({
      ...common,
      queue: QUEUES.webhooks,
      schema: WebhookJob,
      exhaustedReason: 'webhook_failed',
      rejectedReason: 'webhook_rejected',
      process: async ({ alert }) => {
        const webhook = gymSettingsFor(alertConfig, alert.gymId).webhook;
        if (!webhook) return 'no_webhook';
        try {
          await sendWebhook(webhook, alert, { timeoutMs: config.WEBHOOK_TIMEOUT_MS, now: clock });
        } catch (error) {
          metrics.webhooks.inc({ outcome: 'failed' });
          if (error instanceof WebhookError && !error.retryable) throw new PipelineError('NL_ERR_WEBHOOK_REJECTED', error.message, false);
          throw error;
        }
        metrics.webhooks.inc({ outcome: 'delivered' });
        return 'delivered';
      },
    }),
  ];
}

/**
 * Starts the alerts service: evaluates the alert rules when the worker, ingest or the daily scheduler
 * says something happened (alert-checks queue), delivers each alert once per channel (alerts queue:
 * MQTT, console, TSDB; webhooks queue: signed POSTs with backoff) and keeps the live console's state.
 * It takes jobs from the queues of the shards it consumes (CONSUME_SHARDS; all by default).
 */
export async function startAlerts(config: AlertsConfig, logger: Logger, overrides: AlertsOverrides = {}): Promise<AlertsService> {
  const layout = shardLayoutOf('alerts', config);
  const consumed = consumedShardsOf('alerts', config);
  const alertConfig = overrides.alertConfig ?? loadAlertConfig(config.ALERTS_CONFIG_FILE);
  const model = overrides.model ?? loadModelSettings(config.MODEL_CONSTANTS_FILE, 'alerts');
  const clock = overrides.clock ?? Date.now;
  const registry = overrides.registry ?? createRegistry();
  const metrics = createAlertsMetrics(registry);
  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: 'neurolift-alerts', retryForever: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));

  const queues = createShardAlertQueues(redis, layout.prefixes, { attempts: config.WEBHOOK_ATTEMPTS, backoffMs: config.WEBHOOK_BACKOFF_MS });
  const sink = overrides.sink ?? influxSinkFromSettings(config, logger);
  // An alert's point goes to the bucket of its gym's tenant, as the worker's points of the gym do.
  const buckets = await startTenantBuckets(redis, layout, config, logger, overrides.registryView);
  const shardOfGym = (gymId: string) => layout.gymShard(buckets.tenantOfGym(gymId), gymId);
  const athleteKeys = (athleteId: string) => layout.athleteKeys(athleteId);
  const publisher = await startMqttAlertPublisher({
    url: config.MQTT_URL,
    clientId: config.ALERTS_MQTT_CLIENT_ID,
    username: config.ALERTS_MQTT_USERNAME ?? config.MQTT_USERNAME,
    password: config.ALERTS_MQTT_PASSWORD ?? config.MQTT_PASSWORD,
    logger: logger.child({ component: 'mqtt' }),
  });

  const context: ShardContext = {
    config,
    logger,
    redis,
    layout,
    athleteKeys,
    alertConfig,
    model,
    clock,
    metrics,
    queues,
    buckets,
    publisher,
    sink,
    athletes: createRedisAthleteStore(redis, athleteKeys),
    heartRate: createRedisHeartRateStore({ redis, keys: athleteKeys }),
    shardOfGym,
  };
  const workers = consumed.flatMap((shard) => startShardWorkers(shard, context));
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  // One scheduler per gym with its own local time, plus one for every other gym, in each consumed shard's
  // alert-checks queue: a listed gym's in its shard only, the defaults' in every shard (each judges its own
  // gyms). Upserting is idempotent, so every instance may do it at start; schedulers of gyms removed from the
  // file or moved to another shard (a new tenant) go. With several shards the plan is computed again as the
  // registry changes, every REGISTRY_POLL_MS.
  const schedules = dailySchedules(alertConfig);
  const schedulers = await startDailySchedulers({
    plan: () => dailySchedulesByShard(schedules, consumed, shardOfGym),
    checksOf: (shard) => queues.of(shard).checks,
    recheckMs: layout.count === 1 ? undefined : config.REGISTRY_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'daily schedulers not synced; retrying'),
  });

  return {
    ready: () => redis.status === 'ready' && publisher.connected() && workers.every((worker) => worker.isRunning()),
    close: once(() =>
      closeAll([
        () => Promise.all(workers.map((worker) => worker.close())).then(() => undefined),
        () => schedulers.stop(),
        () => publisher.close(),
        () => queues.close(),
        async () => buckets.stop(),
        () => redis.quit().then(() => undefined),
      ]),
    ),
  };
}
