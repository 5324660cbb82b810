import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LvpHistoryEntry } from '../model/e1rm.js';
import { dayOf } from '../model/exposure.js';
import { DAY_MS } from '../model/time.js';
import { lvpEntry, type AthleteSet } from './athlete-set.js';
import { foldSets, genesisOf, isCheckpoint, type FoldedSet } from './athlete-fold.js';
import { modelBasis } from './model-basis.js';
import type { AthleteProfileInput } from './plan-athlete-update.js';
import { orderSets } from './session-groups.js';
import {
  HOUR,
  MIN,
  T0,
  allAtOnce,
  athleteSet,
  comparable,
  emptyState,
  fatigue,
  lastTsOf,
  permutedHistoryArb,
  write,
  type WrittenState,
} from './test-fixtures.js';

/*
 * The incremental fold against the reference planner: a worker that keeps each set's checkpoint and, for a
 * set, folds from the checkpoint of the set before it (and again every later set, when the set came late)
 * must write exactly the points the planner derives from every stored set, in whatever order and however
 * often the sets arrive. The acute window is the one output written at another resolution (a point at each
 * set and a 30-minute grid, decision 0015), so it is compared between deliveries and against the formula.
 */

/** The planner's outputs but the acute window. */
function modelled(state: WrittenState): Omit<ReturnType<typeof comparable>, 'acute'> {
  const { acute: _acute, ...rest } = comparable(state);
  return rest;
}

/** Every acute point is NSI·exp(−(t − t_end)/40 min) of the latest set ending at or before it. */
function expectAcuteOnTheCurve(state: WrittenState): void {
  const ends = [...state.stimulus.values()].map(({ point }) => point).sort((a, b) => a.ts - b.ts);
  for (const [ts, sample] of state.acute) {
    const point = ends.filter((candidate) => candidate.ts <= ts).at(-1);
    expect(point).toBeDefined();
    expect(sample.level).toBeCloseTo((point?.nsi ?? 0) * Math.exp(-(ts - (point?.ts ?? 0)) / MIN / 40), 9);
    expect(ts - (point?.ts ?? 0)).toBeLessThanOrEqual(3 * HOUR);
  }
}

interface FoldingWorker {
  readonly records: Map<string, FoldedSet>;
  readonly dailyLoads: Map<number, number>;
  readonly state: WrittenState;
  /** Sets folded per stored set: 1 when it came in order. */
  readonly folds: number[];
}

function lvpHistory(sets: Iterable<AthleteSet>): Map<string, LvpHistoryEntry[]> {
  const history = new Map<string, LvpHistoryEntry[]>();
  for (const set of sets) history.set(set.exercise, [...(history.get(set.exercise) ?? []), lvpEntry(set)]);
  return history;
}

/** What the stimulus worker does with its Redis state, in memory. */
function storeFolding(order: readonly AthleteSet[], profile: AthleteProfileInput = {}): FoldingWorker {
  const worker: FoldingWorker = { records: new Map(), dailyLoads: new Map(), state: emptyState(), folds: [] };
  for (const set of order) {
    const stored = new Map([...worker.records].map(([key, record]) => [key, record.set]));
    stored.set(set.key, set);
    const ordered = orderSets([...stored.values()]);
    const index = ordered.findIndex((entry) => entry.set.key === set.key);
    const before = ordered[index - 1];
    const start = before === undefined ? genesisOf(worker.dailyLoads, dayOf(lastTsOf(set))) : (worker.records.get(before.set.key) as FoldedSet).checkpoint;
    const result = foldSets({ start, sets: ordered.slice(index).map((entry) => entry.set), history: lvpHistory(stored.values()), profile });
    for (const record of result.folded) worker.records.set((record as FoldedSet).set.key, record as FoldedSet);
    for (const [day, load] of result.update.dailyLoads) worker.dailyLoads.set(day, load);
    write(worker.state, result.update);
    worker.folds.push(result.folded.length);
  }
  return worker;
}

describe('foldSets: the same outputs as the planner (property)', () => {
  it('sets stored in time order: one fold per set, and every point the planner writes', () => {
    fc.assert(
      fc.property(permutedHistoryArb, ([sets, , profile]) => {
        const worker = storeFolding(sets, profile);
        expect(worker.folds.every((count) => count === 1)).toBe(true);
        expect(modelled(worker.state)).toEqual(modelled(allAtOnce(sets, profile)));
        expectAcuteOnTheCurve(worker.state);
      }),
      { numRuns: 300 },
    );
  });

  it('sets stored in any order and again in between: the same points as in time order', () => {
    const withRepeats = permutedHistoryArb.chain(([sets, order, profile]) =>
      fc.tuple(fc.constant(sets), fc.constant(order), fc.constant(profile), fc.array(fc.nat({ max: 2 * sets.length }), { maxLength: 4 })),
    );
    let late = 0;
    fc.assert(
      fc.property(withRepeats, ([sets, order, profile, repeats]) => {
        const sequence = [...order];
        for (const at of repeats) sequence.splice(Math.min(at, sequence.length), 0, sequence[at % sequence.length] as AthleteSet);
        const inOrder = storeFolding(sets, profile);
        const shuffled = storeFolding(sequence, profile);
        expect(comparable(shuffled.state)).toEqual(comparable(inOrder.state));
        expect(modelled(shuffled.state)).toEqual(modelled(allAtOnce(sets, profile)));
        // The checkpoints kept are those of in-order delivery: a later set continues from the right state.
        expect(new Map([...shuffled.records].map(([key, record]) => [key, record.checkpoint]))).toEqual(
          new Map([...inOrder.records].map(([key, record]) => [key, record.checkpoint])),
        );
        if (shuffled.folds.some((count) => count > 1)) late++;
      }),
      { numRuns: 300 },
    );
    expect(late).toBeGreaterThan(100);
  });
});

describe('foldSets: what a set costs', () => {
  const profile = { bodyMassKg: 80 };
  /** A month of training: a session a day of `perDay` back-squat sets, 3 min apart, loads cycling. */
  function month(perDay: number): AthleteSet[] {
    const loads = [80, 100, 120];
    return Array.from({ length: 30 * perDay }, (_, i) => {
      const day = Math.floor(i / perDay);
      const load = loads[i % 3] as number;
      return athleteSet({ id: `m${i}`, start: T0 + day * DAY_MS + (i % perDay) * 3 * MIN, loadKg: load, velocities: fatigue(1.3 - 0.007 * load, 5, 0.02) });
    });
  }

  it('a set in order folds itself only, from the checkpoint before it, however long the history', () => {
    for (const perDay of [1, 10]) {
      const history = month(perDay);
      const worker = storeFolding(history, profile);
      const last = worker.records.get((history[history.length - 1] as AthleteSet).key) as FoldedSet;
      const next = athleteSet({ id: 'next', start: last.checkpoint.lastTs + 3 * MIN, loadKg: 100, velocities: fatigue(0.6, 5, 0.02) });
      const result = foldSets({ start: last.checkpoint, sets: [next], history: lvpHistory([...history, next]), profile });
      expect(result.folded).toHaveLength(1);
      expect(result.update.sets.map(({ model }) => model.e1rmSource)).toEqual(['lvp']);
      const reference = allAtOnce([...history, next], profile);
      expect(result.update.sets[0]?.model).toEqual(reference.sets.get(next.key));
      expect(result.update.stimulus[0]?.point).toEqual(reference.stimulus.get(next.key)?.point);
      expect(result.update.exposure).toEqual([...reference.exposure.values()].filter((point) => point.day === dayOf(lastTsOf(next))));
    }
  });

  it('writes at most 7 acute points per set: the anchor and a 30-minute grid for 3 h', () => {
    const one = athleteSet({ id: 'a', start: T0 + 10_500, loadKg: 100, velocities: fatigue(0.6, 5, 0.03) });
    const result = foldSets({ start: {}, sets: [one], history: new Map(), profile });
    const tEnd = lastTsOf(one);
    expect(result.update.acute.map(({ ts }) => ts)).toEqual([tEnd, ...[1, 2, 3, 4, 5, 6].map((k) => T0 + k * 30 * MIN)]);
    expect(result.update.acute[0]?.level).toBe(result.update.stimulus[0]?.point.nsi);
  });
});

describe('foldSets: the start', () => {
  it('genesis from persisted loads of earlier days continues their exposure; none before the first training day', () => {
    const day = dayOf(T0);
    expect(genesisOf(new Map(), day)).toEqual({});
    expect(genesisOf(new Map([[day, 50]]), day)).toEqual({});
    const genesis = genesisOf(
      new Map([
        [day - 40, 60],
        [day - 2, 80],
        [day + 1, 99],
      ]),
      day,
    );
    expect(genesis.firstDay).toBe(day - 40);
    expect(genesis.exposure?.day).toBe(day - 2);
    const set = athleteSet({ id: 'g', start: T0, loadKg: 100, velocities: fatigue(0.6, 5, 0.03) });
    const result = foldSets({ start: genesis, sets: [set], history: new Map(), profile: {} });
    const checkpoint = result.folded[0]?.checkpoint;
    expect(checkpoint && isCheckpoint(checkpoint)).toBe(true);
    expect(checkpoint?.firstDay).toBe(day - 40);
    expect(result.update.exposure[0]?.ratio).toBeGreaterThan(0);
  });

  it('the model basis changes with the profile and the constants, not with key order', () => {
    expect(modelBasis({ bodyMassKg: 80, oneRepMaxKg: { a: 1, b: 2 } })).toBe(modelBasis({ oneRepMaxKg: { b: 2, a: 1 }, bodyMassKg: 80 }));
    expect(modelBasis({ bodyMassKg: 80 })).not.toBe(modelBasis({ bodyMassKg: 81 }));
    expect(modelBasis({}).length).toBeGreaterThan(5);
  });

  it('a set more than the session gap after the one before opens a session', () => {
    const a = athleteSet({ id: 'a', start: T0, loadKg: 100, velocities: fatigue(0.6, 3, 0.03) });
    const b = athleteSet({ id: 'b', start: lastTsOf(a) + 2 * HOUR + 1, loadKg: 100, velocities: fatigue(0.6, 3, 0.03) });
    const first = foldSets({ start: {}, sets: [a], history: new Map(), profile: {} });
    const second = foldSets({ start: (first.folded[0] as FoldedSet).checkpoint, sets: [b], history: new Map(), profile: {} });
    expect((second.folded[0] as FoldedSet).checkpoint.sessionFirstKey).toBe(b.key);
    expect(second.update.stimulus[0]?.point.sets).toBe(1);
  });
});
