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
import { advanceSession, sessionIdOf, type SessionPoint, type SessionState } from '../model/session.js';
import { setSpan, type AthleteSet } from './athlete-set.js';
import { athleteConstants, modelSet, type AthleteProfileInput, type AthleteUpdate, type ModelledSet, type StimulusPoint } from './plan-athlete-update.js';

/** Where an athlete's state stands after one set, in the model's time order: all the next set continues from. */
export interface Checkpoint {
  readonly key: string;
  readonly gymId: string;
  /** The set's last rep, epoch ms (its place in the order, with the key). */
  readonly lastTs: number;
  readonly sessionId: string;
  /** Key of the session's first set. */
  readonly sessionFirstKey: string;
  /** Earliest first rep of the session so far, epoch ms. */
  readonly sessionStartTs: number;
  readonly session: SessionState;
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

/** A short, stable fingerprint of what the model terms depend on besides the sets: profile and constants. */
export function modelBasis(profile: AthleteProfileInput, constants: ModelConstants = DEFAULT_CONSTANTS): string {
  let constantsJson = CONSTANTS_JSON.get(constants);
  if (constantsJson === undefined) {
    constantsJson = canonicalJson(constants);
    CONSTANTS_JSON.set(constants, constantsJson);
  }
  return hash53(`[${canonicalJson(profile)},${constantsJson}]`);
}

/** The constants are frozen objects, one per deployment: their canonical form is computed once. */
const CONSTANTS_JSON = new WeakMap<ModelConstants, string>();

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** cyrb53: a fast 53-bit string hash (not cryptographic; a fingerprint, nothing secret). */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export interface FoldInput {
  /** The state before the first set: the checkpoint of the set before it, or the genesis. */
  readonly start: Checkpoint | Genesis;
  /** Sets in the model's time order (last rep, then key), each after `start`, each with reps. */
  readonly sets: readonly AthleteSet[];
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
  /** Every set folded, with its new checkpoint: the records to persist. */
  readonly folded: readonly FoldedSet[];
  /**
   * The outputs, as planAthleteUpdate gives them: the emitted sets with their session points and acute
   * windows, the loads of every day the fold touched, and those days' exposure.
   */
  readonly update: AthleteUpdate;
}

type GymExposure = ExposurePoint & { readonly gymId: string };

/**
 * Folds sets into the athlete's state from `start`, in order. Pure: the same start and sets give the same
 * result, equal to what planAthleteUpdate derives from all stored sets (the property test holds them together).
 */
export function foldSets(input: FoldInput): FoldResult {
  const constants = athleteConstants(input.constants ?? DEFAULT_CONSTANTS, input.profile);
  const basis = modelBasis(input.profile, input.constants ?? DEFAULT_CONSTANTS);
  const folded: FoldedSet[] = [];
  const exposure = new Map<number, GymExposure>();
  const dailyLoads = new Map<number, number>();
  let state: Checkpoint | Genesis = input.start;
  for (const set of input.sets) {
    const step = foldOne(state, set, input, constants, basis);
    folded.push(step.folded);
    for (const point of step.exposure) exposure.set(point.day, point);
    for (const [day, load] of step.dailyLoads) dailyLoads.set(day, load);
    state = step.folded.checkpoint;
  }

  const emitAt = input.emitFrom === undefined ? 0 : folded.findIndex(({ set }) => set.key === input.emitFrom);
  // A chunk after the one holding emitFrom emits everything; a chunk before it, nothing.
  const from = emitAt >= 0 ? emitAt : input.emitFrom !== undefined && input.emitBefore === true ? folded.length : 0;
  const emitted = folded.slice(from);
  const acute: AcuteSample[] = [];
  emitted.forEach(({ set, point }, index) => {
    const next = emitted[index + 1]?.point.ts ?? input.nextLastTs ?? Number.POSITIVE_INFINITY;
    acute.push(...acuteWindow(set.gymId, point.nsi, point.ts, set.pointTs ?? point.ts, next, constants));
  });
  const stimulus: StimulusPoint[] = emitted.map(({ set, sessionId, point }) => ({ set, sessionId, point }));
  return {
    folded,
    update: {
      sets: emitted.map(({ set, model }) => ({ set, model })),
      stimulus,
      dailyLoads,
      exposure: [...exposure.values()].sort((a, b) => a.day - b.day),
      acute,
    },
  };
}

interface Step {
  readonly folded: FoldedSet;
  readonly exposure: readonly GymExposure[];
  readonly dailyLoads: ReadonlyArray<readonly [number, number]>;
}

function foldOne(previous: Checkpoint | Genesis, set: AthleteSet, input: FoldInput, constants: ModelConstants, basis: string): Step {
  const { firstTs, lastTs } = setSpan(set);
  const model = modelSet(set, firstTs, input.history, input.profile, constants);

  // The session: continued when this set starts at most the session gap after the set before ends.
  const prior = isCheckpoint(previous) ? previous : undefined;
  const continues = prior !== undefined && firstTs - prior.lastTs <= constants.sessionGapMs;
  const point = advanceSession(continues ? prior.session : undefined, { setId: set.key, firstTs, lastTs, impulse: model.impulse, lactateIncrement: model.lactateIncrement }, constants);
  const sessionId = continues ? prior.sessionId : sessionIdOf({ firstTs, setId: set.key });

  // The day: a session belongs to the day of its end, so a session that goes on past midnight leaves the
  // earlier day with only its earlier sessions' loads.
  const day = dayOf(lastTs);
  const exposure: GymExposure[] = [];
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
      exposure.push({ ...left, gymId: prior.gymId });
      dailyLoads.push([priorDay, prior.priorDayLoad]);
      exposureBefore = { day: left.day, a7: left.a7, c28: left.c28 };
    } else {
      exposureBefore = prior.exposure;
    }
  }
  const dayLoad = priorDayLoad + point.nsi;
  const today = exposureOn(exposureBefore, day, dayLoad, firstDay, constants);
  exposure.push({ ...today, gymId: set.gymId });
  dailyLoads.push([day, dayLoad]);

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
    session: { lactate: point.lactate, lactatePeak: point.lactatePeak, impulseSum: point.impulseSum, sets: point.sets, lastTs },
    nsi: point.nsi,
    priorDayLoad,
    firstDay,
    ...(exposureBefore === undefined ? {} : { exposureBefore }),
    exposure: { day, a7: today.a7, c28: today.c28 },
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
  return { folded, exposure, dailyLoads };
}
