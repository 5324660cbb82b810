/*
 * The athlete's state folded forward set by set (decision 0014). planAthleteUpdate derives every output
 * from all stored sets; this gives the same outputs from the state after the set before, so the cost of a
 * set no longer grows with the athlete's history. Each set's record keeps that state (its checkpoint); a
 * late set continues from the checkpoint before it and folds the later sets again.
 */
import { acuteWindow, type AcuteSample } from '../model/acute.js';
import { DEFAULT_CONSTANTS, type ModelConstants } from '../model/constants.js';
import type { LvpHistoryEntry } from '../model/e1rm.js';
import { computeExposure, dayOf, exposureOn, type ExposurePoint, type ExposureState } from '../model/exposure.js';
import { advanceSession, sessionDose, sessionIdOf, type SessionPoint, type SessionState } from '../model/session.js';
import { isAerobic, isCountedMinute, type Activity, type AerobicMinute } from './aerobic-minute.js';
import { setSpan, type AthleteSet } from './athlete-set.js';
import { modelBasis } from './model-basis.js';
import { athleteConstants, modelSet, type AthleteProfileInput, type AthleteUpdate, type ModelledSet, type StimulusPoint } from './plan-athlete-update.js';

/** Where an athlete's state stands after one set, in the model's time order: all the next set continues from. */
export interface Checkpoint {
  readonly key: string;
  readonly gymId: string;
  /**
   * The end of the latest activity, epoch ms: the set's last rep, or a minute's last counted heart-rate sample
   * (the session gap is measured from it).
   */
  readonly lastTs: number;
  readonly sessionId: string;
  /** Key of the session's first set. */
  readonly sessionFirstKey: string;
  /** Earliest first rep of the session so far, epoch ms. */
  readonly sessionStartTs: number;
  /** The session's state; `aerobicSum` (model nsi-1.1): A of its counted heart rate so far, absent when 0. */
  readonly session: SessionState & { readonly aerobicSum?: number | undefined };
  /** Session NSI after this set. */
  readonly nsi: number;
  /** Σ NSI of the athlete's earlier sessions that end on this set's UTC day, in time order (0 when none). */
  readonly priorDayLoad: number;
  /** The first training day (the exposure EWMAs start there). */
  readonly firstDay: number;
  /** EWMAs at the end of the latest day with a load before this set's day; absent when there is none. */
  readonly exposureBefore?: ExposureState | undefined;
  /** EWMAs at the end of this set's day as it stands after this set. */
  readonly exposure: ExposureState;
  /** Highest relative intensity per exercise id in the session so far. */
  readonly sessionIntensity: Readonly<Record<string, number>>;
  /** Best e1RM estimate per exercise id in the athlete's sets so far (a coach-entered 1RM is not an estimate). */
  readonly bestE1rm: Readonly<Record<string, number>>;
  /** Fingerprint of the profile and constants the terms were computed with. */
  readonly basis: string;
}

/** Where an athlete's state stands before its first stored set: the daily loads of earlier days. */
export interface Genesis {
  readonly firstDay?: number | undefined;
  /** EWMAs at the end of the latest earlier day with a load. */
  readonly exposure?: ExposureState | undefined;
}

/** A set folded into the athlete's state: its model terms, the session after it and its checkpoint. */
export interface FoldedSet extends ModelledSet {
  readonly sessionId: string;
  readonly point: SessionPoint;
  readonly checkpoint: Checkpoint;
  /** Highest relative intensity of the set's exercise earlier in its session; absent when none. */
  readonly sessionIntensityBefore?: number | undefined;
  /** Best e1RM estimate of the set's exercise in the athlete's earlier sets; absent when none. */
  readonly bestE1rmBefore?: number | undefined;
}

/**
 * A minute of heart rate folded into the athlete's state. With counted samples it is activity: it adds its
 * aerobic sum to the session (or opens one) and has a session point at the minute's end. Without, its
 * checkpoint is the state before it, and it repeats the session's point when a session is under way then
 * (so the points written for a minute do not depend on whether its samples once counted).
 */
export interface FoldedAerobic {
  readonly minute: AerobicMinute;
  readonly sessionId?: string | undefined;
  readonly point?: SessionPoint | undefined;
  readonly checkpoint: Checkpoint | Genesis;
}

export type FoldedActivity = FoldedSet | FoldedAerobic;

export function isFoldedAerobic(folded: FoldedActivity): folded is FoldedAerobic {
  return 'minute' in folded;
}

export function foldedKey(folded: FoldedActivity): string {
  return isFoldedAerobic(folded) ? folded.minute.key : folded.set.key;
}

/** The time an activity's session point takes: a set's last rep, a minute's end. */
export function activityTs(activity: Activity): number {
  return isAerobic(activity) ? activity.ts : setSpan(activity).lastTs;
}

/** A session point after a minute of heart rate (model nsi-1.1). */
export interface AerobicPoint {
  readonly minute: AerobicMinute;
  /** Session id, without the athlete. */
  readonly sessionId: string;
  readonly point: SessionPoint;
  /** The gym of the session's latest set, when it has one. */
  readonly gymId?: string | undefined;
}

export function isCheckpoint(state: Checkpoint | Genesis): state is Checkpoint {
  return 'key' in state;
}

/** The start before any set on or after `beforeDay`: the persisted loads of earlier days (pruned sets' days). */
export function genesisOf(dailyLoads: ReadonlyMap<number, number>, beforeDay: number, constants: ModelConstants = DEFAULT_CONSTANTS): Genesis {
  const earlier = new Map([...dailyLoads].filter(([day]) => day < beforeDay));
  if (earlier.size === 0) return {};
  const last = computeExposure(earlier, Math.max(...earlier.keys()), constants).at(-1) as ExposurePoint;
  return { firstDay: Math.min(...earlier.keys()), exposure: { day: last.day, a7: last.a7, c28: last.c28 } };
}

export interface FoldInput {
  /** The state before the first set: the checkpoint of the set before it, or the genesis. */
  readonly start: Checkpoint | Genesis;
  /** Activities in the model's time order (time, then key), each after `start`: sets with reps, minutes of heart rate. */
  readonly sets: readonly Activity[];
  /** Load–velocity entries per exercise id (lvpEntry), holding at least each set's 28-day window before it. */
  readonly history: ReadonlyMap<string, readonly LvpHistoryEntry[]>;
  readonly profile: AthleteProfileInput;
  readonly constants?: ModelConstants | undefined;
  /** Key of the first set whose outputs are returned; the sets before it are folded for their state only. */
  readonly emitFrom?: string | undefined;
  /** True when emitFrom lies after these sets (an earlier chunk of a longer fold): nothing is emitted. */
  readonly emitBefore?: boolean | undefined;
  /** The last rep of the set after the last one, when it is folded apart (the last set's acute window stops there). */
  readonly nextLastTs?: number | undefined;
}

export interface FoldResult {
  /** Every activity folded, with its new checkpoint: the records to persist. */
  readonly folded: readonly FoldedActivity[];
  /**
   * The outputs, as planAthleteUpdate gives them: the emitted sets with their session points and acute
   * windows, the loads of every day the fold touched, and those days' exposure; and the session points of
   * emitted minutes of heart rate (`aerobic`, present only when there are some).
   */
  readonly update: AthleteUpdate & { readonly aerobic?: readonly AerobicPoint[] };
}

type GymExposure = ExposurePoint & { readonly gymId: string };

/**
 * Folds sets into the athlete's state from `start`, in order. Pure: the same start and sets give the same
 * result, equal to what planAthleteUpdate derives from all stored sets (the property test holds them together).
 */
export function foldSets(input: FoldInput): FoldResult {
  const constants = athleteConstants(input.constants ?? DEFAULT_CONSTANTS, input.profile);
  const basis = modelBasis(input.profile, input.constants ?? DEFAULT_CONSTANTS);
  const folded: FoldedActivity[] = [];
  const exposure = new Map<number, GymExposure>();
  const dailyLoads = new Map<number, number>();
  let state: Checkpoint | Genesis = input.start;
  for (const activity of input.sets) {
    const step = isAerobic(activity) ? foldAerobic(state, activity, constants, basis) : foldOne(state, activity, input, constants, basis);
    folded.push(step.folded);
    for (const point of step.exposure) exposure.set(point.day, point);
    for (const [day, load] of step.dailyLoads) dailyLoads.set(day, load);
    state = step.folded.checkpoint;
  }

  const emitAt = input.emitFrom === undefined ? 0 : folded.findIndex((entry) => foldedKey(entry) === input.emitFrom);
  // A chunk after the one holding emitFrom emits everything; a chunk before it, nothing.
  const from = emitAt >= 0 ? emitAt : input.emitFrom !== undefined && input.emitBefore === true ? folded.length : 0;
  // Points in order, sets' and minutes' alike: each acute window runs until the next point.
  const points = folded.slice(from).flatMap((entry) => {
    if (!isFoldedAerobic(entry)) return [{ gymId: entry.set.gymId, point: entry.point, anchorTs: entry.set.pointTs ?? entry.point.ts }];
    return entry.point === undefined ? [] : [{ gymId: '', point: entry.point, anchorTs: entry.point.ts }];
  });
  const acute: AcuteSample[] = [];
  points.forEach(({ gymId, point, anchorTs }, index) => {
    const next = points[index + 1]?.point.ts ?? input.nextLastTs ?? Number.POSITIVE_INFINITY;
    acute.push(...acuteWindow(gymId, point.nsi, point.ts, anchorTs, next, constants));
  });
  const emitted = folded.slice(from);
  const sets = emitted.filter((entry): entry is FoldedSet => !isFoldedAerobic(entry));
  const stimulus: StimulusPoint[] = sets.map(({ set, sessionId, point }) => ({ set, sessionId, point }));
  const aerobic = emitted.flatMap((entry): AerobicPoint[] => {
    if (!isFoldedAerobic(entry) || entry.point === undefined || entry.sessionId === undefined) return [];
    const gymId = isCheckpoint(entry.checkpoint) && entry.checkpoint.gymId !== '' ? entry.checkpoint.gymId : undefined;
    return [{ minute: entry.minute, sessionId: entry.sessionId, point: entry.point, ...(gymId === undefined ? {} : { gymId }) }];
  });
  return {
    folded,
    update: {
      sets: sets.map(({ set, model }) => ({ set, model })),
      stimulus,
      dailyLoads,
      exposure: [...exposure.values()].sort((a, b) => a.day - b.day),
      acute,
      ...(aerobic.length > 0 ? { aerobic } : {}),
    },
  };
}

interface Step {
  readonly folded: FoldedSet;
  readonly exposure: readonly GymExposure[];
  readonly dailyLoads: ReadonlyArray<readonly [number, number]>;
}

/** The day's load and exposure after an activity of a session with NSI `nsi` ending at `lastTs`. */
interface DayStep {
  readonly priorDayLoad: number;
  readonly firstDay: number;
  readonly exposureBefore?: ExposureState | undefined;
  readonly exposure: ExposureState;
  readonly points: readonly GymExposure[];
  readonly dailyLoads: ReadonlyArray<readonly [number, number]>;
}

/**
 * The day: a session belongs to the day of its end, so a session that goes on past midnight leaves the
 * earlier day with only its earlier sessions' loads.
 */
function advanceDay(previous: Checkpoint | Genesis, continues: boolean, lastTs: number, nsi: number, gymId: string, constants: ModelConstants): DayStep {
  const prior = isCheckpoint(previous) ? previous : undefined;
  const day = dayOf(lastTs);
  const points: GymExposure[] = [];
  const dailyLoads: Array<readonly [number, number]> = [];
  let priorDayLoad = 0;
  let exposureBefore: ExposureState | undefined;
  let firstDay: number;
  if (prior === undefined) {
    const genesis = previous;
    firstDay = Math.min(genesis.firstDay ?? day, day);
    exposureBefore = genesis.exposure;
  } else {
    firstDay = prior.firstDay;
    const priorDay = dayOf(prior.lastTs);
    if (priorDay === day) {
      priorDayLoad = continues ? prior.priorDayLoad : prior.priorDayLoad + prior.nsi;
      exposureBefore = prior.exposureBefore;
    } else if (continues) {
      const left = exposureOn(prior.exposureBefore, priorDay, prior.priorDayLoad, firstDay, constants);
      points.push({ ...left, gymId: prior.gymId });
      dailyLoads.push([priorDay, prior.priorDayLoad]);
      exposureBefore = { day: left.day, a7: left.a7, c28: left.c28 };
    } else {
      exposureBefore = prior.exposure;
    }
  }
  const dayLoad = priorDayLoad + nsi;
  const today = exposureOn(exposureBefore, day, dayLoad, firstDay, constants);
  points.push({ ...today, gymId });
  dailyLoads.push([day, dayLoad]);
  return { priorDayLoad, firstDay, exposureBefore, exposure: { day, a7: today.a7, c28: today.c28 }, points, dailyLoads };
}

/** A's of the session so far, to carry: absent when 0, so states without heart rate stay as nsi-1 wrote them. */
function withAerobic<T extends object>(value: T, aerobicSum: number): T & { aerobicSum?: number } {
  return aerobicSum > 0 ? { ...value, aerobicSum } : value;
}

function foldOne(previous: Checkpoint | Genesis, set: AthleteSet, input: FoldInput, constants: ModelConstants, basis: string): Step {
  const { firstTs, lastTs } = setSpan(set);
  const model = modelSet(set, firstTs, input.history, input.profile, constants);

  // The session: continued when this set starts at most the session gap after the activity before ends.
  const prior = isCheckpoint(previous) ? previous : undefined;
  const continues = prior !== undefined && firstTs - prior.lastTs <= constants.sessionGapMs;
  const aerobicSum = continues ? (prior.session.aerobicSum ?? 0) : 0;
  const advanced = advanceSession(continues ? prior.session : undefined, { setId: set.key, firstTs, lastTs, impulse: model.impulse, lactateIncrement: model.lactateIncrement }, constants, aerobicSum);
  const point = aerobicSum > 0 ? { ...advanced, aerobicDose: sessionDose({ impulseSum: advanced.impulseSum, lactatePeak: advanced.lactatePeak, aerobicSum }, constants).aerobicDose, aerobicSum } : advanced;
  const sessionId = continues ? prior.sessionId : sessionIdOf({ firstTs, setId: set.key });
  const day = advanceDay(previous, continues, lastTs, point.nsi, set.gymId, constants);

  // What the alert rules compare a set with: the session's intensity of the exercise so far, the best estimate.
  const exercise = set.exercise;
  const sessionIntensityBefore = continues ? prior.sessionIntensity[exercise] : undefined;
  const bestE1rmBefore = prior?.bestE1rm[exercise];
  const estimate = model.e1rmSource !== 'profile' && Number.isFinite(model.e1rmKg);
  const checkpoint: Checkpoint = {
    key: set.key,
    gymId: set.gymId,
    lastTs,
    sessionId,
    sessionFirstKey: continues ? prior.sessionFirstKey : set.key,
    sessionStartTs: continues ? Math.min(prior.sessionStartTs, firstTs) : firstTs,
    session: withAerobic({ lactate: point.lactate, lactatePeak: point.lactatePeak, impulseSum: point.impulseSum, sets: point.sets, lastTs }, aerobicSum),
    nsi: point.nsi,
    priorDayLoad: day.priorDayLoad,
    firstDay: day.firstDay,
    ...(day.exposureBefore === undefined ? {} : { exposureBefore: day.exposureBefore }),
    exposure: day.exposure,
    sessionIntensity: { ...(continues ? prior.sessionIntensity : {}), [exercise]: Math.max(sessionIntensityBefore ?? 0, model.relIntensity) },
    bestE1rm: estimate ? { ...prior?.bestE1rm, [exercise]: Math.max(bestE1rmBefore ?? Number.NEGATIVE_INFINITY, model.e1rmKg) } : (prior?.bestE1rm ?? {}),
    basis,
  };
  const folded: FoldedSet = {
    set,
    model,
    sessionId,
    point,
    checkpoint,
    ...(sessionIntensityBefore === undefined ? {} : { sessionIntensityBefore }),
    ...(bestE1rmBefore === undefined ? {} : { bestE1rmBefore }),
  };
  return { folded, exposure: day.points, dailyLoads: day.dailyLoads };
}

interface AerobicStep {
  readonly folded: FoldedAerobic;
  readonly exposure: readonly GymExposure[];
  readonly dailyLoads: ReadonlyArray<readonly [number, number]>;
}

/** The session point of a session state at `ts` (what a minute repeats, or what it makes of the state it advanced). */
function pointOf(key: string, ts: number, session: Checkpoint['session'], constants: ModelConstants): SessionPoint {
  const aerobicSum = session.aerobicSum ?? 0;
  const dose = sessionDose({ impulseSum: session.impulseSum, lactatePeak: session.lactatePeak, aerobicSum }, constants);
  return {
    setId: key,
    ts,
    nsi: dose.nsi,
    dose: dose.dose,
    workDose: dose.workDose,
    lactateDose: dose.lactateDose,
    lactatePeak: session.lactatePeak,
    lactate: session.lactate,
    impulseSum: session.impulseSum,
    sets: session.sets,
    ...(aerobicSum > 0 ? { aerobicDose: dose.aerobicDose, aerobicSum } : {}),
  };
}

/**
 * A minute of heart rate (model nsi-1.1): its counted samples are activity of the session they fall in (a
 * gap of more than 2 h from the activity before opens a new one) and add A to its dose; λ and B are the
 * sets' alone. A minute without counted samples changes nothing.
 */
function foldAerobic(previous: Checkpoint | Genesis, minute: AerobicMinute, constants: ModelConstants, basis: string): AerobicStep {
  const prior = isCheckpoint(previous) ? previous : undefined;
  if (!isCountedMinute(minute)) {
    const ongoing = prior !== undefined && minute.ts - prior.lastTs <= constants.sessionGapMs;
    const repeat = ongoing ? { sessionId: prior.sessionId, point: pointOf(minute.key, minute.ts, prior.session, constants) } : {};
    return { folded: { minute, checkpoint: previous, ...repeat }, exposure: [], dailyLoads: [] };
  }
  const firstTs = minute.sum.firstCountedTs as number;
  const lastTs = minute.sum.lastCountedTs as number;
  const continues = prior !== undefined && firstTs - prior.lastTs <= constants.sessionGapMs;
  const before = continues ? prior.session : undefined;
  const session = withAerobic(
    { lactate: before?.lactate ?? 0, lactatePeak: before?.lactatePeak ?? 0, impulseSum: before?.impulseSum ?? 0, sets: before?.sets ?? 0, lastTs: before?.lastTs ?? lastTs },
    (before?.aerobicSum ?? 0) + minute.sum.a,
  );
  const point = pointOf(minute.key, minute.ts, session, constants);
  const sessionId = continues ? prior.sessionId : sessionIdOf({ firstTs, setId: minute.key });
  const gymId = continues ? prior.gymId : '';
  const day = advanceDay(previous, continues, lastTs, point.nsi, gymId, constants);
  const checkpoint: Checkpoint = {
    key: minute.key,
    gymId,
    lastTs,
    sessionId,
    sessionFirstKey: continues ? prior.sessionFirstKey : minute.key,
    sessionStartTs: continues ? Math.min(prior.sessionStartTs, firstTs) : firstTs,
    session,
    nsi: point.nsi,
    priorDayLoad: day.priorDayLoad,
    firstDay: day.firstDay,
    ...(day.exposureBefore === undefined ? {} : { exposureBefore: day.exposureBefore }),
    exposure: day.exposure,
    sessionIntensity: continues ? prior.sessionIntensity : {},
    bestE1rm: prior?.bestE1rm ?? {},
    basis,
  };
  return { folded: { minute, sessionId, point, checkpoint }, exposure: day.points, dailyLoads: day.dailyLoads };
}
