import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_MS, DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { env } from '@neurolift/platform';
import { z } from 'zod';
import { redisClusterNodesSetting, redisShardsSetting } from '@neurolift/storage';

/** Every setting of the ingest service, read from the environment by main.ts. */
export const IngestConfigSchema = z.object({
  MQTT_URL: env.url(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  /** Fixed client id: the broker keeps this session's queue while ingest restarts. */
  MQTT_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ -').default('neurolift-ingest'),
  /** MQTT 5 session expiry: how long the broker queues messages for a stopped ingest, seconds. */
  MQTT_SESSION_EXPIRY_S: env.int({ min: 60 }).default(7 * 24 * 3600),
  /** When set, subscribe as `$share/<group>/gym/v1/#` so several ingest instances share the stream. */
  INGEST_SHARED_GROUP: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ -').optional(),
  REDIS_URL: env.url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().min(1).default(DEFAULT_REDIS_PREFIX),
  /** REDIS_URL is one node of a Redis Cluster (each shard's keys share its prefix's hash slot). */
  REDIS_CLUSTER: env.bool().default(false),
  /** More cluster nodes to start from besides REDIS_URL's, `host:port,host:port` (the credentials are REDIS_URL's). */
  REDIS_CLUSTER_NODES: redisClusterNodesSetting(),
  /** How many hash-tagged shards the data and queues are spread over (`{nl:0}`…); the same on every service. */
  REDIS_SHARDS: redisShardsSetting(),
  /**
   * Replicas that must hold each commit before its messages are acknowledged (Redis WAIT after each shard's
   * MULTI); 0: acknowledge once the master has it. Short of them, the commit is retried, not acknowledged.
   */
  INGEST_REDIS_WAIT_REPLICAS: env.int({ min: 0, max: 16 }).default(0),
  /** How long one WAIT blocks for the replicas, ms. */
  INGEST_REDIS_WAIT_TIMEOUT_MS: env.int({ min: 1, max: 60_000 }).default(1000),
  /** A set closes after this long without a rep, ms. */
  SET_IDLE_TIMEOUT_MS: env.int({ min: 100 }).default(30_000),
  /** Messages per Redis round trip, at most. */
  INGEST_BATCH_MAX: env.int({ min: 1, max: 10_000 }).default(1000),
  /** How long a batch waits for more messages before it commits, ms. */
  INGEST_BATCH_WAIT_MS: env.int({ min: 0, max: 1000 }).default(10),
  /** Unacknowledged messages held at once; past it, intake pauses (backpressure to the broker). */
  INGEST_MAX_IN_FLIGHT: env.int({ min: 1, max: 65_535 }).default(5000),
  /** Per-station rate limit (token bucket): messages a second on average, and at once; the excess is dead-lettered `rate_limited`. */
  INGEST_STATION_RATE_PER_S: env.int({ min: 1, max: 1_000_000 }).default(100),
  INGEST_STATION_BURST: env.int({ min: 1, max: 1_000_000 }).default(1000),
  /**
   * `open`: stations the device registry does not know are taken into the default tenant (a single-tenant
   * deployment needs no registry). `enforce`: every station must be registered; others are dead-lettered.
   * Other tenants' gyms are enforced in both modes.
   */
  DEVICE_REGISTRY: z.enum(['open', 'enforce']).default('open'),
  /** How often the registry's version is read, ms: a registry change reaches ingest within this. */
  REGISTRY_POLL_MS: env.int({ min: 50, max: 60_000 }).default(1000),
  DEAD_LETTER_MAX: env.int({ min: 1 }).default(10_000),
  DEAD_LETTER_PAYLOAD_BYTES: env.int({ min: 64, max: 65_536 }).default(4096),
  TIME_MAX_FUTURE_MS: env.int({ min: 0 }).default(DEFAULT_MAX_FUTURE_MS),
  TIME_MAX_AGE_MS: env.int({ min: 1 }).default(DEFAULT_MAX_AGE_MS),
  /** Port of /healthz, /readyz and /metrics when ingest runs alone; 0 disables it. */
  METRICS_PORT: env.int({ min: 0, max: 65_535 }).default(9101),
  LOG_LEVEL: env.logLevel().default('info'),
});
export type IngestConfig = z.infer<typeof IngestConfigSchema>;
