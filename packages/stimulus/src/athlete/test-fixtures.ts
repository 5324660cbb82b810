/* Fixtures shared by the athlete planner's and the incremental fold's tests: sets, the written state, histories. */
import fc from 'fast-check';
import { dayOf, type ExposurePoint } from '../model/exposure.js';
import type { SessionPoint } from '../model/session.js';
import type { ModelRep, SetModel } from '../model/set-model.js';
import { DAY_MS, MINUTE_MS } from '../model/time.js';
import { athleteSetKey, setSpan, type AthleteSet } from './athlete-set.js';
import { planAthleteUpdate, type AcuteSample, type AthleteProfileInput, type AthleteUpdate } from './plan-athlete-update.js';

export const MIN = MINUTE_MS;
export const HOUR = 60 * MIN;
/** 2025-03-03 10:00:00 UTC, a whole minute. */
export const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
export const D0 = dayOf(T0);
export const REP_GAP_MS = 3_000;
export const TAU_B_MIN = 40;

export interface SetSpec {
  readonly id: string;
  readonly start: number;
  readonly loadKg: number;
  readonly velocities: readonly number[];
  readonly exercise?: string;
  readonly station?: string;
  readonly gymId?: string;
}

export function athleteSet(spec: SetSpec): AthleteSet {
  const stationId = spec.station ?? 'st1';
  const reps: ModelRep[] = spec.velocities.map((meanVelocity, index) => ({
    repIndex: index + 1,
    ts: spec.start + index * REP_GAP_MS,
    loadKg: spec.loadKg,
    meanVelocity,
    concentricMs: 700,
    eccentricMs: 1_100,
  }));
  return { key: athleteSetKey(stationId, spec.id), gymId: spec.gymId ?? 'gym1', stationId, setId: spec.id, exercise: spec.exercise ?? 'back_squat', reps };
}

/** A linear fatigue curve: v0, v0 − drop, v0 − 2·drop, … */
export function fatigue(v0: number, reps: number, drop: number): number[] {
  return Array.from({ length: reps }, (_, index) => v0 - index * drop);
}

export function lastTsOf(set: AthleteSet): number {
  return setSpan(set).lastTs;
}

export function plan(
  sets: readonly AthleteSet[],
  changed: AthleteSet,
  profile: AthleteProfileInput = {},
  storedDailyLoads: ReadonlyMap<number, number> = new Map(),
): AthleteUpdate {
  return planAthleteUpdate({ sets, storedDailyLoads, profile, changedKey: changed.key });
}

/** What the outputs look like after the worker wrote every update (a point written again replaces the earlier). */
export interface WrittenState {
  readonly sets: Map<string, SetModel>;
  readonly stimulus: Map<string, { readonly sessionId: string; readonly point: SessionPoint }>;
  readonly exposure: Map<number, ExposurePoint & { readonly gymId: string }>;
  /** By whole-minute ts (the gym is part of the value). */
  readonly acute: Map<number, AcuteSample>;
  /** The persisted daily loads. */
  readonly dailyLoads: Map<number, number>;
}

export function emptyState(): WrittenState {
  return { sets: new Map(), stimulus: new Map(), exposure: new Map(), acute: new Map(), dailyLoads: new Map() };
}

export function write(state: WrittenState, update: AthleteUpdate): void {
  for (const { set, model } of update.sets) state.sets.set(set.key, model);
  for (const { set, sessionId, point } of update.stimulus) state.stimulus.set(set.key, { sessionId, point });
  for (const point of update.exposure) state.exposure.set(point.day, point);
  for (const sample of update.acute) state.acute.set(sample.ts, sample);
  for (const [day, load] of update.dailyLoads) state.dailyLoads.set(day, load);
}

/** The worker: stores each set (by key) in the given order, plans, persists the daily loads, writes the points. */
export function storeOneByOne(order: readonly AthleteSet[], profile: AthleteProfileInput = {}): { state: WrittenState; updates: AthleteUpdate[] } {
  const stored = new Map<string, AthleteSet>();
  const state = emptyState();
  const updates: AthleteUpdate[] = [];
  for (const set of order) {
    stored.set(set.key, set);
    const update = plan([...stored.values()], set, profile, new Map(state.dailyLoads));
    write(state, update);
    updates.push(update);
  }
  return { state, updates };
}

/** One call with every set and changedKey = the earliest set: it returns everything. */
export function allAtOnce(sets: readonly AthleteSet[], profile: AthleteProfileInput = {}): WrittenState {
  const earliest = [...sets].sort((a, b) => lastTsOf(a) - lastTsOf(b) || (a.key < b.key ? -1 : 1))[0];
  const state = emptyState();
  if (earliest) write(state, plan(sets, earliest, profile));
  return state;
}

export function sortedEntries<K extends string | number, V>(map: ReadonlyMap<K, V>): Array<[K, V]> {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function comparable(state: WrittenState): Record<keyof WrittenState, unknown[]> {
  return {
    sets: sortedEntries(state.sets),
    stimulus: sortedEntries(state.stimulus),
    exposure: sortedEntries(state.exposure),
    acute: sortedEntries(state.acute),
    dailyLoads: sortedEntries(state.dailyLoads),
  };
}


export const LOADS = [40, 60, 80, 100, 120] as const;
export const EXERCISES = ['back_squat', 'bench_press', 'deadlift', 'hip_thrust', 'lunge'] as const;
/** 22:30 UTC, so that sessions cross midnight now and then. */
export const HISTORY_START = Date.UTC(2025, 2, 3, 22, 30, 0);

export const setSpecArb = fc.record({
  gapMs: fc.oneof(
    fc.integer({ min: 1 * MIN, max: 6 * MIN }), // rest inside a session
    fc.integer({ min: 110 * MIN, max: 130 * MIN }), // around the 2 h session gap
    fc.integer({ min: 4 * HOUR, max: 3 * DAY_MS }), // another session, often another day
  ),
  // Mostly one lift, so that load–velocity profiles (≥ 3 distinct earlier loads) form and late sets change them.
  exercise: fc.oneof({ arbitrary: fc.constant(EXERCISES[0]), weight: 3 }, { arbitrary: fc.constantFrom(...EXERCISES), weight: 2 }),
  load: fc.constantFrom(...LOADS),
  reps: fc.integer({ min: 1, max: 8 }),
  noiseMmS: fc.integer({ min: -40, max: 40 }),
  dropMmS: fc.integer({ min: 0, max: 60 }),
  station: fc.constantFrom('st1', 'st2'),
  gymId: fc.constantFrom('gymA', 'gymB'),
});

/** An athlete history in time order: sets never overlap (≥ 1 min between one set's last rep and the next's first). */
export const historyArb = fc.array(setSpecArb, { minLength: 1, maxLength: 10 }).map((specs) => {
  let previousEnd = HISTORY_START;
  return specs.map((spec, index) => {
    const start = previousEnd + spec.gapMs;
    previousEnd = start + (spec.reps - 1) * REP_GAP_MS;
    const v0 = 0.3 + (1 - spec.load / 150) + spec.noiseMmS / 1000;
    const velocities = Array.from({ length: spec.reps }, (_, rep) => Math.max(0.05, v0 - (rep * spec.dropMmS) / 1000));
    return athleteSet({ id: `s${index}`, start, loadKg: spec.load, velocities, exercise: spec.exercise, station: spec.station, gymId: spec.gymId });
  });
});

export const profileArb = fc.constantFrom<AthleteProfileInput>({}, { bodyMassKg: 80 }, { bodyMassKg: 70, oneRepMaxKg: { bench_press: 100, back_squat: 150 } });

export const permutedHistoryArb = historyArb.chain((sets) =>
  fc.tuple(fc.constant(sets), fc.shuffledSubarray(sets, { minLength: sets.length, maxLength: sets.length }), profileArb),
);
