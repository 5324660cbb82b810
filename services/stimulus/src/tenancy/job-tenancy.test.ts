import { describe, expect, it } from 'vitest';
import { createAthleteOwners } from './athlete-owners.js';
import { createJobTenancy, type JobTenancyView } from './job-tenancy.js';

/**
 * A registry in "Redis" (`gyms`, changed by the test) and the view this process holds of it, which sees a
 * change only on `refresh`; athletes' owners in a Map, every claim recorded.
 */
function harness(registered: Record<string, string>) {
  const gyms = new Map(Object.entries(registered));
  let held = new Map(gyms);
  const refreshes: number[] = [];
  let failRefresh = false;
  const view: JobTenancyView = {
    tenantOfGym: (gymId) => held.get(gymId) ?? 'default',
    isRegisteredGym: (gymId) => held.has(gymId),
    bucketOf: (tenantId) => `bucket-${tenantId}`,
    async refresh() {
      refreshes.push(refreshes.length + 1);
      if (failRefresh) throw new Error('registry read failed');
      held = new Map(gyms);
    },
  };
  const owners = new Map<string, string>();
  const claims: string[] = [];
  const athleteOwners = createAthleteOwners({
    claim: async (athleteId, tenantId) => {
      claims.push(`${athleteId}@${tenantId}`);
      if (!owners.has(athleteId)) owners.set(athleteId, tenantId);
      return owners.get(athleteId) ?? tenantId;
    },
    now: () => 0,
  });
  return {
    tenancy: createJobTenancy(view, athleteOwners),
    gyms,
    owners,
    claims,
    refreshes: () => refreshes.length,
    failRefreshes: (fail: boolean) => (failRefresh = fail),
  };
}

describe('createJobTenancy', () => {
  it('reads the registry again before claiming an athlete at a gym it holds as unregistered: a gym registered since is seen', async () => {
    const h = harness({});
    h.gyms.set('gym-new', 'tenant-b'); // registered after this process last read the registry
    expect(h.tenancy.tenantOfGym('gym-new')).toBe('default');
    expect(await h.tenancy.admits('ath-1', 'gym-new')).toEqual({ tenant: 'tenant-b', admitted: true });
    expect(h.claims).toEqual(['ath-1@tenant-b']);
    expect(h.refreshes()).toBe(1);
    expect(h.tenancy.tenantOfGym('gym-new')).toBe('tenant-b');
    expect(h.tenancy.bucketOf('tenant-b')).toBe('bucket-tenant-b');
  });

  it('reads the registry once per new athlete at an unregistered gym, not per job, and never at a registered gym', async () => {
    const h = harness({ 'gym-a': 'tenant-a' });
    for (const athlete of ['ath-1', 'ath-1', 'ath-1']) expect(await h.tenancy.admits(athlete, 'gym-open')).toEqual({ tenant: 'default', admitted: true });
    expect(h.refreshes()).toBe(1);
    expect(await h.tenancy.admits('ath-2', 'gym-open')).toEqual({ tenant: 'default', admitted: true });
    expect(h.refreshes()).toBe(2);
    for (const athlete of ['ath-3', 'ath-4', 'ath-3']) expect(await h.tenancy.admits(athlete, 'gym-a')).toEqual({ tenant: 'tenant-a', admitted: true });
    expect(h.refreshes()).toBe(2);
    expect(h.claims).toEqual(['ath-1@default', 'ath-2@default', 'ath-3@tenant-a', 'ath-4@tenant-a']);
  });

  it("gives concurrent jobs of a new athlete the refreshed tenant, with one read and one claim", async () => {
    const h = harness({});
    h.gyms.set('gym-new', 'tenant-b');
    const admissions = await Promise.all([h.tenancy.admits('ath-1', 'gym-new'), h.tenancy.admits('ath-1', 'gym-new')]);
    expect(admissions).toEqual([
      { tenant: 'tenant-b', admitted: true },
      { tenant: 'tenant-b', admitted: true },
    ]);
    expect(h.refreshes()).toBe(1);
    expect(h.claims).toEqual(['ath-1@tenant-b']);
  });

  it('claims nothing when the registry cannot be read: the job fails and its retry reads it again', async () => {
    const h = harness({});
    h.gyms.set('gym-new', 'tenant-b');
    h.failRefreshes(true);
    await expect(h.tenancy.admits('ath-1', 'gym-new')).rejects.toThrow('registry read failed');
    expect(h.claims).toEqual([]);
    h.failRefreshes(false);
    expect(await h.tenancy.admits('ath-1', 'gym-new')).toEqual({ tenant: 'tenant-b', admitted: true });
    expect(h.owners.get('ath-1')).toBe('tenant-b');
  });

  it("refuses an athlete of another tenant, at a registered gym or an unregistered one, for the gym's tenant", async () => {
    const h = harness({ 'gym-a': 'tenant-a', 'gym-b': 'tenant-b' });
    h.owners.set('ath-a', 'tenant-a');
    expect(await h.tenancy.admits('ath-a', 'gym-b')).toEqual({ tenant: 'tenant-b', admitted: false });
    expect(await h.tenancy.admits('ath-a', 'gym-open')).toEqual({ tenant: 'default', admitted: false });
    expect(await h.tenancy.admits('ath-a', 'gym-a')).toEqual({ tenant: 'tenant-a', admitted: true });
    expect(h.refreshes()).toBe(0);
  });
});
