import type { Principal } from '@neurolift/tenancy';
import { describe, expect, it } from 'vitest';
import { athleteInScope, gymInScope, type ScopeDeps } from './scope.js';

const GYMS: Record<string, string> = { a1: 'acme', a2: 'acme', b1: 'brawn' };
/** Athlete → [owner (undefined: none), gyms seen at]. */
const ATHLETES: Record<string, [string | undefined, string[]]> = {
  ann: ['acme', ['a1']],
  amy: ['acme', ['a2']],
  bob: ['brawn', ['b1']],
  old: ['default', ['g0']], // state from before tenancy: the directory answers `default`
};
const deps: ScopeDeps = {
  view: { tenantOfGym: (gym) => GYMS[gym] ?? 'default' },
  athletes: {
    ownerOf: async (id) => ATHLETES[id]?.[0],
    seenAt: async (id, gyms) => gyms.some((gym) => ATHLETES[id]?.[1].includes(gym) === true),
  },
};
const who = (tenant: string, role: Principal['role'], gyms: Principal['gyms'] = 'all'): Principal => ({ actor: 'tok_x', tenant, role, gyms, operator: false });

describe('gymInScope', () => {
  it.each([
    [who('acme', 'admin'), 'a1', true],
    [who('acme', 'admin'), 'b1', false],
    [who('acme', 'coach', ['a1']), 'a1', true],
    [who('acme', 'coach', ['a1']), 'a2', false],
    [who('acme', 'viewer', ['a2']), 'a2', true],
    [who('default', 'admin'), 'unregistered', true],
    [who('acme', 'admin'), 'unregistered', false],
  ] as const)('%o at %s → %s', (principal, gym, expected) => {
    expect(gymInScope(deps.view, principal, gym)).toBe(expected);
  });
});

describe('athleteInScope', () => {
  it.each([
    [who('acme', 'admin'), 'ann', false, true],
    [who('acme', 'admin'), 'bob', false, false],
    [who('acme', 'admin'), 'bob', true, false], // owned by another tenant: never claimable
    [who('acme', 'coach', ['a1']), 'ann', false, true],
    [who('acme', 'coach', ['a1']), 'amy', false, false],
    [who('acme', 'admin'), 'new', false, false],
    [who('acme', 'admin'), 'new', true, true], // a profile written before the first set
    [who('acme', 'coach', ['a1']), 'new', true, false], // only admins claim
    [who('default', 'admin'), 'old', false, true],
    [who('acme', 'admin'), 'old', true, false], // the default tenant's data of before tenancy
    [who('acme', 'admin'), 'bad id!', false, true], // the handler answers 400
  ] as const)('%o, %s, claim %s → %s', async (principal, athlete, claim, expected) => {
    expect(await athleteInScope(deps, principal, athlete, claim)).toBe(expected);
  });
});
