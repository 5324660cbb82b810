import { gymSettingsFor, type AlertConfig } from '@neurolift/alerts';
import { AlertCheckJob, AlertJob, JOB_OPTIONS, QUEUES, WebhookJob, redisKeys } from '@neurolift/contracts';
import { PipelineError, closeAll, createRegistry, once, type Logger, type Registry } from '@neurolift/platform';
import {
  influxSinkFromSettings,
  createRedisConnection,
  createRedisAthleteStore,
  createRedisDeadLetters,
  createRedisHeartRateStore,
  loadModelSettings,
  startQueueWorker,
  tenantOfJob,
  type ModelSettings,
  type PointSink,
} from '@neurolift/storage';
import type { RegistryView } from '@neurolift/tenancy';
import { loadAlertConfig } from './alert-config-file.js';
import { createAlertQueues } from './adapters/bullmq-alert-queues.js';
import { startTenantBuckets } from './adapters/tenant-buckets.js';
import { startMqttAlertPublisher } from './adapters/mqtt-alert-publisher.js';
import { createRedisAlertState } from './adapters/redis-alert-state.js';
import { WebhookError, sendWebhook } from './adapters/webhook-sender.js';
import { runCheck, type CheckDeps } from './checks/run-check.js';
import type { AlertsConfig } from './config.js';
import { dailySchedules } from './daily-schedule.js';
import { deliverAlert } from './deliver-alert.js';
import { createAlertsMetrics } from './metrics.js';

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

/**
 * Starts the alerts service: evaluates the alert rules when the worker, ingest or the daily scheduler
 * says something happened (alert-checks queue), delivers each alert once per channel (alerts queue:
 * MQTT, console, TSDB; webhooks queue: signed POSTs with backoff) and keeps the live console's state.
 */
export async function startAlerts(config: AlertsConfig, logger: Logger, overrides: AlertsOverrides = {}): Promise<AlertsService> {
  const alertConfig = overrides.alertConfig ?? loadAlertConfig(config.ALERTS_CONFIG_FILE);
  const model = overrides.model ?? loadModelSettings(config.MODEL_CONSTANTS_FILE, 'alerts');
  const clock = overrides.clock ?? Date.now;
  const registry = overrides.registry ?? createRegistry();
  const metrics = createAlertsMetrics(registry);
  const keys = redisKeys(config.REDIS_PREFIX);
  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, name: 'neurolift-alerts', retryForever: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));

  const state = createRedisAlertState(redis, keys);
  const queues = createAlertQueues(redis, config.REDIS_PREFIX, { attempts: config.WEBHOOK_ATTEMPTS, backoffMs: config.WEBHOOK_BACKOFF_MS });
  const sink = overrides.sink ?? influxSinkFromSettings(config, logger);
  // An alert's point goes to the bucket of its gym's tenant, as the worker's points of the gym do.
  const buckets = await startTenantBuckets(redis, config, logger, overrides.registryView);
  const publisher = await startMqttAlertPublisher({
    url: config.MQTT_URL,
    clientId: config.ALERTS_MQTT_CLIENT_ID,
    username: config.ALERTS_MQTT_USERNAME ?? config.MQTT_USERNAME,
    password: config.ALERTS_MQTT_PASSWORD ?? config.MQTT_PASSWORD,
    logger: logger.child({ component: 'mqtt' }),
  });

  const checkDeps: CheckDeps = {
    state,
    athletes: createRedisAthleteStore(redis, keys),
    live: state,
    queues,
    config: alertConfig,
    model,
    clock,
    heartRate: createRedisHeartRateStore({ redis, keys }),
    inSetMaxAgeMs: config.ALERT_IN_SET_MAX_AGE_MS,
    sessionEndSettleMs: config.ALERT_SESSION_END_SETTLE_MS,
  };
  const common = {
    connection: redis,
    prefix: config.REDIS_PREFIX,
    concurrency: config.ALERTS_CONCURRENCY,
    deadLetters: createRedisDeadLetters(redis, keys, config.DEAD_LETTER_MAX),
    // A job's dead letter (its alert, its webhook's failure) is for its gym's tenant.
    tenantOf: (data: unknown) => tenantOfJob(data, buckets.tenantOfGym),
    metrics,
    logger,
  };
  const workers = [
    startQueueWorker({ ...common, queue: QUEUES.alertChecks, schema: AlertCheckJob, process: (job) => runCheck(job, checkDeps) }),
    startQueueWorker({
      ...common,
      queue: QUEUES.alerts,
      schema: AlertJob,
      process: async ({ alert }) => {
        const outcome = await deliverAlert(alert, { ledger: state, publisher, live: state, sink, bucketOfGym: buckets.bucketOfGym, queues, config: alertConfig, clock, pushMaxAgeMs: config.ALERT_PUSH_MAX_AGE_MS });
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
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  // One scheduler per gym with its own local time, plus one for every other gym. Upserting is
  // idempotent, so every instance may do it at start; schedulers of gyms removed from the file go.
  const schedules = dailySchedules(alertConfig);
  for (const schedule of schedules) {
    await queues.checks.upsertJobScheduler(
      schedule.id,
      { pattern: schedule.pattern, tz: schedule.timeZone },
      {
        name: 'daily',
        data: { v: 1, kind: 'daily', ...(schedule.gymId === undefined ? {} : { gymId: schedule.gymId }) } satisfies AlertCheckJob,
        opts: JOB_OPTIONS.alertChecksAfterSet,
      },
    );
  }
  const wanted = new Set(schedules.map((schedule) => schedule.id));
  for (const existing of await queues.checks.getJobSchedulers()) {
    if (existing.key.startsWith('daily.') && !wanted.has(existing.key)) await queues.checks.removeJobScheduler(existing.key);
  }

  return {
    ready: () => redis.status === 'ready' && publisher.connected() && workers.every((worker) => worker.isRunning()),
    close: once(() =>
      closeAll([
        () => Promise.all(workers.map((worker) => worker.close())).then(() => undefined),
        () => publisher.close(),
        () => queues.close(),
        async () => buckets.stop(),
        () => redis.quit().then(() => undefined),
      ]),
    ),
  };
}
