/**
 * The coach alert rules of model spec v1 ("Coach alert rules") and their severities. Ids are snake_case
 * because they travel in alert payloads and dashboards.
 */

import { ALERT_RULES, type AlertRule, type Severity } from '@neurolift/contracts';

export { ALERT_RULES, SEVERITIES, type AlertRule, type AlertUnit, type Severity } from '@neurolift/contracts';

const RULE_SET: ReadonlySet<string> = new Set(ALERT_RULES);

export function isAlertRule(value: string): value is AlertRule {
  return RULE_SET.has(value);
}

/**
 * Severity of the rules that have a single one. `high_fatigue` and `readiness_drop` are amber or red by
 * their thresholds; everything else is fixed here. Near failure and an offline station are amber because a
 * coach may need to step in during the set; the rest inform. An incomplete recovery is amber: the coach
 * may want to lengthen the rest before the next set.
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
  incomplete_recovery: 'amber',
} as const satisfies Record<Exclude<AlertRule, 'high_fatigue' | 'readiness_drop'>, Severity>;

/**
 * Rules that are off unless the alert config enables them (`optionalRules` in `defaults` or a gym's entry):
 * they need inputs not every gym has (heart rate from wearables) or are a coaching choice.
 */
export const OPTIONAL_RULES = ['incomplete_recovery'] as const satisfies readonly AlertRule[];
export type OptionalAlertRule = (typeof OPTIONAL_RULES)[number];
