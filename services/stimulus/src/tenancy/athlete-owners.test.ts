import { describe, expect, it } from 'vitest';
import { createAthleteOwners } from './athlete-owners.js';

/** claimAthlete over a Map, counting its calls (each one a Redis call). */
function registry() {
  const owners = new Map<string, string>();
  const calls: string[] = [];
  const claim = async (athleteId: string, tenantId: string) => {
    calls.push(`${athleteId}@${tenantId}`);
    if (!owners.has(athleteId)) owners.set(athleteId, tenantId);
    return owners.get(athleteId) ?? tenantId;
  };
  return { owners, calls, claim };
}

describe('createAthleteOwners', () => {
  it('claims an athlete at first sight and asks Redis once per athlete, whichever tenant asks', async () => {
    const r = registry();
    const owners = createAthleteOwners({ claim: r.claim, now: () => 0 });
    expect(await owners.ownerOf('ath-1', 'tenant-a')).toBe('tenant-a');
    expect(await owners.ownerOf('ath-1', 'tenant-b')).toBe('tenant-a');
    expect(await owners.ownerOf('ath-1', 'tenant-a')).toBe('tenant-a');
    expect(r.calls).toEqual(['ath-1@tenant-a']);
  });

  it('makes one claim for concurrent jobs of one athlete', async () => {
    const r = registry();
    const owners = createAthleteOwners({ claim: r.claim, now: () => 0 });
    expect(await Promise.all([owners.ownerOf('ath-1', 'tenant-a'), owners.ownerOf('ath-1', 'tenant-b')])).toEqual(['tenant-a', 'tenant-a']);
    expect(r.calls).toHaveLength(1);
  });

  it('asks again after the lifetime: an erased athlete seen at another tenant then belongs to it', async () => {
    const r = registry();
    let now = 0;
    const owners = createAthleteOwners({ claim: r.claim, ttlMs: 1000, now: () => now });
    expect(await owners.ownerOf('ath-1', 'tenant-a')).toBe('tenant-a');
    r.owners.delete('ath-1'); // releaseAthlete: the erasure
    now = 999;
    expect(await owners.ownerOf('ath-1', 'tenant-b')).toBe('tenant-a');
    now = 1000;
    expect(await owners.ownerOf('ath-1', 'tenant-b')).toBe('tenant-b');
    expect(r.calls).toEqual(['ath-1@tenant-a', 'ath-1@tenant-b']);
  });

  it('does not remember a failed claim', async () => {
    const r = registry();
    let fail = true;
    const owners = createAthleteOwners({
      claim: async (athleteId, tenantId) => {
        if (fail) throw new Error('redis down');
        return r.claim(athleteId, tenantId);
      },
      now: () => 0,
    });
    await expect(owners.ownerOf('ath-1', 'tenant-a')).rejects.toThrow('redis down');
    fail = false;
    expect(await owners.ownerOf('ath-1', 'tenant-a')).toBe('tenant-a');
  });

  it('works out a tenant given as a function only when Redis is asked, and does not remember it failing', async () => {
    const r = registry();
    const owners = createAthleteOwners({ claim: r.claim, now: () => 0 });
    let asked = 0;
    const claimFor = async () => {
      asked++;
      if (asked === 1) throw new Error('registry read failed');
      return 'tenant-b';
    };
    await expect(owners.ownerOf('ath-1', claimFor)).rejects.toThrow('registry read failed');
    expect(await owners.ownerOf('ath-1', claimFor)).toBe('tenant-b');
    expect(await owners.ownerOf('ath-1', claimFor)).toBe('tenant-b');
    expect(asked).toBe(2);
    expect(r.calls).toEqual(['ath-1@tenant-b']);
  });

  it('keeps at most maxEntries athletes, forgetting the oldest claim', async () => {
    const r = registry();
    const owners = createAthleteOwners({ claim: r.claim, maxEntries: 2, now: () => 0 });
    for (const athlete of ['a', 'b', 'c', 'b', 'a']) await owners.ownerOf(athlete, 't');
    expect(r.calls).toEqual(['a@t', 'b@t', 'c@t', 'a@t']);
  });
});
