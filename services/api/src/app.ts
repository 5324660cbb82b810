import { redisKeys } from '@neurolift/contracts';
import { closeAll, createRegistry, once, registerHealthRoutes, type HealthChecks, type Logger, type Registry } from '@neurolift/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createRedisDeadLetterReader, createRedisProfileStore } from './adapters/redis-api-store.js';
import type { ApiConfig } from './config.js';
import type { DeadLetterReader, ProfileStore } from './ports.js';
import { registerV1Routes } from './routes/v1.js';

export interface ApiDeps {
  readonly token: string;
  readonly deadLetters: DeadLetterReader;
  readonly profiles: ProfileStore;
  readonly registry: Registry;
  readonly checks: HealthChecks;
}

/** Builds the Fastify app without listening (tests use `app.inject`). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  registerHealthRoutes(app, deps.checks, deps.registry);
  registerV1Routes(app, deps);
  return app;
}

export interface ApiOverrides {
  readonly registry?: Registry;
  /** Readiness of the services sharing this process (all-in-one pipeline). */
  readonly ready?: () => boolean;
}

export interface ApiService {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the api service: health, metrics, dead letters, athlete profiles. */
export async function startApi(config: ApiConfig, logger: Logger, overrides: ApiOverrides = {}): Promise<ApiService> {
  const redis = new Redis(config.REDIS_URL, { connectionName: 'neurolift-api' });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  const keys = redisKeys(config.REDIS_PREFIX);
  const app = buildApi({
    token: config.API_TOKEN,
    deadLetters: createRedisDeadLetterReader(redis, keys),
    profiles: createRedisProfileStore(redis, keys),
    registry: overrides.registry ?? createRegistry(),
    checks: { live: () => true, ready: () => redis.status === 'ready' && (overrides.ready?.() ?? true) },
  });
  const url = await app.listen({ port: config.API_PORT, host: config.API_HOST });
  logger.info({ url }, 'api listening');
  return {
    url,
    close: once(() => closeAll([() => app.close(), () => redis.quit().then(() => undefined)])),
  };
}
