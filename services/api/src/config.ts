import { DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { env } from '@neurolift/platform';
import { z } from 'zod';

/** Every setting of the api service, read from the environment by main.ts. */
export const ApiConfigSchema = z.object({
  REDIS_URL: env.url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().min(1).default(DEFAULT_REDIS_PREFIX),
  /** REDIS_URL is one node of a Redis Cluster (every key shares the prefix's hash slot). */
  REDIS_CLUSTER: env.bool().default(false),
  API_PORT: env.int({ min: 0, max: 65_535 }).default(8080),
  API_HOST: z.string().default('0.0.0.0'),
  /** Bearer token every /v1 route requires; at least 16 characters. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  LOG_LEVEL: env.logLevel().default('info'),
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;
