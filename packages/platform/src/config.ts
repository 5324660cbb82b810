import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A configuration error: names every bad setting, so one start tells the operator everything. */
export class ConfigError extends Error {
  readonly code = 'NL_ERR_CONFIG';
  constructor(
    readonly service: string,
    readonly problems: ReadonlyArray<{ readonly setting: string; readonly message: string }>,
  ) {
    super(
      `Invalid configuration for ${service}:\n` +
        problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const readSecretFile = (path: string): string => readFileSync(path, 'utf8');

/**
 * Parses the environment with a zod object schema whose keys are the variable names. Empty strings
 * count as unset, so `FOO=` falls back to the default instead of becoming 0 or "". A setting may
 * instead come from a file named by `FOO_FILE` (secrets). Returns a frozen object; throws ConfigError
 * listing every bad variable.
 */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: Env, readFile: (path: string) => string = readSecretFile): Readonly<z.infer<S>> {
  const input: Record<string, string> = {};
  const fileProblems: Array<{ setting: string; message: string }> = [];
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    const file = env[`${key}_FILE`];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
    else if (file !== undefined && file.trim() !== '') {
      // Docker-style secrets: FOO_FILE names a file holding FOO (a token made at deploy time).
      try {
        input[key] = readFile(file.trim()).trim();
      } catch (error) {
        fileProblems.push({ setting: `${key}_FILE`, message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
  if (fileProblems.length > 0) throw new ConfigError(service, fileProblems);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      service,
      parsed.error.issues.map((issue) => {
        const setting = issue.path.map(String).join('.') || '(config)';
        return { setting, message: issue.code === 'invalid_type' && !(setting in input) ? 'is required but not set' : issue.message };
      }),
    );
  }
  return Object.freeze(parsed.data);
}

/** Environment value helpers: strings in, typed values out, with messages that say what was expected. */
export const env = {
  /** An integer with optional bounds, e.g. `env.int({ min: 1 }).default(30000)`. */
  int: (bounds: { min?: number; max?: number } = {}) =>
    z
      .string()
      .regex(/^-?\d+$/, 'must be an integer')
      .transform(Number)
      .pipe(z.number().int().min(bounds.min ?? Number.MIN_SAFE_INTEGER).max(bounds.max ?? Number.MAX_SAFE_INTEGER)),
  /** A URL with one of the given protocols, e.g. `env.url(['mqtt:', 'mqtts:'])`. */
  url: (protocols: readonly string[]) =>
    z.string().refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`),
  /** `true/false/1/0/yes/no/on/off`; unlike `z.coerce.boolean()`, "false" is false. */
  bool: () => z.stringbool(),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
};
