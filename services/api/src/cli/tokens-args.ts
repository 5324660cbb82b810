import { Id } from '@neurolift/contracts';
import { Role } from '@neurolift/tenancy';
import { z } from 'zod';
import { checked, COMMON_OPTIONS, flags, noPositional, oneOf, parseCommandLine, problem, required, tenantOf, type Parsed } from './cli-args.js';
import { SETTINGS_USAGE } from './cli-usage.js';

export type TokensCommand =
  | {
      readonly command: 'create';
      readonly tenant: string;
      readonly role: Role;
      readonly gyms: 'all' | readonly string[];
      readonly name: string;
      readonly expiresAt?: string;
    }
  | { readonly command: 'list'; readonly tenant: string; readonly json: boolean }
  | { readonly command: 'revoke'; readonly tenant: string; readonly tokenId: string };

export const TOKENS_USAGE = `Usage: npm run tokens -- <command> [options]   (after npm run build)

  create --role admin|coach|viewer [--gym <gymId> ...] --name <name> [--expires <when>]
                     issue an API token; prints its secret (shown this once)
  list [--json]      the tenant's tokens: id, name, role, gyms, expiry, last use (never secrets)
  revoke <tokenId>   the token stops working at once

  --gym: coach and viewer tokens see only these gyms (default: all of the tenant's); admins see all.
  --expires: an ISO date or time (2027-01-31, 2027-01-31T18:00:00Z) or a duration from now
  (12h, 30d, 8w); default: never.
${SETTINGS_USAGE}`;

const TokenName = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const TokenId = z.string().regex(/^tok_[a-f0-9]{16}$/, 'is not a token id (tok_ and 16 hex digits)');
const HOUR_MS = 3_600_000;
const UNIT_MS = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS } as const;
const DURATION = /^([1-9]\d{0,4})([hdw])$/;
const IsoTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * `--expires` as an ISO time (UTC, as token records keep it): an ISO date (its midnight UTC), a date and
 * time with its offset (without one the local zone would silently decide), or 12h / 30d / 8w from `now`.
 * Whether it is in the future is the registry's check.
 */
export function parseExpiry(text: string, now: number): string {
  const duration = DURATION.exec(text);
  if (duration !== null) return new Date(now + Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]).toISOString();
  if (IsoTime.safeParse(text).success) return new Date(Date.parse(text)).toISOString();
  return problem(`--expires ${JSON.stringify(text)} is neither an ISO date or time with its offset (2027-01-31, 2027-01-31T18:00:00Z) nor a duration (12h, 30d, 8w)`);
}

function create(args: readonly string[], now: number): TokensCommand {
  const { values, positionals } = flags(args, { ...COMMON_OPTIONS, role: { type: 'string' }, gym: { type: 'string', multiple: true }, name: { type: 'string' }, expires: { type: 'string' } });
  noPositional(positionals);
  const role = oneOf('--role', Role.options, required('--role', values.role));
  const gyms = (values.gym ?? []).map((gym) => checked('--gym', Id, gym));
  // The store would quietly widen an admin's gyms to all: say so instead.
  if (role === 'admin' && gyms.length > 0) problem('--gym applies to coach and viewer tokens: an admin token sees every gym of its tenant');
  return {
    command: 'create',
    tenant: tenantOf(values.tenant),
    role,
    gyms: gyms.length === 0 ? 'all' : gyms,
    name: checked('--name', TokenName, required('--name', values.name)),
    ...(values.expires === undefined ? {} : { expiresAt: parseExpiry(values.expires, now) }),
  };
}

/** `npm run tokens -- <argv>` as a command, the usage, or a usage error naming the problem; `now` dates `--expires 30d`. */
export function parseTokensArgs(argv: readonly string[], now: number): Parsed<TokensCommand> {
  return parseCommandLine(argv, {
    create: (args) => create(args, now),
    list(args) {
      const { values, positionals } = flags(args, { ...COMMON_OPTIONS, json: { type: 'boolean', default: false } });
      noPositional(positionals);
      return { command: 'list', tenant: tenantOf(values.tenant), json: values.json };
    },
    revoke(args) {
      const { values, positionals } = flags(args, COMMON_OPTIONS);
      const [tokenId, extra] = positionals;
      if (extra !== undefined) problem(`unexpected argument ${JSON.stringify(extra)}`);
      return { command: 'revoke', tenant: tenantOf(values.tenant), tokenId: checked('token id', TokenId, tokenId ?? problem('token id is missing')) };
    },
  });
}
