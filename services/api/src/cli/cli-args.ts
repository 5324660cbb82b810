import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_TENANT, Id } from '@neurolift/contracts';
import type { z } from 'zod';

/** What the command line asks for: a command, the usage text, or a usage error naming the problem. */
export type Parsed<C> =
  | { readonly kind: 'command'; readonly command: C }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage'; readonly problem: string };

/** A usage error found while parsing; `parseCommandLine` turns it into `{ kind: 'usage' }`. */
class UsageProblem extends Error {}

export function problem(message: string): never {
  throw new UsageProblem(message);
}

/** Options every action takes. */
export const COMMON_OPTIONS = {
  tenant: { type: 'string', default: DEFAULT_TENANT },
} as const;

/**
 * Splits `<action> [args…]`, hands the rest to the action's parser and answers any UsageProblem (or
 * `parseArgs` complaint) as a usage error. `help`, `--help` and `-h` anywhere ask for the usage.
 */
export function parseCommandLine<C>(argv: readonly string[], actions: Readonly<Record<string, (args: readonly string[]) => C>>): Parsed<C> {
  const [action, ...rest] = argv;
  if (action === undefined) return { kind: 'usage', problem: 'no command given' };
  if (action === 'help' || action === '--help' || action === '-h' || rest.includes('--help') || rest.includes('-h')) return { kind: 'help' };
  const parse = Object.hasOwn(actions, action) ? actions[action] : undefined;
  if (parse === undefined) return { kind: 'usage', problem: `unknown command ${JSON.stringify(action)}` };
  try {
    return { kind: 'command', command: parse(rest) };
  } catch (error) {
    if (error instanceof UsageProblem) return { kind: 'usage', problem: error.message };
    // parseArgs: unknown option, missing value; its first sentence (the rest is advice about `--`).
    if (error instanceof TypeError && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS')) {
      return { kind: 'usage', problem: error.message.split('. ')[0] ?? error.message };
    }
    throw error;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends Options> = { args: string[]; options: O; allowPositionals: true; strict: true };

/** `parseArgs` in strict mode with positionals allowed (their count is checked by the caller). */
export function flags<O extends Options>(args: readonly string[], options: O): ReturnType<typeof parseArgs<StrictConfig<O>>> {
  return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
}

/** The value, or a usage problem naming what was given and the rule it broke (the schema's messages say `must …`). */
export function checked<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  return problem(`${what} ${JSON.stringify(value)} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
}

/** One of a few words (`--kind`, `--role`). */
export function oneOf<T extends string>(what: string, options: readonly T[], value: string): T {
  return options.find((option) => option === value) ?? problem(`${what} must be ${options.join('|')} (got ${JSON.stringify(value)})`);
}

/** The one positional an action takes (`disable <id>`), checked as a protocol id. */
export function onePositional(positionals: readonly string[], what: string): string {
  const [value, extra] = positionals;
  if (value === undefined) problem(`${what} is missing`);
  if (extra !== undefined) problem(`unexpected argument ${JSON.stringify(extra)}`);
  return checked(what, Id, value);
}

/** No positional at all (`list`). */
export function noPositional(positionals: readonly string[]): void {
  const [extra] = positionals;
  if (extra !== undefined) problem(`unexpected argument ${JSON.stringify(extra)}`);
}

/** A required option's value (`what`: `--kind`). */
export function required<T>(what: string, value: T | undefined): T {
  return value === undefined ? problem(`${what} is required`) : value;
}

/** The tenant the CLI acts for, a protocol id. */
export const tenantOf = (value: string): string => checked('--tenant', Id, value);
