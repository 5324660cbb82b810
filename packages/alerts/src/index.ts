/**
 * Coach alert rules (model spec v1 "Coach alert rules"): pure functions over reps, the model's terms and the
 * athlete's exposure that return alert candidates. No I/O, clock or randomness: the caller passes the time,
 * dedupes by `alertId`, publishes and enforces cooldowns. See README.md for rules, inputs and scopes.
 */
export * from './rules.js';
export { DEFAULT_THRESHOLDS, THRESHOLD_NAMES, THRESHOLD_SPECS, type ThresholdName, type Thresholds } from './thresholds.js';
export { AlertConfigError } from './config-issues.js';
export * from './alert-config.js';
export * from './alert-candidate.js';
export { TOLERANCE } from './compare.js';
export * from './athlete-history.js';
export { highFatigueCandidate, type RepLoss } from './fatigue.js';
export * from './in-set-rules.js';
export { readinessEstimate, readinessSetOf, type ReadinessEstimate, type ReadinessInput, type ReadinessMethod, type ReadinessSet } from './readiness.js';
export * from './set-close-rules.js';
export * from './recovery-rules.js';
export * from './session-end-rules.js';
export * from './daily-rules.js';
export * from './station-rules.js';
export * from './recent-roms.js';
