import { DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { env } from '@neurolift/platform';
import type { TsdbEraserOptions } from '@neurolift/storage';
import { z } from 'zod';
import { redisClusterNodesSetting, redisShardsSetting } from '@neurolift/storage';

/** Which TSDB delete API the erasure endpoint calls; `none` leaves the TSDB to the operator. */
export const TsdbDeleteApi = z.enum(['influxdb2', 'victoriametrics', 'none']);
export type TsdbDeleteApi = z.infer<typeof TsdbDeleteApi>;

/**
 * The api's settings that the all-in-one pipeline merges with the other services' (it takes
 * `ApiConfigSchema.shape`). The TSDB connection (INFLUX_*) is not among them: in the pipeline the worker
 * already requires it, and an optional declaration here would override that. The api alone loads
 * ApiServiceConfigSchema.
 */
export const ApiConfigSchema = z.object({
  REDIS_URL: env.url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().min(1).default(DEFAULT_REDIS_PREFIX),
  /** REDIS_URL is one node of a Redis Cluster (each shard's keys share its prefix's hash slot). */
  REDIS_CLUSTER: env.bool().default(false),
  /** More cluster nodes to start from besides REDIS_URL's, `host:port,host:port` (the credentials are REDIS_URL's). */
  REDIS_CLUSTER_NODES: redisClusterNodesSetting(),
  /** How many hash-tagged shards the data and queues are spread over (`{nl:0}`…); the same on every service. */
  REDIS_SHARDS: redisShardsSetting(),
  API_PORT: env.int({ min: 0, max: 65_535 }).default(8080),
  API_HOST: z.string().default('0.0.0.0'),
  /** Bearer token every /v1 route requires; at least 16 characters. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /**
   * The broker's dynamic security plugin, driven as BROKER_ADMIN_USERNAME: with a password, device
   * changes through the API reach the broker live; without, only the registry changes (open deployments).
   */
  BROKER_ADMIN_URL: env.url(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']).optional(),
  BROKER_ADMIN_USERNAME: z.string().min(1).default('neurolift.admin'),
  BROKER_ADMIN_PASSWORD: z.string().min(1).optional(),
  /** How long the audit log keeps an admin action, days, and how many it keeps per tenant at most. */
  AUDIT_RETENTION_DAYS: env.int({ min: 1, max: 3650 }).default(400),
  AUDIT_MAX_ENTRIES: env.int({ min: 100, max: 10_000_000 }).default(100_000),
  /** How often the registry's version is read, ms. */
  REGISTRY_POLL_MS: env.int({ min: 50, max: 60_000 }).default(1000),
  /** The TSDB delete API of `DELETE /v1/athletes/:athleteId` (production runs InfluxDB 2.x). */
  TSDB_DELETE_API: TsdbDeleteApi.default('influxdb2'),
  LOG_LEVEL: env.logLevel().default('info'),
});

/** The TSDB the erasure deletes from: the same names, and values, as the worker's write settings. */
const TsdbConnection = z.object({
  INFLUX_URL: env.url(['http:', 'https:']).optional(),
  INFLUX_TOKEN: z.string().min(1).optional(),
  INFLUX_ORG: z.string().min(1).optional(),
  INFLUX_BUCKET: z.string().min(1).optional(),
});
export type TsdbConnection = z.infer<typeof TsdbConnection>;

/** The settings each delete API needs; VictoriaMetrics ignores token, org and bucket. */
export const TSDB_DELETE_SETTINGS = {
  influxdb2: ['INFLUX_URL', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN'],
  victoriametrics: ['INFLUX_URL'],
  none: [],
} as const satisfies Record<TsdbDeleteApi, ReadonlyArray<keyof TsdbConnection>>;

/** The settings `TSDB_DELETE_API` needs that `config` lacks, in a stable order. */
export function missingTsdbSettings(config: { readonly TSDB_DELETE_API: TsdbDeleteApi } & TsdbConnection): Array<keyof TsdbConnection> {
  return TSDB_DELETE_SETTINGS[config.TSDB_DELETE_API].filter((name) => config[name] === undefined);
}

/**
 * Every setting of the api service when it runs alone, read from the environment by main.ts; any may
 * come from `<NAME>_FILE`. INFLUX_* are required unless TSDB_DELETE_API is `none`, and a missing one is
 * named in the error.
 */
export const ApiServiceConfigSchema = ApiConfigSchema.extend(TsdbConnection.shape).superRefine(
  (config, context) => {
    for (const name of missingTsdbSettings(config)) {
      context.addIssue({ code: 'custom', path: [name], message: `is required when TSDB_DELETE_API is ${config.TSDB_DELETE_API} (set ${name} or ${name}_FILE)` });
    }
    if (config.BROKER_ADMIN_PASSWORD !== undefined && config.BROKER_ADMIN_URL === undefined) {
      context.addIssue({ code: 'custom', path: ['BROKER_ADMIN_URL'], message: 'is required when BROKER_ADMIN_PASSWORD is set (the broker whose devices the API manages)' });
    }
  },
  // Only once every setting is valid on its own (zod would also run it after some bad values): a start
  // with bad settings lists exactly those, and the TSDB ones at the next start.
  { when: (payload) => payload.issues.length === 0 },
);
export type ApiConfig = z.infer<typeof ApiServiceConfigSchema>;

/** What TSDB_DELETE_API asks for: no TSDB delete, an eraser's options, or the settings it lacks. */
export type TsdbEraserPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'eraser'; readonly options: TsdbEraserOptions }
  | { readonly kind: 'missing'; readonly missing: ReadonlyArray<keyof TsdbConnection> };

/**
 * The TSDB eraser the settings describe. `missing` happens only when the config did not come from
 * ApiServiceConfigSchema (tests start the api from ApiConfigSchema alone).
 */
export function planTsdbEraser(config: { readonly TSDB_DELETE_API: TsdbDeleteApi } & TsdbConnection, timeoutMs: number): TsdbEraserPlan {
  const missing = missingTsdbSettings(config);
  const { INFLUX_URL: url, INFLUX_TOKEN: token, INFLUX_ORG: org, INFLUX_BUCKET: bucket } = config;
  switch (config.TSDB_DELETE_API) {
    case 'none':
      return { kind: 'none' };
    case 'victoriametrics':
      return url === undefined ? { kind: 'missing', missing } : { kind: 'eraser', options: { api: 'victoriametrics', url, timeoutMs } };
    case 'influxdb2':
      return url === undefined || token === undefined || org === undefined || bucket === undefined
        ? { kind: 'missing', missing }
        : { kind: 'eraser', options: { api: 'influxdb2', url, token, org, bucket, timeoutMs } };
  }
}
