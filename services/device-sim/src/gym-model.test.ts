import { deviceTopic, isId, parseDeviceMessage } from '@neurolift/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXERCISES } from './exercises.js';
import { planGym, type PlanGymOptions, type StationTimeline } from './gym-model.js';

const NOW = 1_793_032_889_123;
const encoder = new TextEncoder();

/** The invariants every plan must keep, whatever the seed and size. */
function checkPlan(gymId: string, timelines: readonly StationTimeline[]): void {
  const stationIds = new Set<string>();
  const athleteIds = new Set<string>();
  for (const { station, athlete, sets, events } of timelines) {
    expect(isId(station.id), station.id).toBe(true);
    expect(isId(athlete.id), athlete.id).toBe(true);
    stationIds.add(station.id);
    athleteIds.add(athlete.id);
    expect(new Set(sets.map((set) => set.setId)).size).toBe(sets.length);

    // Every message is one the pipeline accepts, stamped with the publish time.
    for (const event of events) {
      const payload = encoder.encode(JSON.stringify({ v: 1, ...event.message, ts: NOW }));
      const outcome = parseDeviceMessage(deviceTopic(gymId, station.id, event.kind), payload, { now: NOW });
      expect(outcome.ok ? 'ok' : `${outcome.reason}: ${outcome.detail}`).toBe('ok');
    }
    const times = events.map((event) => event.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const nominalRom = EXERCISES.find((exercise) => exercise.id === station.exercise)?.nominalRomM ?? Number.NaN;
    for (const set of sets) {
      expect(isId(set.setId), set.setId).toBe(true);
      const velocities = set.reps.map((rep) => rep.meanVelocity);
      const best = Math.max(...velocities.slice(0, 3));
      const last = velocities[velocities.length - 1] ?? Number.NaN;
      expect(last).toBeLessThan(best);
      const loss = 1 - last / best;
      expect(loss).toBeGreaterThanOrEqual(0.05);
      expect(loss).toBeLessThanOrEqual(0.6);
      for (const rep of set.reps) {
        expect(rep.peakVelocity / rep.meanVelocity).toBeGreaterThanOrEqual(1.29);
        expect(rep.peakVelocity / rep.meanVelocity).toBeLessThanOrEqual(1.81);
        expect(Math.abs(rep.rom / nominalRom - 1)).toBeLessThanOrEqual(0.0325) // ±3 %, plus rounding to the millimetre;
        expect(rep.concentricMs).toBe(Math.max(1, Math.round((rep.rom / rep.meanVelocity) * 1000)));
        expect(rep.eccentricMs).toBeGreaterThanOrEqual(1200);
        expect(rep.eccentricMs).toBeLessThanOrEqual(2500);
      }
    }

    // Set events, when sent, bracket the reps of their set.
    if (station.sendsSetEvents) {
      for (const set of sets) {
        const own = events.filter((event) => event.kind !== 'status' && event.kind !== 'hr' && event.message.setId === set.setId);
        expect(own[0]).toMatchObject({ kind: 'set', message: { event: 'start' } });
        expect(own[own.length - 1]).toMatchObject({ kind: 'set', message: { event: 'end' } });
        expect(own.filter((event) => event.kind === 'rep')).toHaveLength(set.reps.length);
      }
    } else {
      expect(events.filter((event) => event.kind === 'set')).toEqual([]);
    }
  }
  expect(stationIds.size).toBe(timelines.length);
  expect(athleteIds.size).toBe(timelines.length);
}

const base: PlanGymOptions = { gymId: 'gym-a', stations: 6, setsPerStation: 3, seed: 42, runId: 'rtest' };

describe('planGym', () => {
  it('is deterministic for a seed, and the seed and the gym matter', () => {
    expect(planGym(base)).toEqual(planGym(base));
    expect(planGym({ ...base, seed: 43 })).not.toEqual(planGym(base));
    const athletes = (options: PlanGymOptions) => planGym(options).map((timeline) => timeline.athlete.id);
    expect(athletes({ ...base, gymId: 'gym-b' })).not.toEqual(athletes(base));
  });

  it('plans the requested stations and sets, all valid', () => {
    const timelines = planGym(base);
    expect(timelines).toHaveLength(6);
    for (const timeline of timelines) expect(timeline.sets).toHaveLength(3);
    checkPlan('gym-a', timelines);
  });

  it('lets every third station omit set events, or all of them', () => {
    const sends = (options: PlanGymOptions) => planGym(options).map((timeline) => timeline.station.sendsSetEvents);
    expect(sends(base)).toEqual([true, true, false, true, true, false]);
    expect(sends({ ...base, omitSetEvents: true })).toEqual([false, false, false, false, false, false]);
  });

  it('gives each station one exercise from the catalogue, in turn', () => {
    const exercises = planGym({ ...base, stations: 3 }).map((timeline) => timeline.station.exercise);
    expect(exercises).toEqual(['back_squat', 'bench_press', 'deadlift']);
  });

  it('puts the run id into set ids, so runs of one seed do not collide', () => {
    const setIds = (runId: string) => planGym({ ...base, runId }).flatMap((timeline) => timeline.sets.map((set) => set.setId));
    expect(setIds('r1')[0]).toBe('s-r1-01');
    expect(setIds('r1')).not.toEqual(setIds('r2'));
    expect(() => planGym({ ...base, runId: 'has space' })).toThrow(/runId/);
  });

  it('lets every fourth station report a short power loss between its first two sets', () => {
    const timeline = planGym({ ...base, stations: 4 })[3];
    const statuses = timeline?.events.filter((event) => event.kind === 'status') ?? [];
    expect(statuses.map((event) => event.message)).toMatchObject([{ online: false }, { online: true }]);
    const firstSetEnd = Math.max(...(timeline?.events.filter((e) => e.kind !== 'status' && e.kind !== 'hr' && e.message.setId === timeline.sets[0]?.setId).map((e) => e.atMs) ?? []));
    const secondSetStart = Math.min(...(timeline?.events.filter((e) => e.kind !== 'status' && e.kind !== 'hr' && e.message.setId === timeline.sets[1]?.setId).map((e) => e.atMs) ?? []));
    for (const status of statuses) {
      expect(status.atMs).toBeGreaterThan(firstSetEnd);
      expect(status.atMs).toBeLessThan(secondSetStart);
    }
  });

  it('keeps its invariants for any seed, size and rest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.integer({ min: 10_000, max: 240_000 }),
        (seed, stations, setsPerStation, omitSetEvents, restMin) => {
          const gymId = `gym-${seed % 7}`;
          const timelines = planGym({ gymId, seed, stations, setsPerStation, omitSetEvents, runId: 'rprop', restMs: [restMin, restMin + 30_000] });
          expect(timelines).toHaveLength(stations);
          checkPlan(gymId, timelines);
        },
      ),
      { numRuns: 80 },
    );
  }, 30_000);
});
