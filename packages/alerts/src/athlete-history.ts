/**
 * The model's view of an athlete that the set-close and session-end rules read: every stored set with its model
 * terms and the session state after each, computed by the model's own planner. Also the two per-athlete inputs
 * of the in-set rules (MVT and median ROM).
 */
import {
  DEFAULT_CONSTANTS,
  exerciseParams,
  orderSets,
  planAthleteUpdate,
  resolveExerciseId,
  type AthleteProfileInput,
  type AthleteSet,
  type ModelConstants,
  type ModelledSet,
  type SessionPoint,
  type SetModel,
  type StimulusPoint,
} from '@neurolift/stimulus';
import { below } from './compare.js';
import type { Thresholds } from './thresholds.js';

/** Every modelled set of an athlete and the session state after each, in the model's time order. */
export interface AthleteHistory {
  readonly sets: readonly ModelledSet[];
  readonly stimulus: readonly StimulusPoint[];
}

export interface AthleteHistoryInput {
  /** The athlete's stored sets (the stimulus worker's athlete state), the just-closed set among them. */
  readonly sets: readonly AthleteSet[];
  readonly profile: AthleteProfileInput;
  /** The deployment's model constants (with overrides); the defaults when absent. */
  readonly constants?: ModelConstants | undefined;
}

/**
 * Models every stored set: `planAthleteUpdate` with the earliest set as the changed one returns all sets and
 * all stimulus points (its daily loads and exposure are not used here). Pure; the same sets give the same history.
 */
export function athleteHistory(input: AthleteHistoryInput): AthleteHistory {
  const earliest = orderSets(input.sets)[0]?.set;
  if (earliest === undefined) return { sets: [], stimulus: [] };
  const update = planAthleteUpdate({
    sets: input.sets,
    storedDailyLoads: new Map(),
    profile: input.profile,
    changedKey: earliest.key,
    ...(input.constants === undefined ? {} : { constants: input.constants }),
  });
  return { sets: update.sets, stimulus: update.stimulus };
}

/** One session of the history. */
export interface SessionView {
  /** The model's session id (`s-<firstTs>-<first set key>`). */
  readonly sessionId: string;
  /** Its sets in time order. */
  readonly sets: readonly ModelledSet[];
  /** The session state after each of them; the last one holds the session's NSI. */
  readonly points: readonly SessionPoint[];
  readonly startTs: number;
  /** The last set's last rep, epoch ms. */
  readonly endTs: number;
  /** Session NSI so far (the final NSI once the session has ended). */
  readonly nsi: number;
  /** Gym of the session's last set. */
  readonly gymId: string;
}

/** The history's sessions in time order. */
export function sessionsOf(history: AthleteHistory): SessionView[] {
  const byKey = new Map(history.sets.map((entry) => [entry.set.key, entry]));
  const groups = new Map<string, { sets: ModelledSet[]; points: SessionPoint[] }>();
  for (const { set, sessionId, point } of history.stimulus) {
    const entry = byKey.get(set.key);
    if (entry === undefined) continue; // the planner emits a point only for a modelled set
    const group = groups.get(sessionId) ?? { sets: [], points: [] };
    group.sets.push(entry);
    group.points.push(point);
    groups.set(sessionId, group);
  }
  const sessions: SessionView[] = [];
  for (const [sessionId, { sets, points }] of groups) {
    const first = sets[0];
    const last = sets[sets.length - 1];
    const lastPoint = points[points.length - 1];
    if (first === undefined || last === undefined || lastPoint === undefined) continue;
    sessions.push({
      sessionId,
      sets,
      points,
      startTs: Math.min(...sets.map(({ model }) => model.firstTs)),
      endTs: lastPoint.ts,
      nsi: lastPoint.nsi,
      gymId: last.set.gymId,
    });
  }
  return sessions;
}

/**
 * True once no further set can join the session under the model's rule (a set joins when its first rep comes at
 * most sessionGapMs, 2 h, after the session's last rep): asOfMs > endTs + sessionGapMs. A set uploaded late
 * with older timestamps can still extend it; see the README.
 */
export function sessionEnded(session: Pick<SessionView, 'endTs'>, asOfMs: number, constants: ModelConstants = DEFAULT_CONSTANTS): boolean {
  return asOfMs > session.endTs + constants.sessionGapMs;
}

/**
 * The athlete's minimum velocity threshold for an exercise as the model uses it: the profile's `mvtMps` entry of
 * the exercise's catalogue row (unknown exercises use `other`), else the catalogue's MVT.
 */
export function mvtFor(exercise: string, profile: AthleteProfileInput = {}, constants: ModelConstants = DEFAULT_CONSTANTS): number {
  const own = profile.mvtMps?.[resolveExerciseId(exercise)];
  return own !== undefined && Number.isFinite(own) && own > 0 ? own : exerciseParams(constants, exercise).mvt;
}

/** A working set: relative intensity (load / the set's e1RM) at least workingSetMinIntensityPct. */
export function isWorkingSet(model: SetModel, thresholds: Thresholds): boolean {
  return !below(model.relIntensity * 100, thresholds.workingSetMinIntensityPct);
}
