import { DEFAULT_TENANT } from '@neurolift/contracts';
import { closeAll, createRegistry, once, PipelineError, registerHealthRoutes, type HealthChecks, type Logger, type Registry } from '@neurolift/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRedisConnection, createTsdbEraser, shardLayoutOf, type TsdbEraser } from '@neurolift/storage';
import { createRedisDeadLetterReader, createRedisProfileStore } from './adapters/redis-api-store.js';
import { createRedisAthleteDirectory } from './adapters/redis-athlete-directory.js';
import { createRedisAthleteEraser } from './adapters/redis-athlete-eraser.js';
import { connectBroker } from './broker-connection.js';
import { createRedisLiveStateReader } from './adapters/redis-live-state.js';
import { createRedisPubSub } from './adapters/redis-pubsub.js';
import { apiKeysOf } from './adapters/shard-keys.js';
import { createAthleteErasure, type AthleteErasure } from './athlete-erasure.js';
import { planTsdbEraser, type ApiConfig } from './config.js';
import { loadConsoleAssets, type ConsoleAssets } from './console/console-assets.js';
import { createErasureMetrics } from './erasure-metrics.js';
import { createLiveFanout } from './live-fanout.js';
import { createLiveMetrics } from './live-metrics.js';
import { accessStillHolds, registerAccessControl, type AccessDeps } from './access/access-hook.js';
import { ROUTE_ACCESS } from './access/route-access.js';
import type { AthleteOwners, DeadLetterReader, LiveFeed, LiveStateReader, ProfileStore } from './ports.js';
import { registerDeviceRoutes } from './routes/devices.js';
import { registerTenancyRoutes } from './routes/tenancy.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerErasureRoutes } from './routes/athletes-erasure.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerV1Routes } from './routes/v1.js';
import type { SseOptions } from './sse-stream.js';
import {
  createRedisAuditLog,
  createRedisRegistryStore,
  createRedisTokenStore,
  createRegistryAdmin,
  startRegistryView,
  tenancyKeys,
  type AuditLog,
  type RegistryAdmin,
  type RegistryStore,
} from '@neurolift/tenancy';

/** Alerts the console loads with a snapshot, newest first. */
export const LIVE_ALERTS_MAX = 50;
/** One TSDB delete's timeout, ms: within the 30 s athlete lock the erasure holds meanwhile. */
export const TSDB_DELETE_TIMEOUT_MS = 20_000;

export interface ApiDeps {
  /** Who may call what: the bootstrap token, scoped tokens, the registry and athlete owners. */
  readonly access: Omit<AccessDeps, 'table' | 'clock'>;
  /** The registry's admin operations (devices, gyms, tokens, tenants). */
  readonly admin: RegistryAdmin;
  readonly registryStore: Pick<RegistryStore, 'listTenants'>;
  readonly audit: AuditLog;
  readonly owners: AthleteOwners;
  /** A tenant's TSDB bucket for erasures; undefined: the default tenant's (INFLUX_BUCKET). */
  readonly bucketOf?: (tenantId: string) => string | undefined;
  readonly clock?: () => number;
  readonly deadLetters: DeadLetterReader;
  readonly profiles: ProfileStore;
  /** `DELETE /v1/athletes/:athleteId`. */
  readonly erasure: AthleteErasure;
  readonly liveState: LiveStateReader;
  readonly liveFeed: LiveFeed;
  readonly registry: Registry;
  readonly checks: HealthChecks;
  /** Where the live routes report trouble and erasures are audited (default: nowhere). */
  readonly logger?: Logger;
  /** Default: the files of src/console/page. */
  readonly consoleAssets?: ConsoleAssets;
  /** Heartbeat and limits of the event stream (tests shorten the heartbeat). */
  readonly sse?: Partial<SseOptions>;
  /** How often the event stream sends the athletes' heart rate, ms (default 5000). */
  readonly heartRateMs?: number;
  /** How often an open event stream re-checks its caller's access, ms (default 5000). */
  readonly accessRecheckMs?: number;
}

/** Builds the Fastify app without listening (tests use `app.inject`). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  // No Fastify logger: it would log URLs, and the event stream's carry `?token=`.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const clock = deps.clock ?? Date.now;
  const access = { ...deps.access, table: ROUTE_ACCESS, clock };
  registerAccessControl(app, access);
  registerHealthRoutes(app, deps.checks, deps.registry);
  registerV1Routes(app, { ...deps, clock });
  registerErasureRoutes(app, { ...deps, clock, bucketOf: deps.bucketOf ?? (() => undefined), metrics: createErasureMetrics(deps.registry) });
  registerLiveRoutes(app, { ...deps, stillAllowed: (request) => accessStillHolds(access, request), ...(deps.accessRecheckMs === undefined ? {} : { accessRecheckMs: deps.accessRecheckMs }) });
  registerDeviceRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerTenancyRoutes(app, { admin: deps.admin, store: deps.registryStore, audit: deps.audit });
  registerConsoleRoutes(app, deps.consoleAssets ?? loadConsoleAssets());
  return app;
}

export interface ApiOverrides {
  readonly registry?: Registry;
  /** Readiness of the services sharing this process (all-in-one pipeline). */
  readonly ready?: () => boolean;
  /** How often open event streams re-check access, ms (tests shorten it). */
  readonly accessRecheckMs?: number;
}

export interface ApiService {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The TSDB side of an erasure as the settings say; undefined for TSDB_DELETE_API=none. Settings missing
 * (a config that bypassed ApiServiceConfigSchema) give an eraser whose every delete fails, naming them.
 */
function createConfiguredTsdbEraser(config: ApiConfig, logger: Logger): TsdbEraser | undefined {
  const plan = planTsdbEraser(config, TSDB_DELETE_TIMEOUT_MS);
  switch (plan.kind) {
    case 'none':
      return undefined;
    case 'eraser':
      return createTsdbEraser(plan.options);
    case 'missing': {
      const error = new PipelineError('NL_ERR_TSDB_NOT_CONFIGURED', `TSDB_DELETE_API is ${config.TSDB_DELETE_API} but ${plan.missing.join(', ')} not set`, false);
      logger.warn({ missing: plan.missing }, 'athlete erasure cannot reach the TSDB: settings missing');
      return {
        deleteSeries: async () => {
          throw error;
        },
      };
    }
  }
}

/** Starts the api service: health, metrics, dead letters, athlete profiles and erasure, the live coach console. */
export async function startApi(config: ApiConfig, logger: Logger, overrides: ApiOverrides = {}): Promise<ApiService> {
  const layout = shardLayoutOf('api', config);
  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: 'neurolift-api' });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  // One subscriber connection for every console client of every gym (a subscribed connection runs nothing else).
  const subscriber = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: 'neurolift-api-live' });
  subscriber.on('error', (error) => logger.warn({ err: error }, 'redis subscriber error'));
  // The control plane (registry, tokens, audit, the set of gyms) is under the prefix; athletes' owners in their shards.
  const tenancy = tenancyKeys(layout.control);
  const registryStore = createRedisRegistryStore(redis, tenancy, layout.athleteKeys);
  const registryView = await startRegistryView({
    store: registryStore,
    defaultBucket: config.INFLUX_BUCKET ?? '',
    pollMs: config.REGISTRY_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'device registry read failed; the last one read stays in use'),
  });
  // A gym's keys are in the shard of its tenant (the registry's) and id.
  const keys = apiKeysOf(layout, (gymId) => registryView.tenantOfGym(gymId));
  const registry = overrides.registry ?? createRegistry();
  // The client gauge reads the feed at scrape time only, after both exist.
  const metrics = createLiveMetrics(registry, () => liveFeed.listenerCount());
  const liveFeed = createLiveFanout({
    pubsub: createRedisPubSub(subscriber),
    channel: (gymId) => keys.gym(gymId).liveChannel(gymId),
    onMessage: (outcome, gymId) => {
      metrics.messages.inc({ outcome });
      if (outcome !== 'forwarded') logger.warn({ gymId, outcome }, 'live message dropped');
    },
    onError: (error, gymId) => logger.warn({ err: error, gymId }, 'live unsubscribe failed'),
  });
  const tokens = createRedisTokenStore(redis, tenancy);
  const audit = createRedisAuditLog(redis, tenancy, { maxAgeMs: config.AUDIT_RETENTION_DAYS * 86_400_000, maxEntries: config.AUDIT_MAX_ENTRIES });
  const athletes = createRedisAthleteDirectory(redis, keys, registryStore);
  const broker = await connectBroker(config, logger);
  const app = buildApi({
    access: { bootstrapToken: config.API_TOKEN, tokens, view: registryView, athletes },
    admin: createRegistryAdmin({
      store: registryStore,
      tokens,
      audit,
      clock: Date.now,
      ...(config.INFLUX_BUCKET === undefined ? {} : { defaultBucket: config.INFLUX_BUCKET }),
      ...(broker === undefined ? {} : { broker: broker.access }),
    }),
    registryStore,
    audit,
    owners: athletes,
    ...(overrides.accessRecheckMs === undefined ? {} : { accessRecheckMs: overrides.accessRecheckMs }),
    bucketOf: (tenantId) => (tenantId === DEFAULT_TENANT ? undefined : registryView.bucketOf(tenantId)),
    deadLetters: createRedisDeadLetterReader(redis, keys),
    profiles: createRedisProfileStore(redis, keys),
    erasure: createAthleteErasure({ redis: createRedisAthleteEraser(redis, keys), tsdb: createConfiguredTsdbEraser(config, logger) }),
    liveState: createRedisLiveStateReader(redis, keys, {
      maxAlerts: LIVE_ALERTS_MAX,
      onInvalid: (entry, gymId) => {
        metrics.invalidState.inc({ entry });
        logger.warn({ gymId, entry }, 'invalid live state entry skipped');
      },
    }),
    liveFeed,
    registry,
    logger,
    checks: { live: () => true, ready: () => redis.status === 'ready' && (overrides.ready?.() ?? true) },
  });
  const close = once(() =>
    closeAll([
      () => app.close(),
      async () => registryView.stop(),
      async () => broker?.close(),
      () => subscriber.quit().then(() => undefined),
      () => redis.quit().then(() => undefined),
    ]),
  );
  let url: string;
  try {
    url = await app.listen({ port: config.API_PORT, host: config.API_HOST });
  } catch (error) {
    await close().catch(() => undefined); // the listen error is the one worth reporting
    throw error;
  }
  logger.info({ url }, 'api listening');
  return { url, close };
}
