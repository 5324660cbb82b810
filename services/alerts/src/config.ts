import { DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { env } from '@neurolift/platform';
import { z } from 'zod';
import { consumeShardsSetting, redisClusterNodesSetting, redisShardsSetting } from '@neurolift/storage';

/** Every setting of the alerts service, read from the environment by main.ts. */
export const AlertsConfigSchema = z.object({
  REDIS_URL: env.url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().min(1).default(DEFAULT_REDIS_PREFIX),
  /** REDIS_URL is one node of a Redis Cluster (each shard's keys share its prefix's hash slot). */
  REDIS_CLUSTER: env.bool().default(false),
  /** More cluster nodes to start from besides REDIS_URL's, `host:port,host:port` (the credentials are REDIS_URL's). */
  REDIS_CLUSTER_NODES: redisClusterNodesSetting(),
  /** How many hash-tagged shards the data and queues are spread over (`{nl:0}`…); the same on every service. */
  REDIS_SHARDS: redisShardsSetting(),
  /** The shards whose queues this process takes jobs from, e.g. `0-5` (unset: all). */
  CONSUME_SHARDS: consumeShardsSetting(),
  MQTT_URL: env.url(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  /** The alerts service's broker user (it publishes gym/v1/+/alerts); MQTT_USERNAME/MQTT_PASSWORD when unset. */
  ALERTS_MQTT_USERNAME: z.string().optional(),
  ALERTS_MQTT_PASSWORD: z.string().optional(),
  /** The alerts service's own MQTT client id (ingest has MQTT_CLIENT_ID). */
  ALERTS_MQTT_CLIENT_ID: z.string().min(1).max(128).default('neurolift-alerts'),
  INFLUX_URL: env.url(['http:', 'https:']),
  INFLUX_TOKEN: z.string().min(1),
  INFLUX_ORG: z.string().min(1),
  /** The default tenant's bucket (other tenants' are in the device registry). */
  INFLUX_BUCKET: z.string().min(1),
  INFLUX_TIMEOUT_MS: env.int({ min: 100 }).default(10_000),
  /** JSON file of per-gym thresholds, daily run times, cooldowns and webhooks (docs/alerts.md); the spec's defaults without it. */
  ALERTS_CONFIG_FILE: z.string().optional(),
  /** The model constants overrides the worker uses, so alert values match the stored ones. */
  MODEL_CONSTANTS_FILE: z.string().optional(),
  /** Jobs processed at once per alerts queue. */
  ALERTS_CONCURRENCY: env.int({ min: 1, max: 1000 }).default(8),
  /** Attempts of a webhook POST before it is dead-lettered (exponential backoff from WEBHOOK_BACKOFF_MS). */
  WEBHOOK_ATTEMPTS: env.int({ min: 1, max: 50 }).default(10),
  WEBHOOK_BACKOFF_MS: env.int({ min: 10, max: 3_600_000 }).default(2000),
  WEBHOOK_TIMEOUT_MS: env.int({ min: 100, max: 120_000 }).default(5000),
  /** In-set and station alerts older than this (device time) are recorded but not pushed (MQTT, webhook): after an outage or a late upload the moment has passed. */
  ALERT_PUSH_MAX_AGE_MS: env.int({ min: 0 }).default(15 * 60_000),
  /**
   * A rep whose device time is older than this when its in-set check runs raises no in-set alert (near failure,
   * partial rep, high fatigue during the set) and its set is not shown live on the console: a late upload is
   * judged by the set-close, session and daily rules only (decision 0019).
   */
  ALERT_IN_SET_MAX_AGE_MS: env.int({ min: 0 }).default(5 * 60_000),
  /**
   * A session-end check runs no sooner than this after its set closed, however old the session: a late upload's
   * later sets of the session arrive within it, and the session is judged whole (not at its first set).
   */
  ALERT_SESSION_END_SETTLE_MS: env.int({ min: 0, max: 24 * 3_600_000 }).default(5 * 60_000),
  /** How often the device registry's version is read, ms: a tenant's new gym or bucket reaches the alerts service within this. */
  REGISTRY_POLL_MS: env.int({ min: 50, max: 60_000 }).default(1000),
  DEAD_LETTER_MAX: env.int({ min: 1 }).default(10_000),
  /** Port of /healthz, /readyz and /metrics when the service runs alone; 0 disables it. */
  METRICS_PORT: env.int({ min: 0, max: 65_535 }).default(9103),
  LOG_LEVEL: env.logLevel().default('info'),
});
export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;
