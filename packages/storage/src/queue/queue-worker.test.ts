import { describe, expect, it } from 'vitest';
import { gymsOfJob, tenantOfJob } from './queue-worker.js';

/** gym-a is tenant a's, gym-b tenant b's, any other gym the default tenant's. */
const tenantOfGym = (gymId: string) => ({ 'gym-a': 'a', 'gym-b': 'b' })[gymId] ?? 'default';

describe('gymsOfJob', () => {
  it("reads a job's gym, its alert's, and its reps' or sets'", () => {
    expect(gymsOfJob({ v: 1, gymId: 'gym-a', stationId: 'st-1', setId: 's-1' })).toEqual(['gym-a']);
    expect(gymsOfJob({ v: 1, alert: { id: 'al-1', gymId: 'gym-b' } })).toEqual(['gym-b']);
    expect(gymsOfJob({ v: 1, reps: [{ gymId: 'gym-a' }, { gymId: 'gym-b' }, { gymId: 'gym-a' }] })).toEqual(['gym-a', 'gym-b']);
    expect(gymsOfJob({ v: 1, kind: 'reps', sets: [{ gymId: 'gym-b' }] })).toEqual(['gym-b']);
  });

  it('names no gym for data of another shape', () => {
    for (const data of [undefined, null, 'gym-a', 42, [], { gymId: 7 }, { alert: 'gym-a' }, { reps: 'gym-a' }, { reps: [null, 'gym-a', { gymId: {} }] }, { v: 1, kind: 'daily' }]) {
      expect(gymsOfJob(data)).toEqual([]);
    }
  });
});

describe('tenantOfJob', () => {
  it("is the tenant of the job's gyms", () => {
    expect(tenantOfJob({ v: 99, gymId: 'gym-b' }, tenantOfGym)).toBe('b');
    expect(tenantOfJob({ v: 1, alert: { gymId: 'gym-a' } }, tenantOfGym)).toBe('a');
    expect(tenantOfJob({ v: 1, reps: [{ gymId: 'gym-a' }, { gymId: 'gym-a' }] }, tenantOfGym)).toBe('a');
    expect(tenantOfJob({ v: 1, gymId: 'gym-open' }, tenantOfGym)).toBe('default');
  });

  it('leaves a job naming no gym, or gyms of several tenants, to the default tenant', () => {
    expect(tenantOfJob('not json', tenantOfGym)).toBeUndefined();
    expect(tenantOfJob({ v: 1, kind: 'daily' }, tenantOfGym)).toBeUndefined();
    expect(tenantOfJob({ v: 1, reps: [{ gymId: 'gym-a' }, { gymId: 'gym-b' }] }, tenantOfGym)).toBeUndefined();
  });
});
