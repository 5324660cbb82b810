/**
 * Rules evaluated once a session has ended: low_effort and nsi_below_target. "Ended" is the model's session
 * rule: no set can join any more, i.e. more than the session gap (2 h) has passed since its last rep
 * ({@link sessionEnded}). Evaluating them at every set close over the session so far would flag nearly every
 * session after its first (light) set — the NSI only rises through a session — so they are not.
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from '@neurolift/stimulus';
import { sessionScope, type AlertCandidate } from './alert-candidate.js';
import { isWorkingSet, sessionEnded, type SessionView } from './athlete-history.js';
import { above, below, fixed, formatPair, plain } from './compare.js';
import { FIXED_SEVERITY } from './rules.js';
import type { Thresholds } from './thresholds.js';

export interface SessionEndInput {
  readonly athleteId: string;
  /** A session of {@link sessionsOf}(history). */
  readonly session: SessionView;
  /** The caller's current time, epoch ms: nothing fires before the session has ended. */
  readonly asOfMs: number;
  readonly thresholds: Thresholds;
  readonly constants?: ModelConstants | undefined;
}

/** "2025-03-03 10:00 UTC": how a coach recognises a session (its id is not for people). */
export function sessionLabel(startTs: number): string {
  return `${new Date(startTs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function sessionFields(input: SessionEndInput): Pick<AlertCandidate, 'gymId' | 'athleteId' | 'sessionId' | 'scope' | 'ts'> {
  const { session } = input;
  return { gymId: session.gymId, athleteId: input.athleteId, sessionId: session.sessionId, scope: sessionScope(session.sessionId), ts: session.endTs };
}

function ended(input: SessionEndInput): boolean {
  return sessionEnded(input.session, input.asOfMs, input.constants ?? DEFAULT_CONSTANTS);
}

/**
 * low_effort: every working set of the session ({@link isWorkingSet}) had a set velocity loss (the model's
 * VL_set, last rep) under lowEffortMaxVelocityLossPct and a last-rep RIR over lowEffortMinRir. A session with no
 * working set does not fire (nothing to judge; nsi_below_target covers it). Value: the highest VL_set, percent.
 */
export function lowEffortAlerts(input: SessionEndInput): AlertCandidate[] {
  if (!ended(input)) return [];
  const t = input.thresholds;
  const working = input.session.sets.filter(({ model }) => isWorkingSet(model, t));
  if (working.length === 0) return [];
  const easy = working.every(({ model }) => below(model.velocityLoss * 100, t.lowEffortMaxVelocityLossPct) && above(model.rirLast, t.lowEffortMinRir));
  if (!easy) return [];
  const maxLoss = Math.max(...working.map(({ model }) => model.velocityLoss * 100));
  const minRir = Math.min(...working.map(({ model }) => model.rirLast));
  const [loss, limit] = formatPair(maxLoss, t.lowEffortMaxVelocityLossPct, 0, 1);
  const sets = working.length === 1 ? 'the only working set' : `all ${working.length} working sets`;
  const message =
    `Athlete ${input.athleteId}: low effort for the neuro goal in the session of ${sessionLabel(input.session.startTs)}: ` +
    `${sets} stayed under ${limit} % velocity loss (highest ${loss} %) with more than ${plain(t.lowEffortMinRir)} reps in reserve (fewest ${fixed(minRir, 1)})`;
  return [{ rule: 'low_effort', severity: FIXED_SEVERITY.low_effort, ...sessionFields(input), value: maxLoss, threshold: t.lowEffortMaxVelocityLossPct, unit: 'percent', message }];
}

/** nsi_below_target: the session's final NSI below nsiTarget. */
export function nsiBelowTargetAlerts(input: SessionEndInput): AlertCandidate[] {
  if (!ended(input)) return [];
  const { nsi } = input.session;
  const target = input.thresholds.nsiTarget;
  if (!Number.isFinite(nsi) || !below(nsi, target)) return [];
  const [value, limit] = formatPair(nsi, target, 0, 1);
  const message =
    `Athlete ${input.athleteId}: the session of ${sessionLabel(input.session.startTs)} ended with a ` +
    `neurotrophic stimulus index (model) of ${value}, below the target ${limit}`;
  return [{ rule: 'nsi_below_target', severity: FIXED_SEVERITY.nsi_below_target, ...sessionFields(input), value: nsi, threshold: target, unit: 'nsi', message }];
}

/** Every session-end rule for one session. */
export function sessionEndAlerts(input: SessionEndInput): AlertCandidate[] {
  return [...lowEffortAlerts(input), ...nsiBelowTargetAlerts(input)];
}
