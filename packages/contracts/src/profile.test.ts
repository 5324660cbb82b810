import { describe, it, expect } from 'vitest';
import { AthleteProfile } from './profile.js';

describe('AthleteProfile: heart-rate fields (model nsi-1.1)', () => {
  it('accepts the heart-rate fields alone and with the existing ones', () => {
    expect(AthleteProfile.parse({ restingHr: 55, maxHr: 192, birthYear: 1990 })).toEqual({ restingHr: 55, maxHr: 192, birthYear: 1990 });
    expect(AthleteProfile.parse({ bodyMassKg: 80, birthYear: 1985 })).toEqual({ bodyMassKg: 80, birthYear: 1985 });
    expect(AthleteProfile.parse({})).toEqual({});
    expect(AthleteProfile.parse({ restingHr: 30, maxHr: 240, birthYear: 2100 })).toBeDefined();
    expect(AthleteProfile.parse({ restingHr: 120, birthYear: 1900 })).toBeDefined();
  });

  it.each([
    ['restingHr below 30', { restingHr: 29 }, 'restingHr'],
    ['restingHr above 120', { restingHr: 121 }, 'restingHr'],
    ['maxHr below 100', { maxHr: 99 }, 'maxHr'],
    ['maxHr above 240', { maxHr: 241 }, 'maxHr'],
    ['a fractional birthYear', { birthYear: 1990.5 }, 'birthYear'],
    ['birthYear before 1900', { birthYear: 1899 }, 'birthYear'],
    ['birthYear after 2100', { birthYear: 2101 }, 'birthYear'],
    ['a non-number restingHr', { restingHr: '60' }, 'restingHr'],
  ])('rejects %s', (_label, body, path) => {
    const result = AthleteProfile.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([path]);
  });

  it('rejects maxHr not above restingHr, naming maxHr', () => {
    for (const body of [{ restingHr: 100, maxHr: 100 }, { restingHr: 110, maxHr: 105 }]) {
      const result = AthleteProfile.safeParse(body);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['maxHr'], message: 'maxHr must be above restingHr' })]);
    }
    expect(AthleteProfile.safeParse({ restingHr: 100, maxHr: 101 }).success).toBe(true);
  });

  it('stays strict: unknown fields are rejected', () => {
    expect(AthleteProfile.safeParse({ restingHR: 60 }).success).toBe(false);
    expect(AthleteProfile.safeParse({ age: 30 }).success).toBe(false);
  });
});
