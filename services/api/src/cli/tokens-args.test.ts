import { describe, expect, it } from 'vitest';
import { parseExpiry, parseTokensArgs } from './tokens-args.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const args = (line: string): string[] => line.split(' ');
const problemOf = (line: string): string | undefined => {
  const parsed = parseTokensArgs(args(line), NOW);
  return parsed.kind === 'usage' ? parsed.problem : undefined;
};

describe('parseTokensArgs', () => {
  it('create: role, gyms (default all), name and expiry', () => {
    expect(parseTokensArgs(['create', '--role', 'coach', '--gym', 'gym-a', '--gym', 'gym-b', '--name', 'Front desk tablet', '--expires', '30d'], NOW)).toEqual({
      kind: 'command',
      command: { command: 'create', tenant: 'default', role: 'coach', gyms: ['gym-a', 'gym-b'], name: 'Front desk tablet', expiresAt: '2026-03-31T12:00:00.000Z' },
    });
    expect(parseTokensArgs(args('create --role admin --name ops --tenant acme'), NOW)).toEqual({
      kind: 'command',
      command: { command: 'create', tenant: 'acme', role: 'admin', gyms: 'all', name: 'ops' },
    });
  });

  it('create: names what is missing or wrong', () => {
    expect(problemOf('create --name ops')).toBe('--role is required');
    expect(problemOf('create --role owner --name ops')).toBe('--role must be admin|coach|viewer (got "owner")');
    expect(problemOf('create --role viewer')).toBe('--name is required');
    expect(problemOf('create --role admin --gym gym-a --name ops')).toBe('--gym applies to coach and viewer tokens: an admin token sees every gym of its tenant');
    expect(problemOf('create --role viewer --name ops --expires soon')).toMatch(/^--expires "soon" is neither an ISO date/);
    expect(problemOf('create tok --role viewer --name ops')).toBe('unexpected argument "tok"');
  });

  it('list and revoke', () => {
    expect(parseTokensArgs(args('list --json'), NOW)).toEqual({ kind: 'command', command: { command: 'list', tenant: 'default', json: true } });
    expect(parseTokensArgs(args('revoke tok_0123456789abcdef'), NOW)).toEqual({ kind: 'command', command: { command: 'revoke', tenant: 'default', tokenId: 'tok_0123456789abcdef' } });
    expect(problemOf('revoke')).toBe('token id is missing');
    expect(problemOf('revoke nlt_secret')).toBe('token id "nlt_secret" is not a token id (tok_ and 16 hex digits)');
    expect(problemOf('revoke tok_0123456789abcdef tok_fedcba9876543210')).toBe('unexpected argument "tok_fedcba9876543210"');
  });
});

describe('parseExpiry', () => {
  it('a duration from now: hours, days, weeks', () => {
    expect(parseExpiry('12h', NOW)).toBe('2026-03-02T00:00:00.000Z');
    expect(parseExpiry('30d', NOW)).toBe('2026-03-31T12:00:00.000Z');
    expect(parseExpiry('2w', NOW)).toBe('2026-03-15T12:00:00.000Z');
  });

  it('an ISO date (midnight UTC) or a time with its offset, as UTC', () => {
    expect(parseExpiry('2027-01-31', NOW)).toBe('2027-01-31T00:00:00.000Z');
    expect(parseExpiry('2027-01-31T18:00:00Z', NOW)).toBe('2027-01-31T18:00:00.000Z');
    expect(parseExpiry('2027-01-31T18:00:00+02:00', NOW)).toBe('2027-01-31T16:00:00.000Z');
  });

  it('refuses a time without offset, an impossible date, zero and units it does not know', () => {
    for (const text of ['2027-01-31T18:00:00', '2027-02-30', '0d', '30m', '30', 'd', '1.5d', '999999d']) {
      expect(() => parseExpiry(text, NOW), text).toThrow(/is neither an ISO date/);
    }
  });
});
