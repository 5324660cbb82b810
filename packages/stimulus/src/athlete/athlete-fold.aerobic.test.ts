// Model nsi-1.1 in the athlete's fold: minutes of heart rate as activities (decision 0020).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aerobicOfSamples, resistanceInterval, type TimedHr } from '../model/heart-rate-aerobic.js';
import { heartRateProfile } from '../model/heart-rate.js';
import { aerobicMinute, isAerobic, type Activity, type AerobicMinute } from './aerobic-minute.js';
import { activityTs, foldSets, isFoldedAerobic, type FoldedSet } from './athlete-fold.js';
import { setSpan, type AthleteSet } from './athlete-set.js';
import { athleteSet, fatigue, HOUR, MIN, T0 } from './test-fixtures.js';

const PROFILE = { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140 }, restingHr: 60, maxHr: 190 };

/** A steady heart rate, one reading a second. */
function steady(fromTs: number, seconds: number, bpm: number): TimedHr[] {
  return Array.from({ length: seconds }, (_, i) => ({ ts: fromTs + i * 1000, bpm }));
}

/** The minutes of readings as the worker stores them: a minute is there when a reading reaches the threshold. */
function minutesOf(readings: readonly TimedHr[], sets: readonly AthleteSet[]): AerobicMinute[] {
  const hr = heartRateProfile(PROFILE, readings[0]?.ts ?? 0);
  const intervals = sets.map((set) => resistanceInterval(setSpan(set).firstTs, setSpan(set).lastTs));
  const byMinute = new Map<number, TimedHr[]>();
  for (const reading of readings) byMinute.set(Math.floor(reading.ts / MIN), [...(byMinute.get(Math.floor(reading.ts / MIN)) ?? []), reading]);
  return [...byMinute].map(([minute, samples]) => aerobicMinute(minute, aerobicOfSamples(samples, intervals, hr)));
}

function ordered(activities: readonly Activity[]): Activity[] {
  return [...activities].sort((a, b) => activityTs(a) - activityTs(b) || (a.key < b.key ? -1 : 1));
}

/** The 4×4 back squat at 90 % with 3 min rest of the model's worked examples. */
function fourByFour(start: number): AthleteSet[] {
  return [0, 1, 2, 3].map((i) => athleteSet({ id: `s${i}`, start: start + i * (3 * MIN + 12_000), loadKg: 126, velocities: fatigue(0.42, 4, 0.03) }));
}

describe('minutes of heart rate in the athlete fold (nsi-1.1)', () => {
  it('the worked example: 30 min at a steady 150 bpm (HRrest 60, HRmax 190) gives NSI ≈ 41.2', () => {
    const minutes = minutesOf(steady(T0, 30 * 60, 150), []);
    const { update } = foldSets({ start: {}, sets: minutes, history: new Map(), profile: PROFILE });
    const last = update.aerobic?.at(-1);
    expect(update.aerobic).toHaveLength(30);
    expect(last?.point.aerobicSum).toBeCloseTo(50.22, 2);
    expect(last?.point.dose).toBeCloseTo(0.837, 3);
    expect(last?.point.nsi).toBeCloseTo(41.2, 1);
    // One session, one day: the exposure takes the session's NSI.
    expect(new Set(update.aerobic?.map((point) => point.sessionId)).size).toBe(1);
    expect([...update.dailyLoads.values()]).toEqual([last?.point.nsi]);
  });

  it('a strap worn through a 4×4 squat session (all of it within the sets\' intervals) changes nothing, to the last bit', () => {
    const sets = fourByFour(T0);
    const end = setSpan(sets[3] as AthleteSet).lastTs + 3 * MIN;
    const readings = steady(T0 - 20_000, Math.floor((end - T0) / 1000), 160);
    const minutes = minutesOf(readings, sets);
    expect(minutes.every((minute) => minute.sum.counted === 0)).toBe(true);
    const without = foldSets({ start: {}, sets, history: new Map(), profile: PROFILE });
    const withStrap = foldSets({ start: {}, sets: ordered([...sets, ...minutes]), history: new Map(), profile: PROFILE });
    expect(withStrap.update.stimulus).toEqual(without.update.stimulus);
    expect(withStrap.update.dailyLoads).toEqual(without.update.dailyLoads);
    expect(withStrap.update.exposure).toEqual(without.update.exposure);
    // The minutes repeat the session's point while it is under way.
    expect(withStrap.update.aerobic?.every((point) => point.point.aerobicDose === undefined)).toBe(true);
  });

  it('counted heart rate before a set joins its session and raises its NSI; more than 2 h before, it is a session of its own', () => {
    const set = athleteSet({ id: 'a', start: T0 + 40 * MIN, loadKg: 100, velocities: fatigue(0.6, 5, 0.03) });
    const cardio = minutesOf(steady(T0, 20 * 60, 150), [set]);
    const alone = foldSets({ start: {}, sets: [set], history: new Map(), profile: PROFILE });
    const joined = foldSets({ start: {}, sets: ordered([...cardio, set]), history: new Map(), profile: PROFILE });
    const setPoint = joined.update.stimulus[0]?.point;
    expect(joined.update.stimulus[0]?.sessionId).toBe(joined.update.aerobic?.[0]?.sessionId);
    expect(setPoint?.nsi).toBeGreaterThan(alone.update.stimulus[0]?.point.nsi as number);
    expect(setPoint?.aerobicDose).toBeGreaterThan(0);

    const far = athleteSet({ id: 'b', start: T0 + 20 * MIN + 2 * HOUR + 1000, loadKg: 100, velocities: fatigue(0.6, 5, 0.03) });
    const split = foldSets({ start: {}, sets: ordered([...minutesOf(steady(T0, 20 * 60, 150), [far]), far]), history: new Map(), profile: PROFILE });
    expect(split.update.stimulus[0]?.sessionId).not.toBe(split.update.aerobic?.[0]?.sessionId);
    expect(split.update.stimulus[0]?.point).toEqual({ ...alone.update.stimulus[0]?.point, setId: far.key, ts: setSpan(far).lastTs });
  });

  it('folding from any activity on, from the checkpoint before it, gives what folding all of them gives', () => {
    const sets = [athleteSet({ id: 'a', start: T0 + 30 * MIN, loadKg: 100, velocities: fatigue(0.6, 5, 0.03) }), ...fourByFour(T0 + 50 * MIN)];
    const readings = [...steady(T0, 25 * 60, 150), ...steady(T0 + 80 * MIN, 15 * 60, 140)];
    const activities = ordered([...sets, ...minutesOf(readings, sets)]);
    const whole = foldSets({ start: {}, sets: activities, history: new Map(), profile: PROFILE });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: activities.length - 1 }), (at) => {
        const head = foldSets({ start: {}, sets: activities.slice(0, at), history: new Map(), profile: PROFILE });
        const start = head.folded.at(-1)?.checkpoint ?? {};
        const tail = foldSets({ start, sets: activities.slice(at), history: new Map(), profile: PROFILE });
        expect([...head.folded, ...tail.folded]).toEqual(whole.folded);
        const tailKey = activities[at]?.key;
        const emitted = foldSets({ start: {}, sets: activities, history: new Map(), profile: PROFILE, emitFrom: tailKey });
        expect(tail.update.stimulus).toEqual(emitted.update.stimulus);
        expect(tail.update.aerobic ?? []).toEqual(emitted.update.aerobic ?? []);
      }),
      { numRuns: 40 },
    );
    // Every minute with counted heart rate has a point; sets keep theirs.
    expect(whole.folded.filter((entry) => !isFoldedAerobic(entry))).toHaveLength(sets.length);
    expect(activities.filter(isAerobic).length).toBe(whole.folded.filter(isFoldedAerobic).length);
    expect((whole.folded.filter((entry) => !isFoldedAerobic(entry)) as FoldedSet[]).every((entry) => entry.checkpoint.session.sets > 0)).toBe(true);
  });
});
