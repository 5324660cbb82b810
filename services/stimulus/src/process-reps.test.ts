import type { RepRecord } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { processRepBatch } from './process-reps.js';
import type { SetRef } from './ports.js';
import type { JobTenancy } from './tenancy/job-tenancy.js';

const rep = (gymId: string, athleteId: string, repIndex: number): RepRecord => ({
  gymId,
  stationId: `st-${gymId}`,
  athleteId,
  setId: 's-1',
  exercise: 'back_squat',
  repIndex,
  ts: 1_795_000_000_000 + repIndex * 3000,
  loadKg: 100,
  meanVelocity: 0.8 - repIndex * 0.05,
  source: 'device',
});

/** Gym A is tenant a's, gym B tenant b's, any other gym the default tenant's; ath-a belongs to tenant a. */
const tenantOfGym = (gymId: string) => ({ A: 'a', B: 'b' })[gymId] ?? 'default';
const tenancy: JobTenancy = {
  tenantOfGym,
  bucketOf: (tenantId) => `bucket-${tenantId}`,
  admits: async (athleteId, gymId) => ({ tenant: tenantOfGym(gymId), admitted: athleteId !== 'ath-a' || tenantOfGym(gymId) === 'a' }),
};

function harness() {
  const writes: Array<{ bucket: string | undefined; lines: readonly string[] }> = [];
  const checked: SetRef[][] = [];
  const deps = {
    sets: { closedSet: async () => ({ reps: [], repsInOrder: true }), firstReps: async () => new Map<string, RepRecord[]>() },
    sink: { write: async (lines: readonly string[], bucket?: string) => void writes.push({ bucket, lines }) },
    checks: { repsStored: async (sets: readonly SetRef[]) => void checked.push([...sets]), setClosed: async () => undefined },
    tenancy,
  };
  return { deps, writes, checked };
}

describe('processRepBatch', () => {
  it("writes each rep into its gym's tenant's bucket", async () => {
    const h = harness();
    const result = await processRepBatch({ v: 1, reps: [rep('A', 'ath-a', 1), rep('B', 'ath-b', 1), rep('C', 'ath-c', 1), rep('A', 'ath-a', 2)] }, h.deps);
    expect(result).toEqual({ points: 4, notAllowed: 0 });
    expect(h.writes.map((write) => [write.bucket, write.lines.map((line) => line.match(/gym=(\w+)/)?.[1])])).toEqual([
      ['bucket-a', ['A', 'A']],
      ['bucket-b', ['B']],
      ['bucket-default', ['C']],
    ]);
  });

  it("writes nothing of an athlete of another tenant and raises no in-set check for it", async () => {
    const h = harness();
    const result = await processRepBatch({ v: 1, reps: [rep('B', 'ath-a', 1), rep('B', 'ath-a', 2)] }, h.deps);
    expect(result).toEqual({ points: 0, notAllowed: 2 });
    expect(h.writes).toEqual([]);
    expect(h.checked).toEqual([]);
  });
});
