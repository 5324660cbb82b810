import type { ShardLayout } from '@neurolift/contracts';
import type { Logger } from '@neurolift/platform';
import type { RedisClient } from '@neurolift/storage';
import { createRedisRegistryStore, startRegistryView, tenancyKeys, type RegistryView } from '@neurolift/tenancy';

export interface TenantBuckets {
  /** The gym's tenant (the default tenant for a gym never registered): whose an alert job's dead letters are. */
  readonly tenantOfGym: (gymId: string) => string;
  /** The TSDB bucket of the gym's tenant (INFLUX_BUCKET for the default tenant's gyms). */
  readonly bucketOfGym: (gymId: string) => string;
  /** Stops reading the registry (not a view passed in: its owner stops it). */
  readonly stop: () => void;
}

/**
 * Where an alert's point goes (the bucket of its gym's tenant), whose its dead letters are and (with the
 * layout) which shard a gym is in, from the device registry on the control plane read every `pollMs` (or the view given).
 */
export async function startTenantBuckets(
  redis: RedisClient,
  layout: Pick<ShardLayout, 'control' | 'athleteKeys'>,
  settings: { readonly INFLUX_BUCKET: string; readonly REGISTRY_POLL_MS: number },
  logger: Logger,
  given?: Pick<RegistryView, 'tenantOfGym' | 'bucketOf'>,
): Promise<TenantBuckets> {
  const bucketsOf = (view: Pick<RegistryView, 'tenantOfGym' | 'bucketOf'>, stop: () => void): TenantBuckets => ({
    tenantOfGym: (gymId) => view.tenantOfGym(gymId),
    bucketOfGym: (gymId) => view.bucketOf(view.tenantOfGym(gymId)),
    stop,
  });
  if (given !== undefined) return bucketsOf(given, () => undefined);
  const live = await startRegistryView({
    store: createRedisRegistryStore(redis, tenancyKeys(layout.control), (athleteId) => layout.athleteKeys(athleteId)),
    defaultBucket: settings.INFLUX_BUCKET,
    pollMs: settings.REGISTRY_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'device registry read failed; the last one read stays in use'),
  });
  return bucketsOf(live, () => live.stop());
}
