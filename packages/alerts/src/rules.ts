/**
 * The coach alert rules of model spec v1 ("Coach alert rules") and their severities. Ids are snake_case
 * because they travel in alert payloads and dashboards.
 */

/** Every rule, in the spec's table order. */
export const ALERT_RULES = [
  'near_failure',
  'partial_rep',
  'high_fatigue',
  'low_effort',
  'nsi_below_target',
  'readiness_drop',
  'e1rm_record',
  'low_exposure',
  'exposure_change',
  'station_offline',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** `info` tells, `amber` asks the coach to look, `red` asks the coach to act. */
export const SEVERITIES = ['info', 'amber', 'red'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The unit of an alert's `value` and `threshold`. */
export type AlertUnit = 'm/s' | 'reps' | 'percent' | 'm' | 'kg' | 'nsi' | 'sessions' | 'ratio' | 'none';

const RULE_SET: ReadonlySet<string> = new Set(ALERT_RULES);

export function isAlertRule(value: string): value is AlertRule {
  return RULE_SET.has(value);
}

/**
 * Severity of the rules that have a single one. `high_fatigue` and `readiness_drop` are amber or red by
 * their thresholds; everything else is fixed here. Near failure and an offline station are amber because a
 * coach may need to step in during the set; the rest inform.
 */
export const FIXED_SEVERITY = {
  near_failure: 'amber',
  partial_rep: 'info',
  low_effort: 'info',
  nsi_below_target: 'info',
  e1rm_record: 'info',
  low_exposure: 'info',
  exposure_change: 'info',
  station_offline: 'amber',
} as const satisfies Record<Exclude<AlertRule, 'high_fatigue' | 'readiness_drop'>, Severity>;
