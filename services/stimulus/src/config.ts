import { DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { env } from '@neurolift/platform';
import { z } from 'zod';
import { consumeShardsSetting, redisClusterNodesSetting, redisShardsSetting } from '@neurolift/storage';

/** Every setting of the stimulus worker, read from the environment by main.ts. */
export const WorkerConfigSchema = z.object({
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
  INFLUX_URL: env.url(['http:', 'https:']),
  INFLUX_TOKEN: z.string().min(1),
  INFLUX_ORG: z.string().min(1),
  /** The default tenant's bucket (other tenants' are in the device registry). */
  INFLUX_BUCKET: z.string().min(1),
  /** One write request's timeout, ms. */
  INFLUX_TIMEOUT_MS: env.int({ min: 100 }).default(10_000),
  /** Jobs processed at once per queue. */
  WORKER_CONCURRENCY: env.int({ min: 1, max: 1000 }).default(8),
  /**
   * How long a set job holds back, at most, while rep or samples jobs run in this worker or wait in their queues, ms
   * (foreground-gate.ts); 0 lets set jobs compete with them.
   */
  WORKER_SET_YIELD_MS: env.int({ min: 0, max: 60_000 }).default(1000),
  /** How often the device registry's version is read, ms: a tenant's new gym or bucket reaches the worker within this. */
  REGISTRY_POLL_MS: env.int({ min: 50, max: 60_000 }).default(1000),
  DEAD_LETTER_MAX: env.int({ min: 1 }).default(10_000),
  /** How long a closed set's job waits for sample blocks of the set still queued for segmentation, ms. */
  SEGMENTER_SETTLE_MS: env.int({ min: 0, max: 600_000 }).default(10_000),
  /**
   * Sample or imu blocks older than this (device time against the worker's clock) are a late upload: the
   * segmenter waits for every gap until the set ends, so out-of-order blocks give the reps of in-order
   * delivery. 0: every set is segmented live (gaps given up after 2 s of later samples).
   */
  SEGMENTER_LIVE_WINDOW_MS: env.int({ min: 0, max: 7 * 86_400_000 }).default(300_000),
  /** JSON file of model constant overrides (see docs/model.md); outputs then carry their own model id. */
  MODEL_CONSTANTS_FILE: z.string().optional(),
  /** Port of /healthz, /readyz and /metrics when the worker runs alone; 0 disables it. */
  METRICS_PORT: env.int({ min: 0, max: 65_535 }).default(9102),
  LOG_LEVEL: env.logLevel().default('info'),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
