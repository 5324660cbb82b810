/**
 * Rules evaluated when a set closes, from the model's terms of every stored set ({@link athleteHistory}):
 * high_fatigue (in case the in-set path missed it), readiness_drop and e1rm_record.
 */
import { DEFAULT_CONSTANTS, type AthleteProfileInput, type E1rmSource, type ModelConstants, type ModelledSet } from '@neurolift/stimulus';
import { sessionScope, type AlertCandidate, type SetRef } from './alert-candidate.js';
import { isWorkingSet, mvtFor, sessionsOf, type AthleteHistory, type SessionView } from './athlete-history.js';
import { above, fixed, formatPair } from './compare.js';
import { highFatigueCandidate } from './fatigue.js';
import { readinessEstimate, type ReadinessMethod } from './readiness.js';
import { FIXED_SEVERITY } from './rules.js';
import type { Thresholds } from './thresholds.js';

export interface SetCloseInput {
  readonly athleteId: string;
  /** Key of the set that closed: `athleteSetKey(stationId, setId)`. */
  readonly setKey: string;
  /** {@link athleteHistory} of the athlete's stored sets, the closed set among them. */
  readonly history: AthleteHistory;
  /** The athlete's profile (its MVT overrides); none when absent. */
  readonly profile?: AthleteProfileInput | undefined;
  readonly thresholds: Thresholds;
  /** The deployment's model constants; the defaults when absent. */
  readonly constants?: ModelConstants | undefined;
  /** Best e1RM per exercise id, kg, of sets no longer in the history (if the caller keeps one). */
  readonly priorBestE1rmKg?: Readonly<Record<string, number>> | undefined;
}

interface Located {
  readonly entry: ModelledSet;
  /** Position in the history's time order. */
  readonly index: number;
  readonly session: SessionView;
  readonly ref: SetRef;
}

function locate(input: SetCloseInput): Located | undefined {
  const index = input.history.sets.findIndex(({ set }) => set.key === input.setKey);
  const entry = input.history.sets[index];
  const session = sessionsOf(input.history).find((candidate) => candidate.sets.some(({ set }) => set.key === input.setKey));
  if (entry === undefined || session === undefined) return undefined;
  const { set } = entry;
  return { entry, index, session, ref: { gymId: set.gymId, stationId: set.stationId, athleteId: input.athleteId, setId: set.setId, exercise: set.exercise } };
}

/** high_fatigue at close, from the model's per-rep velocity loss: the same candidate the in-set path gives. */
export function highFatigueAtCloseAlerts(input: SetCloseInput): AlertCandidate[] {
  const located = locate(input);
  if (located === undefined) return [];
  const losses = located.entry.model.perRep.map((rep) => ({ repIndex: rep.repIndex, ts: rep.ts, lossPct: rep.velocityLoss * 100 }));
  const candidate = highFatigueCandidate(located.ref, losses, input.thresholds);
  return candidate === undefined ? [] : [candidate];
}

const METHOD_LABEL: Record<ReadinessMethod, string> = {
  load_velocity_profile: 'load–velocity profile',
  generic_curve: 'generic velocity curve',
};

/**
 * readiness_drop, on the session's first working set of an exercise only: today's e1RM below the 28-day
 * baseline ({@link readinessEstimate}) by more than max(readinessAmberPct, readinessTypicalErrorFactor ×
 * typical error) is amber, by more than max(readinessRedPct, that amber threshold) red (so the noise gate
 * holds for red too). Scope `session/<sessionId>/<exercise>`: one alert per exercise per session.
 */
export function readinessDropAlerts(input: SetCloseInput): AlertCandidate[] {
  const located = locate(input);
  if (located === undefined) return [];
  const { entry, session, ref } = located;
  const t = input.thresholds;
  const constants = input.constants ?? DEFAULT_CONSTANTS;
  const firstWorking = (sets: readonly ModelledSet[]) => sets.find((candidate) => candidate.set.exercise === ref.exercise && isWorkingSet(candidate.model, t));
  if (firstWorking(session.sets) !== entry) return [];

  const earlierSessions = sessionsOf(input.history).filter((candidate) => candidate.endTs < session.startTs);
  const estimate = readinessEstimate({
    current: entry,
    earlierFirstWorking: earlierSessions.map((candidate) => firstWorking(candidate.sets)).filter((set): set is ModelledSet => set !== undefined),
    earlierSets: input.history.sets.filter(({ set, model }) => set.exercise === ref.exercise && model.lastTs < session.startTs),
    sessionStartTs: session.startTs,
    mvtMps: mvtFor(ref.exercise, input.profile, constants),
    minBaselineSessions: t.readinessMinBaselineSessions,
    constants,
  });
  if (estimate === undefined) return [];
  const amberLimit = Math.max(t.readinessAmberPct, t.readinessTypicalErrorFactor * estimate.typicalErrorPct);
  const redLimit = Math.max(t.readinessRedPct, amberLimit);
  const severity = above(estimate.dropPct, redLimit) ? 'red' : above(estimate.dropPct, amberLimit) ? 'amber' : undefined;
  if (severity === undefined) return [];
  const threshold = severity === 'red' ? redLimit : amberLimit;
  const [drop, limit] = formatPair(estimate.dropPct, threshold, 1, 2);
  const message =
    `Athlete ${ref.athleteId}: ${ref.exercise} e1RM ${fixed(estimate.todayKg, 1)} kg in set ${ref.setId} is ${drop} % below ` +
    `the 28-day baseline of ${fixed(estimate.baselineKg, 1)} kg (${METHOD_LABEL[estimate.method]}), above ${limit} %`;
  return [
    {
      rule: 'readiness_drop',
      severity,
      ...ref,
      sessionId: session.sessionId,
      scope: sessionScope(session.sessionId, ref.exercise),
      value: estimate.dropPct,
      threshold,
      unit: 'percent',
      message,
      ts: entry.model.lastTs,
    },
  ];
}

const SOURCE_LABEL: Record<E1rmSource, string> = {
  lvp: 'load–velocity profile',
  profile: 'coach-entered 1RM',
  generic_curve: 'generic velocity curve',
  epley: 'Epley',
};

/**
 * e1rm_record: the set's e1RM (the model's) above every earlier estimate for the exercise id — earlier sets in
 * the history and `priorBestE1rmKg` — by more than e1rmRecordMinGainPct. Needs at least one earlier estimate.
 * A coach-entered 1RM (source `profile`) is not an estimate: it neither sets nor counts as a record.
 * Scope `session/<sessionId>/<exercise>`: the first record of an exercise in a session, not one per set.
 */
export function e1rmRecordAlerts(input: SetCloseInput): AlertCandidate[] {
  const located = locate(input);
  if (located === undefined) return [];
  const { entry, index, session, ref } = located;
  const current = entry.model;
  if (current.e1rmSource === 'profile' || !(current.e1rmKg > 0)) return [];
  const earlier = input.history.sets
    .slice(0, index)
    .filter(({ set, model }) => set.exercise === ref.exercise && model.e1rmSource !== 'profile')
    .map(({ model }) => model.e1rmKg);
  const prior = input.priorBestE1rmKg?.[ref.exercise];
  if (prior !== undefined && Number.isFinite(prior)) earlier.push(prior);
  const best = Math.max(...earlier.filter(Number.isFinite));
  if (earlier.length === 0 || !(best > 0)) return [];
  const threshold = best * (1 + input.thresholds.e1rmRecordMinGainPct / 100);
  if (!above(current.e1rmKg, threshold)) return [];
  const [value, previous] = formatPair(current.e1rmKg, best, 1, 2);
  const margin = input.thresholds.e1rmRecordMinGainPct > 0 ? ` by more than ${fixed(input.thresholds.e1rmRecordMinGainPct, 1)} %` : '';
  const message =
    `Athlete ${ref.athleteId}: new ${ref.exercise} e1RM record, ${value} kg in set ${ref.setId} ` +
    `(model estimate, ${SOURCE_LABEL[current.e1rmSource]}), above the previous best ${previous} kg${margin}`;
  return [
    {
      rule: 'e1rm_record',
      severity: FIXED_SEVERITY.e1rm_record,
      ...ref,
      sessionId: session.sessionId,
      scope: sessionScope(session.sessionId, ref.exercise),
      value: current.e1rmKg,
      threshold,
      unit: 'kg',
      message,
      ts: current.lastTs,
    },
  ];
}

/** Every set-close rule for the set that closed: call after the model has processed it. */
export function setCloseAlerts(input: SetCloseInput): AlertCandidate[] {
  return [...highFatigueAtCloseAlerts(input), ...readinessDropAlerts(input), ...e1rmRecordAlerts(input)];
}
