/**
 * The per-gym alert config file (JSON): thresholds for every gym, overrides per gym, the optional rules switched
 * on, when the daily rules run, where a gym's webhook is, and per-rule cooldowns. Parsed once, validated with every bad key named,
 * and frozen.
 *
 * ```json
 * {
 *   "defaults": { "nsiTarget": 45, "timeZone": "Europe/Berlin", "optionalRules": { "incomplete_recovery": true } },
 *   "gyms": { "gym-01": { "highFatigueRedPct": 35, "dailyLocalTime": "06:30",
 *                         "webhook": { "url": "https://coach.example/hook", "secret": "…16+ chars…" } } },
 *   "cooldownMinutes": { "partial_rep": 10 }
 * }
 * ```
 */
import { z } from 'zod';
import { ID_PATTERN } from '@neurolift/contracts';
import { AlertConfigError, describeIssues } from './config-issues.js';
import { ALERT_RULES, OPTIONAL_RULES, type AlertRule, type OptionalAlertRule } from './rules.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_NAMES, partialThresholdShape, thresholdOrderProblems, type Thresholds } from './thresholds.js';

export const DEFAULT_DAILY_LOCAL_TIME = '06:00';
export const DEFAULT_TIME_ZONE = 'UTC';
/** Longest cooldown the file may set: one week. */
const MAX_COOLDOWN_MINUTES = 7 * 24 * 60;

export interface Webhook {
  readonly url: string;
  /** Shared secret for signing; keep the resolved config out of logs. */
  readonly secret: string;
}

/** Which optional rules ({@link OPTIONAL_RULES}) are on; every one is off unless the file enables it. */
export type OptionalRuleSwitches = Readonly<Record<OptionalAlertRule, boolean>>;

/** What one gym gets: complete thresholds, the optional rules switched on and the daily schedule. */
export interface GymAlertSettings {
  readonly thresholds: Thresholds;
  readonly optionalRules: OptionalRuleSwitches;
  /** Local wall-clock time "HH:MM" at which the service runs the daily rules. */
  readonly dailyLocalTime: string;
  /** Canonical IANA zone of `dailyLocalTime` (as Intl resolves it). */
  readonly timeZone: string;
  readonly webhook?: Webhook;
}

export interface AlertConfig {
  /** Where the config came from (file path or "defaults"), for messages. */
  readonly source: string;
  /** Settings of any gym the file does not list. */
  readonly defaults: GymAlertSettings;
  readonly gyms: ReadonlyMap<string, GymAlertSettings>;
  /**
   * Minutes after publishing an alert of (athlete, rule) during which the service drops further candidates of
   * the same (athlete, rule); 0 = none (dedupe by alert id still applies). Enforced by the caller, which has the clock.
   */
  readonly cooldownMinutes: Readonly<Record<AlertRule, number>>;
}

/** True when Intl knows the zone (it throws a RangeError on unknown zones). */
export function isTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== undefined;
}

function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_TIME_ERROR = 'expected a local time "HH:MM" from 00:00 to 23:59';
const ZONE_ERROR = 'expected an IANA time zone such as "Europe/Berlin"';

const schedule = {
  dailyLocalTime: z.string({ error: LOCAL_TIME_ERROR }).regex(LOCAL_TIME, { error: LOCAL_TIME_ERROR }).optional(),
  timeZone: z.string({ error: ZONE_ERROR }).refine(isTimeZone, { error: ZONE_ERROR }).optional(),
};

const objectError = { error: (issue: { code: string }) => (issue.code === 'invalid_type' ? 'expected an object' : undefined) };

const WebhookFile = z.strictObject(
  {
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    secret: z.string({ error: 'expected a string' }).min(16, { error: 'expected a secret of at least 16 characters' }),
  },
  objectError,
);

const SWITCH_ERROR = 'expected true or false';
const ruleSwitch = z.boolean({ error: SWITCH_ERROR });
/** `optionalRules`: only optional rules may be listed (`optionalRules.near_failure: unknown key`). */
const OptionalRulesFile = z.strictObject(
  Object.fromEntries(OPTIONAL_RULES.map((rule) => [rule, ruleSwitch.optional()])) as Record<OptionalAlertRule, z.ZodOptional<typeof ruleSwitch>>,
  objectError,
);
const optionalRules = { optionalRules: OptionalRulesFile.optional() };

const GymFile = z.strictObject({ ...partialThresholdShape(), ...schedule, ...optionalRules, webhook: WebhookFile.optional() }, objectError);
const DefaultsFile = z.strictObject({ ...partialThresholdShape(), ...schedule, ...optionalRules }, objectError);

const COOLDOWN_ERROR = `expected a number of minutes between 0 and ${MAX_COOLDOWN_MINUTES}`;
const cooldown = z.number({ error: COOLDOWN_ERROR }).min(0, { error: COOLDOWN_ERROR }).max(MAX_COOLDOWN_MINUTES, { error: COOLDOWN_ERROR });
const CooldownFile = z.strictObject(
  Object.fromEntries(ALERT_RULES.map((rule) => [rule, cooldown.optional()])) as Record<AlertRule, z.ZodOptional<typeof cooldown>>,
  objectError,
);

const GymId = z.string().regex(ID_PATTERN, { error: 'gym id must be 1 to 64 characters of A-Z a-z 0-9 _ -' });

/** The file's shape. Every key is optional; unknown keys are errors (a typo must not silently keep a default). */
export const AlertConfigFile = z.strictObject(
  { defaults: DefaultsFile.optional(), gyms: z.record(GymId, GymFile, objectError).optional(), cooldownMinutes: CooldownFile.optional() },
  objectError,
);
export type AlertConfigFile = z.infer<typeof AlertConfigFile>;

type ThresholdOverrides = Partial<Record<keyof Thresholds, number | undefined>>;

function merge(base: Thresholds, overrides: ThresholdOverrides): Thresholds {
  const merged = { ...base } as Record<keyof Thresholds, number>;
  for (const name of THRESHOLD_NAMES) {
    const value = overrides[name];
    if (value !== undefined) merged[name] = value;
  }
  return Object.freeze(merged);
}

/** Spec defaults: every optional rule off. */
const ALL_OFF: OptionalRuleSwitches = Object.freeze(Object.fromEntries(OPTIONAL_RULES.map((rule) => [rule, false])) as Record<OptionalAlertRule, boolean>);

function mergeSwitches(base: OptionalRuleSwitches, overrides: Partial<Record<OptionalAlertRule, boolean | undefined>> | undefined): OptionalRuleSwitches {
  const merged = { ...base } as Record<OptionalAlertRule, boolean>;
  for (const rule of OPTIONAL_RULES) {
    const value = overrides?.[rule];
    if (value !== undefined) merged[rule] = value;
  }
  return Object.freeze(merged);
}

function settings(
  base: Omit<GymAlertSettings, 'webhook'>,
  entry: ThresholdOverrides & {
    dailyLocalTime?: string | undefined;
    timeZone?: string | undefined;
    optionalRules?: Partial<Record<OptionalAlertRule, boolean | undefined>> | undefined;
    webhook?: Webhook | undefined;
  },
): GymAlertSettings {
  const resolved = {
    thresholds: merge(base.thresholds, entry),
    optionalRules: mergeSwitches(base.optionalRules, entry.optionalRules),
    dailyLocalTime: entry.dailyLocalTime ?? base.dailyLocalTime,
    timeZone: entry.timeZone === undefined ? base.timeZone : (canonicalTimeZone(entry.timeZone) ?? entry.timeZone),
  };
  return Object.freeze(entry.webhook === undefined ? resolved : { ...resolved, webhook: Object.freeze({ ...entry.webhook }) });
}

/** A gym id JSON can carry but zod's record silently drops (it would otherwise vanish without an error). */
function reservedGymIds(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || !('gyms' in value)) return [];
  const gyms = value.gyms;
  if (typeof gyms !== 'object' || gyms === null) return [];
  return Object.prototype.hasOwnProperty.call(gyms, '__proto__') ? ['gyms.__proto__: reserved name, not a gym id'] : [];
}

/**
 * Validates an already-parsed config value and resolves it: spec defaults ← file `defaults` ← the gym's
 * entry. Throws {@link AlertConfigError} naming every bad key path (for example
 * `gyms.gym-01.highFatigueRedPct: expected a number between 0 and 100`).
 */
export function alertConfigFrom(value: unknown, source: string): AlertConfig {
  const parsed = AlertConfigFile.safeParse(value);
  const problems = [...reservedGymIds(value), ...(parsed.success ? [] : describeIssues(parsed.error.issues))];
  if (!parsed.success || problems.length > 0) throw new AlertConfigError(source, problems);

  const file = parsed.data;
  const defaults = settings({ thresholds: DEFAULT_THRESHOLDS, optionalRules: ALL_OFF, dailyLocalTime: DEFAULT_DAILY_LOCAL_TIME, timeZone: DEFAULT_TIME_ZONE }, file.defaults ?? {});
  for (const [name, message] of thresholdOrderProblems(defaults.thresholds)) problems.push(`defaults.${name}: ${message}`);
  const gyms = new Map<string, GymAlertSettings>();
  for (const [gymId, entry] of Object.entries(file.gyms ?? {})) {
    const gym = settings(defaults, entry);
    for (const [name, message] of thresholdOrderProblems(gym.thresholds)) problems.push(`gyms.${gymId}.${name}: ${message}`);
    gyms.set(gymId, gym);
  }
  if (problems.length > 0) throw new AlertConfigError(source, problems);

  const cooldownMinutes = Object.fromEntries(ALERT_RULES.map((rule) => [rule, file.cooldownMinutes?.[rule] ?? 0])) as Record<AlertRule, number>;
  return Object.freeze({ source, defaults, gyms, cooldownMinutes: Object.freeze(cooldownMinutes) });
}

/** Parses the JSON text of a config file; `source` (e.g. the path) prefixes every error message. */
export function parseAlertConfig(text: string, source: string): AlertConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AlertConfigError(source, [`(root): not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  return alertConfigFrom(value, source);
}

/** The spec's defaults for every gym, no webhooks, no cooldowns. */
export const DEFAULT_ALERT_CONFIG: AlertConfig = alertConfigFrom({}, 'defaults');

/** A gym's settings; a gym the file does not list gets the defaults. */
export function gymSettingsFor(config: AlertConfig, gymId: string): GymAlertSettings {
  return config.gyms.get(gymId) ?? config.defaults;
}

/** A gym's complete thresholds; a gym the file does not list gets the defaults. */
export function thresholdsFor(config: AlertConfig, gymId: string): Thresholds {
  return gymSettingsFor(config, gymId).thresholds;
}

/** Whether an optional rule is on for a gym (spec default: off; `defaults.optionalRules` ← `gyms.<gymId>.optionalRules`). */
export function ruleEnabled(config: AlertConfig, gymId: string, rule: OptionalAlertRule): boolean {
  return gymSettingsFor(config, gymId).optionalRules[rule];
}

/** The cooldown of a rule, ms (see {@link AlertConfig.cooldownMinutes}). */
export function cooldownMs(config: AlertConfig, rule: AlertRule): number {
  return config.cooldownMinutes[rule] * 60_000;
}
