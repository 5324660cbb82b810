import type { ShardLayout } from '@neurolift/contracts';
import type { Logger } from '@neurolift/platform';
import type { RedisClient } from '@neurolift/storage';
import { createRedisRegistryStore, startRegistryView, tenancyKeys } from '@neurolift/tenancy';
import { createAthleteOwners } from './athlete-owners.js';
import { createJobTenancy, type JobTenancy, type JobTenancyView } from './job-tenancy.js';

export interface WorkerTenancySettings {
  /** The control plane's prefix (the registry) and where each athlete's owner is kept. */
  readonly layout: Pick<ShardLayout, 'control' | 'athleteKeys'>;
  /** The default tenant's bucket. */
  readonly INFLUX_BUCKET: string;
  readonly REGISTRY_POLL_MS: number;
}

export interface WorkerTenancy {
  readonly tenancy: JobTenancy;
  /** Stops reading the registry (not a view passed in: its owner stops it). */
  readonly stop: () => void;
}

/**
 * The registry as the worker reads it: gyms' tenants and buckets from a view refreshed every
 * REGISTRY_POLL_MS (or the one given), athletes' owners from Redis through the owner cache.
 */
export async function startWorkerTenancy(redis: RedisClient, settings: WorkerTenancySettings, logger: Logger, view?: JobTenancyView): Promise<WorkerTenancy> {
  const store = createRedisRegistryStore(redis, tenancyKeys(settings.layout.control), settings.layout.athleteKeys);
  const owners = createAthleteOwners({ claim: (athleteId, tenantId) => store.claimAthlete(athleteId, tenantId) });
  if (view !== undefined) return { tenancy: createJobTenancy(view, owners), stop: () => undefined };
  const live = await startRegistryView({
    store,
    defaultBucket: settings.INFLUX_BUCKET,
    pollMs: settings.REGISTRY_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'device registry read failed; the last one read stays in use'),
  });
  return { tenancy: createJobTenancy(live, owners), stop: () => live.stop() };
}
