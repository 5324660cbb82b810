/**
 * Sessions and the session NSI — model spec "Per session".
 *
 * A session of one athlete is a run of that athlete's sets, in time order, with no gap over 2 h between
 * one set's end (its last rep) and the next set's first rep. Through a session:
 *  - lactate proxy: λ starts at 0; at each set end λ ← λ·exp(−Δt/τ_λ) + Δλ, Δt = minutes from the previous
 *    set's last rep to this set's last rep, τ_λ = 19 min; λ_peak = max λ;
 *  - B = Σ N over the sets so far;
 *  - dose D = B/B₅₀ + λ_peak/λ₅₀ + A/A₅₀ (A: the session's aerobic sum of counted heart-rate samples, model
 *    nsi-1.1, see heart-rate.ts; A = 0 adds an exact 0, so a session without counted heart rate keeps its nsi-1
 *    values to the last bit);
 *  - NSI = 100·D^h/(1 + D^h) (0–100), recomputed after every set; the value after the last set is the
 *    session's NSI.
 * The NSI is a heuristic stimulus-dose index, not a BDNF level.
 */
import { DEFAULT_CONSTANTS, MODEL_VERSION, type ModelConstants, type ModelVersion } from './constants.js';
import { MINUTE_MS } from './time.js';

/** The per-set values a session needs (from computeSetModel). */
export interface SessionSetInput {
  readonly setId: string;
  /** First rep ts, epoch ms. */
  readonly firstTs: number;
  /** Last rep ts, epoch ms: the set's end. */
  readonly lastTs: number;
  /** Set impulse N (dimensionless). */
  readonly impulse: number;
  /** Lactate-proxy increment Δλ, mmol/L. */
  readonly lactateIncrement: number;
}

/** The session state after one set. */
export interface SessionPoint {
  readonly setId: string;
  /** The set's last rep ts, epoch ms: the point's time. */
  readonly ts: number;
  /** Session NSI so far, 0–100. */
  readonly nsi: number;
  /** D = B/B₅₀ + λ_peak/λ₅₀ (+ A/A₅₀ when advanceSession was given an aerobic sum, model nsi-1.1). */
  readonly dose: number;
  /** B/B₅₀. */
  readonly workDose: number;
  /** λ_peak/λ₅₀. */
  readonly lactateDose: number;
  /** λ_peak so far, mmol/L. */
  readonly lactatePeak: number;
  /** λ right after this set, mmol/L. */
  readonly lactate: number;
  /** B = Σ N so far. */
  readonly impulseSum: number;
  /** Sets so far, this one included. */
  readonly sets: number;
  /** A/A₅₀ and A (model nsi-1.1): present only when the session has counted heart rate so far. */
  readonly aerobicDose?: number | undefined;
  readonly aerobicSum?: number | undefined;
}

export interface SessionModel {
  readonly modelVersion: ModelVersion;
  /** `s-<firstTs>-<setId>` of the session's first set; the caller prefixes the athlete. */
  readonly sessionId: string;
  /** Earliest first-rep ts of the session's sets, epoch ms. */
  readonly startTs: number;
  /** Last set's last-rep ts, epoch ms. */
  readonly endTs: number;
  /** The session's NSI: the value after its last set. */
  readonly nsi: number;
  /** One point per set, in time order. */
  readonly points: readonly SessionPoint[];
}

/** NSI = 100·D^h/(1 + D^h), written as 100/(1 + D^−h) so a huge D gives 100 rather than ∞/∞. 0 for D ≤ 0. */
export function nsiFromDose(dose: number, constants: ModelConstants = DEFAULT_CONSTANTS): number {
  if (!(dose > 0)) return 0;
  return 100 / (1 + Math.pow(dose, -constants.hill));
}

/** The channels of a session's dose. */
export interface SessionDoseInput {
  /** B = Σ N so far. */
  readonly impulseSum: number;
  /** λ_peak so far, mmol/L. */
  readonly lactatePeak: number;
  /** A, the aerobic sum of the session's counted heart-rate samples so far (model nsi-1.1); absent: 0. */
  readonly aerobicSum?: number | undefined;
}

/** A session's dose D = B/B₅₀ + λ_peak/λ₅₀ + A/A₅₀, its three terms and the NSI it gives. */
export interface SessionDose {
  /** B/B₅₀. */
  readonly workDose: number;
  /** λ_peak/λ₅₀. */
  readonly lactateDose: number;
  /** A/A₅₀ (0 without counted heart rate). */
  readonly aerobicDose: number;
  /** D. */
  readonly dose: number;
  /** 100·D^h/(1 + D^h). */
  readonly nsi: number;
}

/**
 * D = B/B₅₀ + λ_peak/λ₅₀ + A/A₅₀ and the NSI of it. Summed left to right, so with A = 0 (or absent) the last step
 * adds an exact +0 and D is bit-identical to nsi-1's B/B₅₀ + λ_peak/λ₅₀. Negative or non-finite inputs count as 0.
 * A session of counted heart-rate samples alone is { impulseSum: 0, lactatePeak: 0, aerobicSum: A }.
 */
export function sessionDose(input: SessionDoseInput, constants: ModelConstants = DEFAULT_CONSTANTS): SessionDose {
  const workDose = nonNegative(input.impulseSum) / constants.workDoseHalf;
  const lactateDose = nonNegative(input.lactatePeak) / constants.lactateHalf;
  const aerobicDose = nonNegative(input.aerobicSum ?? 0) / constants.aerobicDoseHalf;
  const dose = workDose + lactateDose + aerobicDose;
  return { workDose, lactateDose, aerobicDose, dose, nsi: nsiFromDose(dose, constants) };
}

/** A non-negative finite number, else 0 (defensive: computeSetModel never yields anything else). */
function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function compareSets(a: SessionSetInput, b: SessionSetInput): number {
  if (a.lastTs !== b.lastTs) return a.lastTs - b.lastTs;
  if (a.setId !== b.setId) return a.setId < b.setId ? -1 : 1;
  if (a.firstTs !== b.firstTs) return a.firstTs - b.firstTs;
  if (a.impulse !== b.impulse) return a.impulse - b.impulse;
  return a.lactateIncrement - b.lactateIncrement;
}

/**
 * Splits one athlete's sets into sessions and computes the NSI series of each. Sets are ordered by lastTs,
 * then setId; a new session starts when a set's first rep comes more than sessionGapMs (2 h) after the
 * previous set's last rep (a gap of exactly 2 h stays in the session). Pure; the result does not depend on
 * the order of `sets`. Negative or non-finite impulses and increments count as 0, so NSI ∈ [0, 100] and
 * never falls within a session.
 */
export function computeSessions(sets: readonly SessionSetInput[], constants: ModelConstants = DEFAULT_CONSTANTS): SessionModel[] {
  const ordered = [...sets].sort(compareSets);
  const groups: SessionSetInput[][] = [];
  let current: SessionSetInput[] | undefined;
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const set of ordered) {
    if (current === undefined || set.firstTs - previousEnd > constants.sessionGapMs) {
      current = [];
      groups.push(current);
    }
    current.push(set);
    previousEnd = set.lastTs;
  }
  return groups.map((group) => sessionOf(group, constants));
}

/** The running state of a session after some of its sets: what the next set of the session continues from. */
export interface SessionState {
  /** λ after the latest set, mmol/L. */
  readonly lactate: number;
  readonly lactatePeak: number;
  readonly impulseSum: number;
  /** Sets so far. */
  readonly sets: number;
  /** The latest set's last rep, epoch ms. */
  readonly lastTs: number;
}

/**
 * One set added to a session (undefined: the set opens it): the session point after it, which is also the
 * state the next set continues from. The single definition of the per-session fold, used by computeSessions
 * and by the athlete's incremental state, so both give the same numbers to the last bit.
 *
 * `aerobicSum` (model nsi-1.1): A of the session's counted heart-rate samples up to this set's end; it enters
 * `dose` and `nsi` only (D = B/B₅₀ + λ_peak/λ₅₀ + A/A₅₀), the state carries no A. Default 0: the nsi-1 values exactly.
 */
export function advanceSession(
  previous: SessionState | undefined,
  set: SessionSetInput,
  constants: ModelConstants = DEFAULT_CONSTANTS,
  aerobicSum = 0,
): SessionPoint {
  let lactate = previous?.lactate ?? 0;
  if (previous !== undefined) {
    const minutes = (set.lastTs - previous.lastTs) / MINUTE_MS;
    lactate *= Math.exp(-minutes / constants.lactateTauMin);
  }
  lactate += nonNegative(set.lactateIncrement);
  const lactatePeak = Math.max(previous?.lactatePeak ?? 0, lactate);
  const impulseSum = (previous?.impulseSum ?? 0) + nonNegative(set.impulse);
  const { workDose, lactateDose, dose, nsi } = sessionDose({ impulseSum, lactatePeak, aerobicSum }, constants);
  return {
    setId: set.setId,
    ts: set.lastTs,
    nsi,
    dose,
    workDose,
    lactateDose,
    lactatePeak,
    lactate,
    impulseSum,
    sets: (previous?.sets ?? 0) + 1,
  };
}

/** `s-<firstTs>-<setId>` of the session's first set. */
export function sessionIdOf(first: Pick<SessionSetInput, 'firstTs' | 'setId'>): string {
  return `s-${first.firstTs}-${first.setId}`;
}

function sessionOf(group: readonly SessionSetInput[], constants: ModelConstants): SessionModel {
  const first = group[0] as SessionSetInput;
  let state: SessionState | undefined;
  let startTs = first.firstTs;
  const points = group.map((set): SessionPoint => {
    const point = advanceSession(state, set, constants);
    state = { ...point, lastTs: point.ts };
    startTs = Math.min(startTs, set.firstTs);
    return point;
  });
  const last = points[points.length - 1] as SessionPoint;
  return {
    modelVersion: MODEL_VERSION,
    sessionId: sessionIdOf(first),
    startTs,
    endTs: last.ts,
    nsi: last.nsi,
    points,
  };
}
