import { DEFAULT_CONSTANTS, type ModelConstants } from '../model/constants.js';
import { isExerciseId } from '../model/exercise-ids.js';
import { withOverrides } from '../model/overrides.js';
import { estimateE1rm, type LvpHistoryEntry } from '../model/e1rm.js';
import { computeExposure, dayOf, type ExposurePoint } from '../model/exposure.js';
import { computeSessions, type SessionPoint } from '../model/session.js';
import { computeSetModel, type SetModel } from '../model/set-model.js';
import type { AcuteSample } from '../model/acute.js';
import { DAY_MS, MINUTE_MS } from '../model/time.js';
import { lvpEntry, type AthleteSet } from './athlete-set.js';
import { orderSets, sessionGroups, type OrderedSet } from './session-groups.js';

export type { AcuteSample };

export interface AthleteProfileInput {
  readonly bodyMassKg?: number | undefined;
  readonly oneRepMaxKg?: Readonly<Record<string, number>> | undefined;
  /** The athlete's own minimum velocity thresholds, m/s, by catalogue exercise id. */
  readonly mvtMps?: Readonly<Record<string, number>> | undefined;
}

/** The deployment's constants with the athlete's MVT overrides (catalogue ids only; others are ignored). */
export function athleteConstants(constants: ModelConstants, profile: AthleteProfileInput): ModelConstants {
  const rows = Object.entries(profile.mvtMps ?? {}).filter(([id]) => isExerciseId(id));
  if (rows.length === 0) return constants;
  return withOverrides(constants, { exercises: Object.fromEntries(rows.map(([id, mvt]) => [id, { mvt }])) });
}

export interface AthleteUpdateInput {
  /** The athlete's stored sets (any order; a key given twice counts once, the later entry wins); the changed set among them. */
  readonly sets: readonly AthleteSet[];
  /** Daily loads persisted earlier, by UTC day: used for days before the oldest stored set. */
  readonly storedDailyLoads: ReadonlyMap<number, number>;
  readonly profile: AthleteProfileInput;
  /** Key of the set that was just stored. */
  readonly changedKey: string;
  readonly constants?: ModelConstants;
}

export interface ModelledSet {
  readonly set: AthleteSet;
  readonly model: SetModel;
}

export interface StimulusPoint {
  readonly set: AthleteSet;
  /** Session id, without the athlete. */
  readonly sessionId: string;
  readonly point: SessionPoint;
}

export interface AthleteUpdate {
  /** The changed set and every later set, in time order: their outputs may have changed. */
  readonly sets: readonly ModelledSet[];
  /** Session state after each of those sets. */
  readonly stimulus: readonly StimulusPoint[];
  /**
   * Daily loads recomputed from the first day of the changed set's session on (earlier days keep their
   * persisted loads, unless a day with sets has none), to persist: every such day with a set, 0 for a day
   * whose sets all belong to a session that ends on a later day (overwriting an earlier, now stale, load).
   */
  readonly dailyLoads: ReadonlyMap<number, number>;
  /**
   * Exposure of each training day (a day with a set) from the day of the first set of the changed set's session
   * on, with the gym of its last set. Starting at the session's first day re-emits a day whose load fell to 0
   * because the changed set extended a session past midnight.
   */
  readonly exposure: ReadonlyArray<ExposurePoint & { readonly gymId: string }>;
  /** Acute-window samples of those sets, each set's curve up to the next set's. */
  readonly acute: readonly AcuteSample[];
}

/**
 * Recomputes an athlete's outputs after one set was stored. Everything is derived from the stored sets
 * (and, for older days, the persisted daily loads), never accumulated, so a re-run or a concurrent run
 * gives the same result and sets are applied in time order whatever order their jobs ran in.
 *
 * e1RM of each set uses the athlete's earlier sets of the same exercise id (load–velocity profile over the
 * window before the set, excluding the set itself; two exercises outside the catalogue are not pooled although
 * both are modelled as `other`), then the coach 1RM entered for that exercise id, the generic curve, Epley.
 * Acute-window samples sit on whole minutes, so a later set's curve overwrites an earlier set's tail.
 */
export function planAthleteUpdate(input: AthleteUpdateInput): AthleteUpdate {
  const constants = athleteConstants(input.constants ?? DEFAULT_CONSTANTS, input.profile);
  const ordered = orderSets(input.sets);

  // Plain per-set values for the load–velocity profile (independent of any e1RM), by exercise id as given.
  const history = new Map<string, LvpHistoryEntry[]>();
  for (const { set } of ordered) {
    const list = history.get(set.exercise) ?? [];
    list.push(lvpEntry(set));
    history.set(set.exercise, list);
  }

  // Sessions depend only on times, so they can be found before any model. The changed set can affect
  // its own session and everything after it, and the loads of the days from its session's first day:
  // only sessions ending on those days are modelled; earlier days keep their persisted loads.
  const groups = sessionGroups(ordered, constants.sessionGapMs);
  const changedGroup = groups.findIndex((group) => group.some(({ set }) => set.key === input.changedKey));
  if (changedGroup < 0) return { sets: [], stimulus: [], dailyLoads: new Map(), exposure: [], acute: [] };
  // A day with sets but no persisted load (state written before loads were kept) is recomputed too.
  const endDay = (group: readonly OrderedSet[]) => dayOf((group[group.length - 1] as OrderedSet).lastTs);
  const unstored = groups.find((group) => !input.storedDailyLoads.has(endDay(group)));
  const fromDay = Math.min(dayOf((groups[changedGroup]?.[0] as OrderedSet).lastTs), unstored ? dayOf((unstored[0] as OrderedSet).lastTs) : Infinity);
  const needed = groups.filter((group) => endDay(group) >= fromDay).flat();

  const modelled: ModelledSet[] = needed.map(({ set, firstTs }) => ({ set, model: modelSet(set, firstTs, history, input.profile, constants) }));

  const sessions = computeSessions(
    modelled.map(({ set, model }) => ({
      setId: set.key,
      firstTs: model.firstTs,
      lastTs: model.lastTs,
      impulse: model.impulse,
      lactateIncrement: model.lactateIncrement,
    })),
    constants,
  );

  const changedIndex = modelled.findIndex(({ set }) => set.key === input.changedKey);
  const affected = modelled.slice(changedIndex);
  const affectedKeys = new Set(affected.map(({ set }) => set.key));
  const byKey = new Map(modelled.map((entry) => [entry.set.key, entry]));

  const stimulus: StimulusPoint[] = [];
  for (const session of sessions) {
    for (const point of session.points) {
      const entry = byKey.get(point.setId);
      if (entry && affectedKeys.has(point.setId)) stimulus.push({ set: entry.set, sessionId: session.sessionId, point });
    }
  }

  // Daily loads from the changed session's first day on: 0 for a day whose sessions all end on a later
  // day; persisted loads before that day.
  const recomputed = new Map<number, number>();
  const lastGymOfDay = new Map<number, string>();
  for (const { set, model } of modelled) {
    const day = dayOf(model.lastTs);
    if (day < fromDay) continue;
    lastGymOfDay.set(day, set.gymId);
    recomputed.set(day, 0);
  }
  for (const session of sessions) {
    const day = dayOf(session.endTs);
    recomputed.set(day, (recomputed.get(day) ?? 0) + session.nsi);
  }
  const loads = new Map<number, number>();
  for (const [day, load] of input.storedDailyLoads) if (day < fromDay) loads.set(day, load);
  for (const [day, load] of recomputed) loads.set(day, load);

  const exposure: Array<ExposurePoint & { gymId: string }> = [];
  const untilDay = Math.max(...loads.keys());
  for (const point of computeExposure(loads, untilDay, constants)) {
    const gymId = lastGymOfDay.get(point.day);
    if (point.day >= fromDay && recomputed.has(point.day) && gymId !== undefined) exposure.push({ ...point, gymId });
  }

  const acute: AcuteSample[] = [];
  stimulus.forEach(({ set, point }, index) => {
    const next = index + 1 < stimulus.length ? (stimulus[index + 1] as StimulusPoint).point.ts : Number.POSITIVE_INFINITY;
    acute.push(...acuteSamples(set.gymId, point.nsi, point.ts, next, constants));
  });

  return { sets: affected, stimulus, dailyLoads: recomputed, exposure, acute };
}

/**
 * A set's model terms: its e1RM from the load–velocity entries of its exercise in the window before its first
 * rep (then the coach's 1RM, the generic curve, Epley), and the set model with it. The one definition the
 * planner and the incremental fold share.
 */
export function modelSet(
  set: AthleteSet,
  firstTs: number,
  history: ReadonlyMap<string, readonly LvpHistoryEntry[]>,
  profile: AthleteProfileInput,
  constants: ModelConstants,
): SetModel {
  const reps = [...set.reps].sort((a, b) => a.repIndex - b.repIndex);
  const loadKg = reps.reduce((sum, rep) => sum + rep.loadKg, 0) / reps.length;
  const windowStart = firstTs - constants.lvpWindowDays * DAY_MS;
  const e1rm = estimateE1rm({
    exercise: set.exercise,
    setId: set.key,
    setTs: firstTs,
    setLoadKg: loadKg,
    reps: reps.length,
    firstRepVelocity: (reps[0] as (typeof reps)[number]).meanVelocity,
    history: (history.get(set.exercise) ?? []).filter((entry) => entry.ts < firstTs && entry.ts >= windowStart),
    coachOneRepMaxKg: profile.oneRepMaxKg?.[set.exercise],
    constants,
  });
  const model = computeSetModel({ reps, exercise: set.exercise, bodyMassKg: profile.bodyMassKg, e1rm, constants });
  if (!model) throw new Error(`set ${set.key} has reps but no model`);
  return model;
}

/**
 * NSI_acute(t) = NSI·exp(−(t − t_end)/τ_b) on whole minutes from t_end for the curve's length, stopping
 * before `until` (the next set's end, whose own curve takes over).
 */
function acuteSamples(gymId: string, nsi: number, tEnd: number, until: number, constants: ModelConstants): AcuteSample[] {
  const step = constants.acuteCurveStepMinutes * MINUTE_MS;
  const end = Math.min(tEnd + constants.acuteCurveMinutes * MINUTE_MS, until - 1);
  const samples: AcuteSample[] = [];
  for (let ts = Math.ceil(tEnd / step) * step; ts <= end; ts += step) {
    samples.push({ gymId, ts, level: nsi * Math.exp(-(ts - tEnd) / MINUTE_MS / constants.acuteTauMin) });
  }
  return samples;
}
