// The in-set and set-close checks with in-memory ports: what they read, which rules they run, and what they
// put on the console. The rules themselves are tested in @neurolift/alerts; the real Redis in test/src.
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_ALERT_CONFIG, alertConfigFrom, type AlertConfig, type RecentRoms } from '@neurolift/alerts';
import type { AthleteProfile, RepRecord } from '@neurolift/contracts';
import { DEFAULT_CONSTANTS, athleteSetKey, foldSets, type AthleteSet, type FoldedSet } from '@neurolift/stimulus';
import type { ModelSettings } from '@neurolift/storage';
import type { AlertQueues, AlertState, InSetInputs, LiveBoard } from '../ports.js';
import type { CheckDeps } from './check-deps.js';
import { checkDaily } from './daily.js';
import { checkReps } from './in-set.js';
import { checkSetClosed } from './set-closed.js';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const MAX_AGE = 5 * 60_000;
const MODEL: ModelSettings = { constants: DEFAULT_CONSTANTS, modelId: 'nsi-1' };
const REF = { gymId: 'gym-1', stationId: 'st-1', setId: 's-1', athleteId: 'ath-1' };

interface Fakes {
  readonly deps: CheckDeps;
  readonly later: ReturnType<typeof vi.fn>;
  readonly seconds: ReturnType<typeof vi.fn>;
  readonly saveBasis: ReturnType<typeof vi.fn>;
}

interface Overrides {
  inputs?: InSetInputs[];
  folded?: FoldedSet;
  profile?: AthleteProfile;
  config?: AlertConfig;
  heartRate?: boolean;
  maxAge?: number;
  settle?: number;
  roms?: RecentRoms;
}

function fakes(overrides: Overrides = {}): Fakes {
  const saveBasis = vi.fn(async () => undefined);
  const state = {
    inSetInputs: async () => overrides.inputs ?? [],
    closeInputs: async () => ({ basis: undefined, profile: overrides.profile ?? {}, roms: overrides.roms ?? {}, station: undefined }),
    saveBasis,
  } as unknown as AlertState;
  const athletes = {
    record: async () => (overrides.folded === undefined ? undefined : { set: overrides.folded.set, folded: overrides.folded }),
    entries: async () => [],
  } as unknown as CheckDeps['athletes'];
  const later = vi.fn(async () => undefined);
  const queues = { deliver: async () => undefined, webhook: async () => undefined, later } satisfies AlertQueues;
  const live = {} as LiveBoard;
  const seconds = vi.fn(async (_athleteId: string, fromTs: number, toTs: number) =>
    Array.from({ length: 11 }, (_, i) => ({ ts: fromTs + i * 1000, bpm: 150 })).filter((reading) => reading.ts <= toTs),
  );
  const deps: CheckDeps = {
    state,
    athletes,
    live,
    queues,
    config: overrides.config ?? DEFAULT_ALERT_CONFIG,
    model: MODEL,
    clock: () => NOW,
    ...(overrides.heartRate === false ? {} : { heartRate: { seconds } }),
    ...(overrides.maxAge === undefined ? {} : { inSetMaxAgeMs: overrides.maxAge }),
    ...(overrides.settle === undefined ? {} : { sessionEndSettleMs: overrides.settle }),
  };
  return { deps, later, seconds, saveBasis };
}

function reps(lastTs: number): RepRecord[] {
  const velocities = [0.8, 0.7, 0.5, 0.33];
  return velocities.map((meanVelocity, i) => ({
    ...REF,
    exercise: 'back_squat',
    repIndex: i + 1,
    ts: lastTs - (velocities.length - 1 - i) * 3000,
    loadKg: 100,
    meanVelocity,
    rom: i === 3 ? 0.3 : 0.55,
    source: 'device',
  }));
}

const inputs = (lastTs: number): InSetInputs[] => [{ reps: reps(lastTs), open: true, profile: {}, basis: undefined, previous: undefined }];

/** The back-squat set s-1 at st-1 (REF's), its reps 3 s apart from `firstTs`, folded alone as the worker folds it. */
function foldedSet(velocities: readonly number[], firstTs: number, loadKg: number, profile: AthleteProfile): { set: AthleteSet; folded: FoldedSet } {
  const set: AthleteSet = {
    key: athleteSetKey('st-1', 's-1'),
    gymId: 'gym-1',
    stationId: 'st-1',
    setId: 's-1',
    exercise: 'back_squat',
    reps: velocities.map((meanVelocity, i) => ({ repIndex: i + 1, ts: firstTs + i * 3000, loadKg, meanVelocity })),
  };
  return { set, folded: foldSets({ start: {}, sets: [set], history: new Map(), profile }).folded[0] as FoldedSet };
}

describe('in-set check and late reps', () => {
  it('a live set raises its in-set alerts and shows on the console', async () => {
    const result = await checkReps({ v: 1, kind: 'reps', sets: [REF] }, fakes({ inputs: inputs(NOW - 10_000), maxAge: MAX_AGE }).deps);
    expect(result.candidates.map((candidate) => candidate.rule)).toEqual(['near_failure', 'partial_rep', 'high_fatigue']);
    expect(result.live?.map((station) => station.setId)).toEqual(['s-1']);
  });

  it('a set 3 h late raises none and stays off the console', async () => {
    const result = await checkReps({ v: 1, kind: 'reps', sets: [REF] }, fakes({ inputs: inputs(NOW - 3 * 3_600_000), maxAge: MAX_AGE }).deps);
    expect(result).toEqual({ candidates: [], live: [] });
  });

  it('the bound is the setting: just inside it the set is live', async () => {
    const result = await checkReps({ v: 1, kind: 'reps', sets: [REF] }, fakes({ inputs: inputs(NOW - MAX_AGE), maxAge: MAX_AGE }).deps);
    expect(result.live).toHaveLength(1);
    expect(result.candidates.length).toBeGreaterThan(0);
  });
});

describe('set-closed check and incomplete_recovery', () => {
  const profile: AthleteProfile = { oneRepMaxKg: { back_squat: 160 }, restingHr: 60, maxHr: 190 };
  const { set, folded } = foldedSet([0.6, 0.59, 0.58], NOW - 60_000, 140, profile);
  const enabled = alertConfigFrom({ gyms: { 'gym-1': { optionalRules: { incomplete_recovery: true } } } }, 'test');
  const job = { v: 1, kind: 'set_closed', ...REF } as const;

  it('reads the start window of the athlete’s heart rate and raises the alert where the gym has the rule on', async () => {
    const { deps, seconds } = fakes({ folded, profile, config: enabled });
    const result = await checkSetClosed(job, deps);
    expect(seconds).toHaveBeenCalledWith('ath-1', NOW - 70_000, NOW - 60_000);
    expect(result.candidates.filter((candidate) => candidate.rule === 'incomplete_recovery')).toEqual([
      expect.objectContaining({ severity: 'amber', scope: 'set/st-1.s-1', threshold: 60, ts: NOW - 60_000 }),
    ]);
  });

  it('reads no heart rate and raises nothing where the rule is off (the default)', async () => {
    const { deps, seconds } = fakes({ folded, profile });
    const result = await checkSetClosed(job, deps);
    expect(seconds).not.toHaveBeenCalled();
    expect(result.candidates.filter((candidate) => candidate.rule === 'incomplete_recovery')).toEqual([]);
  });

  it('raises nothing without a heart-rate store', async () => {
    const result = await checkSetClosed(job, fakes({ folded, profile, config: enabled, heartRate: false }).deps);
    expect(result.candidates.filter((candidate) => candidate.rule === 'incomplete_recovery')).toEqual([]);
  });

  it('a second check of a set (heart rate came later) raises the same alert and leaves the later sets’ basis alone', async () => {
    const first = fakes({ folded, profile, config: enabled });
    const once = await checkSetClosed(job, first.deps);
    await once.afterwards?.();
    expect(first.saveBasis).toHaveBeenCalledTimes(1);
    const again = fakes({ folded, profile, config: enabled, roms: { [set.key]: [0.55], 'st-1.s-2': [0.56] } });
    const twice = await checkSetClosed(job, again.deps);
    await twice.afterwards?.();
    expect(again.saveBasis).not.toHaveBeenCalled();
    expect(twice.candidates).toEqual(once.candidates);
  });
});

describe('set-closed check: when the session-end check runs', () => {
  const SETTLE = 5 * 60_000;
  const setAt = (lastTs: number): FoldedSet => foldedSet([0.6, 0.58], lastTs - 3000, 100, {}).folded;
  const job = { v: 1, kind: 'set_closed', ...REF } as const;
  const runAt = (later: ReturnType<typeof vi.fn>) => (later.mock.calls[0] as unknown[])[2];

  it('a live set: when no set can join its session any more (2 h and a minute after it)', async () => {
    const { deps, later } = fakes({ folded: setAt(NOW - 10_000), settle: SETTLE });
    await checkSetClosed(job, deps);
    expect(runAt(later)).toBe(NOW - 10_000 + 2 * 3_600_000 + 60_000);
  });

  it('a set uploaded 3 h late: not at once, but the settle after it closed, so the upload\'s later sets are in', async () => {
    const { deps, later } = fakes({ folded: setAt(NOW - 3 * 3_600_000), settle: SETTLE });
    await checkSetClosed(job, deps);
    expect(runAt(later)).toBe(NOW + SETTLE);
  });
});

describe('daily check without a gym: the unlisted gyms of its shard', () => {
  const listing = alertConfigFrom({ gyms: { 'gym-listed': {} } }, 'test');
  /** The gyms whose athletes a run looked up. */
  async function judged(inShard: ((gymId: string) => boolean) | undefined): Promise<string[]> {
    const asked: string[] = [];
    const { deps } = fakes({ config: listing });
    const state = {
      knownGyms: async () => ['gym-1', 'gym-2', 'gym-3', 'gym-listed'],
      activeAthletes: async (gymId: string) => {
        asked.push(gymId);
        return [];
      },
    } as unknown as AlertState;
    await checkDaily({ v: 1, kind: 'daily' }, { ...deps, state, ...(inShard === undefined ? {} : { inShard }) });
    return asked;
  }

  it('one shard: every gym the config does not list', async () => {
    expect(await judged(undefined)).toEqual(['gym-1', 'gym-2', 'gym-3']);
  });

  it("several shards: the run of a shard judges that shard's gyms only", async () => {
    expect(await judged((gymId) => gymId !== 'gym-2')).toEqual(['gym-1', 'gym-3']);
  });
});
