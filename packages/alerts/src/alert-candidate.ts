/**
 * What a rule returns, how its dedupe scope is spelled, and the deterministic alert id. The id depends only on
 * (athlete, rule, scope), so a retried job or a re-evaluation produces the same id and the publisher can
 * drop it as already sent.
 */
import { createHash } from 'node:crypto';
import { DAY_MS } from '@neurolift/stimulus';
import type { AlertRule, AlertUnit, Severity } from './rules.js';

/** An alert a rule wants to raise. The caller dedupes by {@link alertId} and adds the model id and time of publication. */
export interface AlertCandidate {
  readonly rule: AlertRule;
  readonly severity: Severity;
  readonly gymId: string;
  readonly stationId?: string;
  readonly athleteId: string;
  readonly setId?: string;
  /** The model's session id (`s-<firstTs>-<stationId>.<setId>`), for session rules. */
  readonly sessionId?: string;
  readonly exercise?: string;
  /** Dedupe scope: `set/…`, `session/…` or `day/…` (see README); (athlete, rule, scope) fires at most once. */
  readonly scope: string;
  /** The measured value, in `unit`. */
  readonly value: number;
  /** The threshold it was compared with, in `unit`. */
  readonly threshold: number;
  readonly unit: AlertUnit;
  /** One sentence for a coach. */
  readonly message: string;
  /** When the condition was observed, epoch ms: the rep, the set's last rep, the evaluated day's end, the status. */
  readonly ts: number;
}

/** A candidate with its id and the model that produced its inputs: what the service publishes. */
export interface Alert extends AlertCandidate {
  readonly id: string;
  /** `nsi-1`, or `nsi-1+<hash>` with constant overrides (the stimulus worker's model id). */
  readonly model: string;
}

/** Scope of a set: the athlete-unique set key `<stationId>.<setId>`. */
export function setScope(stationId: string, setId: string): string {
  return `set/${stationId}.${setId}`;
}

/** Scope of a session, optionally narrowed to one exercise of it. */
export function sessionScope(sessionId: string, exercise?: string): string {
  return exercise === undefined ? `session/${sessionId}` : `session/${sessionId}/${exercise}`;
}

/** Scope of a UTC day (model day number), as `day/YYYY-MM-DD`. */
export function dayScope(day: number): string {
  return `day/${new Date(day * DAY_MS).toISOString().slice(0, 10)}`;
}

/**
 * Deterministic alert id: the first 32 hex digits (128 bits) of SHA-256 over (athleteId, rule, scope). Severity
 * is not part of it; a rule that may escalate puts the severity in its scope instead (high_fatigue).
 */
export function alertId(candidate: Pick<AlertCandidate, 'athleteId' | 'rule' | 'scope'>): string {
  // JSON of an array keeps the parts apart whatever characters they hold.
  const key = JSON.stringify([candidate.athleteId, candidate.rule, candidate.scope]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** The publishable alert of a candidate. */
export function toAlert(candidate: AlertCandidate, model: string): Alert {
  return { ...candidate, id: alertId(candidate), model };
}

/** Who and where a set-level alert is about. */
export interface SetRef {
  readonly gymId: string;
  readonly stationId: string;
  readonly athleteId: string;
  readonly setId: string;
  readonly exercise: string;
}
