import {
  aerobicMinute,
  aerobicOfSamples,
  heartRateProfile,
  hrReserveFraction,
  isCountedIntensity,
  resistanceInterval,
  setSpan,
  type AerobicMinute,
  type AthleteSet,
  type ModelConstants,
  type ResistanceInterval,
  type TimedHr,
} from '@neurolift/stimulus';
import type { AthleteStore, HeartRateStore } from '@neurolift/storage';

export interface AerobicDeps {
  readonly athletes: AthleteStore;
  readonly heartRate: HeartRateStore;
  readonly constants: ModelConstants;
}

const MINUTE_MS = 60_000;
/** Sets are looked for by last rep up to this long after a span (a set longer than this starts before it). */
const LONGEST_SET_MS = 60 * MINUTE_MS;

const minuteOf = (ts: number) => Math.floor(ts / MINUTE_MS);

/** The resistance intervals of the athlete's sets that may meet [fromTs, toTs]. */
async function intervalsNear(athleteId: string, fromTs: number, toTs: number, deps: AerobicDeps): Promise<ResistanceInterval[]> {
  const { constants } = deps;
  const entries = await deps.athletes.entries(athleteId, undefined, fromTs - constants.hrResistanceAfterMs, toTs + constants.hrResistanceBeforeMs + LONGEST_SET_MS);
  return entries.map((entry) => resistanceInterval(entry.firstTs, entry.lastTs, constants)).filter((interval) => interval.startTs <= toTs && interval.endTs >= fromTs);
}

/**
 * The aerobic sums of minutes [firstMinute, lastMinute] from the stored heart rate and the sets around them:
 * a minute is there when one of its readings reaches the count threshold (whether or not it counts, which
 * depends on the sets: a minute's place in the order and its points then depend on heart rate alone).
 */
async function minuteSums(athleteId: string, firstMinute: number, lastMinute: number, deps: AerobicDeps): Promise<Map<number, AerobicMinute>> {
  const fromTs = firstMinute * MINUTE_MS;
  const toTs = lastMinute * MINUTE_MS + MINUTE_MS - 1;
  const [readings, intervals, profile] = await Promise.all([deps.heartRate.seconds(athleteId, fromTs, toTs), intervalsNear(athleteId, fromTs, toTs, deps), deps.athletes.profile(athleteId)]);
  const byMinute = new Map<number, TimedHr[]>();
  for (const reading of readings) {
    const minute = minuteOf(reading.ts);
    byMinute.set(minute, [...(byMinute.get(minute) ?? []), reading]);
  }
  const out = new Map<number, AerobicMinute>();
  for (const [minute, samples] of byMinute) {
    const hr = heartRateProfile(profile, minute * MINUTE_MS, deps.constants);
    if (!samples.some((sample) => isCountedIntensity(hrReserveFraction(sample.bpm, hr), deps.constants))) continue;
    out.set(minute, aerobicMinute(minute, aerobicOfSamples(samples, intervals, hr, deps.constants)));
  }
  return out;
}

function sameSum(a: AerobicMinute, b: AerobicMinute): boolean {
  return a.sum.a === b.sum.a && a.sum.counted === b.sum.counted && a.sum.firstCountedTs === b.sum.firstCountedTs && a.sum.lastCountedTs === b.sum.lastCountedTs;
}

/** Stores the minutes whose sums differ from the stored ones; returns them in time order. */
async function storeChanged(athleteId: string, fresh: ReadonlyMap<number, AerobicMinute>, stored: readonly AerobicMinute[], deps: AerobicDeps, onlyStored: boolean): Promise<AerobicMinute[]> {
  const before = new Map(stored.map((minute) => [minute.minute, minute]));
  const changed: AerobicMinute[] = [];
  const minutes = onlyStored ? [...before.keys()] : [...new Set([...fresh.keys(), ...before.keys()])];
  for (const minute of minutes.sort((a, b) => a - b)) {
    // A stored minute no longer reaching the threshold (a profile change): kept, counting nothing.
    const now = fresh.get(minute) ?? aerobicMinute(minute, { a: 0, counted: 0, firstCountedTs: undefined, lastCountedTs: undefined });
    const old = before.get(minute);
    if (old === undefined || !sameSum(old, now)) changed.push(now);
  }
  await deps.athletes.putAerobic(athleteId, changed);
  return changed;
}

/**
 * A heart-rate block was merged: the minutes it touches, counted again (model nsi-1.1), stored when new or
 * changed. Only these minutes' readings are read, never the athlete's history.
 */
export async function minutesOfBlock(athleteId: string, t0: number, samples: number, deps: AerobicDeps): Promise<AerobicMinute[]> {
  const first = minuteOf(t0);
  const last = minuteOf(t0 + (samples - 1) * 1000);
  const [fresh, stored] = await Promise.all([minuteSums(athleteId, first, last, deps), deps.athletes.aerobicMinutes(athleteId, first, last)]);
  return storeChanged(athleteId, fresh, stored, deps, false);
}

/**
 * A set was stored: the stored minutes in its resistance interval counted again (their samples there no
 * longer count); returns those that changed, in time order.
 */
export async function recountMinutes(athleteId: string, set: AthleteSet, deps: AerobicDeps): Promise<AerobicMinute[]> {
  if (set.reps.length === 0) return [];
  const { firstTs, lastTs } = setSpan(set);
  const interval = resistanceInterval(firstTs, lastTs, deps.constants);
  const first = minuteOf(interval.startTs);
  const last = minuteOf(interval.endTs);
  const stored = await deps.athletes.aerobicMinutes(athleteId, first, last);
  if (stored.length === 0) return [];
  return storeChanged(athleteId, await minuteSums(athleteId, first, last, deps), stored, deps, true);
}

/**
 * The stored minutes in [fromTs, toTs] counted again from scratch: after a change of the athlete's profile
 * (resting or maximal heart rate) the fold re-models a session, and its minutes with it. Returns those that changed.
 */
export async function recountRange(athleteId: string, fromTs: number, toTs: number, deps: AerobicDeps): Promise<AerobicMinute[]> {
  const first = minuteOf(fromTs);
  const last = minuteOf(toTs);
  const stored = await deps.athletes.aerobicMinutes(athleteId, first, last);
  if (stored.length === 0) return [];
  return storeChanged(athleteId, await minuteSums(athleteId, first, last, deps), stored, deps, true);
}
