import type { WorkerDeadLetter } from '@neurolift/storage';
import type { RegistryView } from '@neurolift/tenancy';
import type { PointSink } from '../ports.js';
import type { AthleteOwners } from './athlete-owners.js';

/**
 * What a job needs of tenancy: its gym's tenant (where its points go: the tenant's bucket) and whether an
 * athlete may be stored for that tenant. A job asks for the tenant once and passes it on, so a registry
 * change in the middle of a job cannot split it between two tenants.
 */
export interface JobTenancy {
  /** The default tenant for a gym never registered. */
  tenantOfGym(gymId: string): string;
  bucketOf(tenantId: string): string;
  /** True when the athlete belongs to the tenant (claimed for it now, if it belonged to none). */
  admits(athleteId: string, tenantId: string): Promise<boolean>;
}

export function createJobTenancy(view: Pick<RegistryView, 'tenantOfGym' | 'bucketOf'>, owners: AthleteOwners): JobTenancy {
  return {
    tenantOfGym: (gymId) => view.tenantOfGym(gymId),
    bucketOf: (tenantId) => view.bucketOf(tenantId),
    admits: async (athleteId, tenantId) => (await owners.ownerOf(athleteId, tenantId)) === tenantId,
  };
}

/** The sink of one job: every write into its tenant's bucket. */
export function inBucket(sink: PointSink, bucket: string): PointSink {
  return { write: (lines) => sink.write(lines, bucket) };
}

export const ATHLETE_NOT_ALLOWED = 'athlete_not_allowed';

/**
 * The dead letter of data whose athlete belongs to another tenant than its gym's (an id typed at the wrong
 * gym, a wearable lent across tenants): for the gym's tenant, naming the athlete and the gym only (not the
 * owner: that is another tenant's business).
 */
export function athleteNotAllowed(at: { tenant: string; gymId: string; stationId: string; channel: 'set' | 'hr' }, athleteId: string, payload: string): WorkerDeadLetter {
  return {
    topic: `gym/v1/${at.gymId}/${at.stationId}/${at.channel}`,
    reason: ATHLETE_NOT_ALLOWED,
    detail: `athlete ${athleteId} belongs to another tenant than gym ${at.gymId}: nothing of it was stored`,
    payload,
    tenant: at.tenant,
  };
}
