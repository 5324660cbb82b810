import { DEFAULT_TENANT } from '@neurolift/contracts';
import type { WorkerDeadLetter } from '@neurolift/storage';
import type { LiveRegistryView } from '@neurolift/tenancy';
import type { PointSink } from '../ports.js';
import type { AthleteOwners } from './athlete-owners.js';

/** The registry as jobs read it: in memory, and `refresh` to read it from Redis now. */
export type JobTenancyView = Pick<LiveRegistryView, 'tenantOfGym' | 'isRegisteredGym' | 'bucketOf' | 'refresh'>;

/** Which tenant a job's data of an athlete is for, and whether the athlete may be stored for it. */
export interface Admission {
  /** The gym's tenant. */
  readonly tenant: string;
  /** The athlete belongs to `tenant` (claimed for it now, if it belonged to none). */
  readonly admitted: boolean;
}

/**
 * What a job needs of tenancy: its gym's tenant (where its points go: the tenant's bucket) and whether an
 * athlete may be stored for that tenant. A job takes its tenant once, from its athlete's admission, and
 * passes it on, so a registry change in the middle of a job cannot split it between two tenants.
 */
export interface JobTenancy {
  /** The default tenant for a gym never registered (as this process last read the registry). */
  tenantOfGym(gymId: string): string;
  bucketOf(tenantId: string): string;
  /** The gym's tenant and whether the athlete belongs to it: the job's tenant from then on. */
  admits(athleteId: string, gymId: string): Promise<Admission>;
}

/**
 * Claims are for good, so one made for the wrong tenant cannot be undone: a gym registered less than a poll
 * ago still reads as the default tenant's here, and would give its new athletes to the default tenant. So
 * before a claim for such a gym (an unregistered one) the registry is read again. Claims happen on an owner
 * cache miss only: this costs a read per new athlete at unregistered gyms, nothing per job.
 */
export function createJobTenancy(view: JobTenancyView, owners: AthleteOwners): JobTenancy {
  const unconfirmed = (gymId: string, tenant: string) => tenant === DEFAULT_TENANT && !view.isRegisteredGym(gymId);
  return {
    tenantOfGym: (gymId) => view.tenantOfGym(gymId),
    bucketOf: (tenantId) => view.bucketOf(tenantId),
    async admits(athleteId, gymId) {
      let tenant = view.tenantOfGym(gymId);
      const owner = await owners.ownerOf(athleteId, async () => {
        if (unconfirmed(gymId, tenant)) {
          await view.refresh();
          tenant = view.tenantOfGym(gymId);
        }
        return tenant;
      });
      // A job that asked before another job's read of the registry finds the newer answer in memory.
      if (owner !== tenant && unconfirmed(gymId, tenant)) tenant = view.tenantOfGym(gymId);
      return { tenant, admitted: owner === tenant };
    },
  };
}

/** The sink of one job: every write into its tenant's bucket (read at each write: a set's tenant is known once its athlete is admitted). */
export function inBucket(sink: PointSink, bucket: () => string): PointSink {
  return { write: (lines) => sink.write(lines, bucket()) };
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
