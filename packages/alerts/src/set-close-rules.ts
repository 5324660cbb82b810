/**
 * Rules evaluated when a set closes, from the model's terms of every stored set ({@link athleteHistory}):
 * high_fatigue (in case the in-set path missed it), readiness_drop and e1rm_record.
 */
import { DEFAULT_CONSTANTS, type AthleteProfileInput, type E1rmSource, type FoldedSet, type ModelConstants, type ModelledSet } from '@neurolift/stimulus';
import { sessionScope, type AlertCandidate, type SetRef } from './alert-candidate.js';
import { mvtFor, sessionsOf, type AthleteHistory } from './athlete-history.js';
import { above, below, fixed, formatPair } from './compare.js';
import { highFatigueCandidate } from './fatigue.js';
import { readinessEstimate, readinessSetOf, type ReadinessMethod, type ReadinessSet } from './readiness.js';
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

/** An earlier set of the exercise as the readiness baselines read it, with its place in its session. */
export interface EarlierSet extends ReadinessSet {
  readonly relIntensity: number;
  /** Highest relative intensity of the exercise earlier in that set's session; absent when none. */
  readonly sessionIntensityBefore?: number | undefined;
}

/**
 * What the set-close rules read of the closed set and the athlete: the set and its model terms, its session,
 * what came before it in the session and the athlete's best estimate so far. The worker's records hold all of
 * it ({@link setCloseViewOf} derives the same from a whole history), so the rules model nothing themselves.
 */
export interface SetCloseView {
  readonly athleteId: string;
  readonly current: ModelledSet;
  readonly sessionId: string;
  /** The session's first rep, epoch ms. */
  readonly sessionStartTs: number;
  /** Highest relative intensity of the set's exercise earlier in the session; absent when none. */
  readonly sessionIntensityBefore?: number | undefined;
  /** Best e1RM estimate of the exercise in the athlete's earlier sets; absent when none. */
  readonly bestE1rmBefore?: number | undefined;
  /**
   * The exercise's sets that ended before the session (at least those of the 28 days before the set): the
   * readiness baselines. Needed only when the set is the session's first working set of its exercise.
   */
  readonly earlierSets: readonly EarlierSet[];
}

export interface SetCloseRulesInput {
  readonly view: SetCloseView;
  readonly profile?: AthleteProfileInput | undefined;
  readonly thresholds: Thresholds;
  readonly constants?: ModelConstants | undefined;
  /** Best e1RM per exercise id, kg, of sets the view does not know (if the caller keeps one). */
  readonly priorBestE1rmKg?: Readonly<Record<string, number>> | undefined;
}

function working(relIntensity: number | undefined, thresholds: Thresholds): boolean {
  return relIntensity !== undefined && !below(relIntensity * 100, thresholds.workingSetMinIntensityPct);
}

/** The first working set of its exercise in its session: a working set after none in the session. */
export function isFirstWorking(set: { relIntensity: number; sessionIntensityBefore?: number | undefined }, thresholds: Thresholds): boolean {
  return working(set.relIntensity, thresholds) && !working(set.sessionIntensityBefore, thresholds);
}

/** Whether readiness needs the view's earlier sets: only at the session's first working set of an exercise. */
export function needsReadinessBaseline(view: Omit<SetCloseView, 'earlierSets'>, thresholds: Thresholds): boolean {
  return isFirstWorking({ relIntensity: view.current.model.relIntensity, sessionIntensityBefore: view.sessionIntensityBefore }, thresholds);
}

/** The view of the closed set `setKey` from a whole history (what the worker's records hold, derived). */
export function setCloseViewOf(history: AthleteHistory, athleteId: string, setKey: string): SetCloseView | undefined {
  const index = history.sets.findIndex(({ set }) => set.key === setKey);
  const current = history.sets[index];
  const sessions = sessionsOf(history);
  const session = sessions.find((candidate) => candidate.sets.some(({ set }) => set.key === setKey));
  if (current === undefined || session === undefined) return undefined;
  const exercise = current.set.exercise;
  const maxOf = (values: readonly number[]) => (values.length === 0 ? undefined : Math.max(...values));
  const sessionIntensityBefore = (entries: readonly ModelledSet[], key: string) => {
    const position = entries.findIndex(({ set }) => set.key === key);
    return maxOf(entries.slice(0, position).filter(({ set }) => set.exercise === exercise).map(({ model }) => model.relIntensity));
  };
  const estimates = history.sets
    .slice(0, index)
    .filter(({ set, model }) => set.exercise === exercise && model.e1rmSource !== 'profile' && Number.isFinite(model.e1rmKg))
    .map(({ model }) => model.e1rmKg);
  const earlierSets = sessions
    .filter((candidate) => candidate.endTs < session.startTs)
    .flatMap((candidate) =>
      candidate.sets
        .filter(({ set }) => set.exercise === exercise)
        .map((entry) => ({ ...readinessSetOf(entry), relIntensity: entry.model.relIntensity, sessionIntensityBefore: sessionIntensityBefore(candidate.sets, entry.set.key) })),
    );
  return {
    athleteId,
    current,
    sessionId: session.sessionId,
    sessionStartTs: session.startTs,
    sessionIntensityBefore: sessionIntensityBefore(session.sets, setKey),
    bestE1rmBefore: maxOf(estimates),
    earlierSets,
  };
}

/** The view of a set the worker folded: its record holds all of it but the earlier sets (read by the caller). */
export function setCloseViewFromFold(athleteId: string, folded: FoldedSet, earlierSets: readonly EarlierSet[]): SetCloseView {
  return {
    athleteId,
    current: { set: folded.set, model: folded.model },
    sessionId: folded.sessionId,
    sessionStartTs: folded.checkpoint.sessionStartTs,
    sessionIntensityBefore: folded.sessionIntensityBefore,
    bestE1rmBefore: folded.bestE1rmBefore,
    earlierSets,
  };
}

function refOf(view: SetCloseView): SetRef {
  const { set } = view.current;
  return { gymId: set.gymId, stationId: set.stationId, athleteId: view.athleteId, setId: set.setId, exercise: set.exercise };
}

/** The view of a history-based input, or undefined when the set is not in the history. */
function viewOf(input: SetCloseInput | SetCloseRulesInput): SetCloseView | undefined {
  return 'view' in input ? input.view : setCloseViewOf(input.history, input.athleteId, input.setKey);
}

/** high_fatigue at close, from the model's per-rep velocity loss: the same candidate the in-set path gives. */
export function highFatigueAtCloseAlerts(input: SetCloseInput | SetCloseRulesInput): AlertCandidate[] {
  const view = viewOf(input);
  if (view === undefined) return [];
  const losses = view.current.model.perRep.map((rep) => ({ repIndex: rep.repIndex, ts: rep.ts, lossPct: rep.velocityLoss * 100 }));
  const candidate = highFatigueCandidate(refOf(view), losses, input.thresholds);
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
export function readinessDropAlerts(input: SetCloseInput | SetCloseRulesInput): AlertCandidate[] {
  const view = viewOf(input);
  if (view === undefined) return [];
  const ref = refOf(view);
  const t = input.thresholds;
  const constants = input.constants ?? DEFAULT_CONSTANTS;
  if (!needsReadinessBaseline(view, t)) return [];

  const earlier = view.earlierSets.filter((entry) => entry.exercise === ref.exercise && entry.lastTs < view.sessionStartTs);
  const estimate = readinessEstimate({
    current: readinessSetOf(view.current),
    earlierFirstWorking: earlier.filter((entry) => isFirstWorking(entry, t)),
    earlierSets: earlier,
    sessionStartTs: view.sessionStartTs,
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
      sessionId: view.sessionId,
      scope: sessionScope(view.sessionId, ref.exercise),
      value: estimate.dropPct,
      threshold,
      unit: 'percent',
      message,
      ts: view.current.model.lastTs,
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
export function e1rmRecordAlerts(input: SetCloseInput | SetCloseRulesInput): AlertCandidate[] {
  const view = viewOf(input);
  if (view === undefined) return [];
  const ref = refOf(view);
  const current = view.current.model;
  if (current.e1rmSource === 'profile' || !(current.e1rmKg > 0)) return [];
  const earlier = view.bestE1rmBefore === undefined ? [] : [view.bestE1rmBefore];
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
      sessionId: view.sessionId,
      scope: sessionScope(view.sessionId, ref.exercise),
      value: current.e1rmKg,
      threshold,
      unit: 'kg',
      message,
      ts: current.lastTs,
    },
  ];
}

/** Every set-close rule for the set that closed: call after the model has processed it. */
export function setCloseAlerts(input: SetCloseInput | SetCloseRulesInput): AlertCandidate[] {
  return [...highFatigueAtCloseAlerts(input), ...readinessDropAlerts(input), ...e1rmRecordAlerts(input)];
}
