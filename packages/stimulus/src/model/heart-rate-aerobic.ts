/**
 * The aerobic sum A of model spec "v1.1: heart rate". A heart-rate sample *counts* when its reserve fraction
 * r ≥ 0.5 and it lies outside every resistance interval [first rep − 30 s, last rep + 180 s] of the athlete's
 * sets (the rest after a set is resistance work, already in λ); each counted sample adds
 * (1/60)·r·0.64·e^(1.92·r) to A (heart-rate.ts, `aerobicTerm`).
 *
 * Built for a pipeline that keeps one small record per athlete per minute instead of re-reading every sample:
 * {@link aerobicBucket} turns one minute bucket's samples plus the resistance intervals overlapping it into
 * { a, counted, firstCountedTs, lastCountedTs }; {@link combineAerobicSums} adds records; a session's A is the sum
 * of its minutes' records. A bucket is recomputed from its samples only when its samples or the intervals
 * overlapping it change (a set arriving late changes the buckets of [first − 30 s, last + 180 s] only).
 * A bucket never spans two sessions: one minute is far below the 2 h session gap.
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from './constants.js';
import { aerobicTerm, hrReserveFraction, HR_SAMPLE_PERIOD_MS, type HeartRateProfile } from './heart-rate.js';
import { MINUTE_MS } from './time.js';

/** A closed time interval, epoch ms: a sample at startTs or endTs lies inside. */
export interface ResistanceInterval {
  readonly startTs: number;
  readonly endTs: number;
}

/** One heart-rate sample at an absolute time. */
export interface TimedHr {
  /** Epoch ms. */
  readonly ts: number;
  /** Beats per minute. */
  readonly bpm: number;
}

/**
 * One heart-rate sample inside a bucket: its offset from the bucket's start, in ms (not whole seconds: an `hr`
 * block's t0 has millisecond resolution, so samples sit t0 + k·1000 ms, anywhere within a second), and its bpm.
 */
export interface HrBucketSample {
  readonly offsetMs: number;
  readonly bpm: number;
}

/** The aerobic record of a bucket, a span or a session. */
export interface AerobicSum {
  /** A: Σ of the counted samples' aerobic terms, TRIMP units. */
  readonly a: number;
  /** Number of counted samples. */
  readonly counted: number;
  /** Time of the earliest counted sample, epoch ms; undefined when none counted. */
  readonly firstCountedTs: number | undefined;
  /** Time of the latest counted sample, epoch ms; undefined when none counted. */
  readonly lastCountedTs: number | undefined;
}

/** The aerobic record of nothing (the neutral element of {@link combineAerobicSums}). */
export const EMPTY_AEROBIC_SUM: AerobicSum = Object.freeze({ a: 0, counted: 0, firstCountedTs: undefined, lastCountedTs: undefined });

/** The resistance interval of a set: [first rep − 30 s, last rep + 180 s] (closed). */
export function resistanceInterval(firstRepTs: number, lastRepTs: number, constants: ModelConstants = DEFAULT_CONSTANTS): ResistanceInterval {
  return { startTs: firstRepTs - constants.hrResistanceBeforeMs, endTs: lastRepTs + constants.hrResistanceAfterMs };
}

/**
 * Intervals sorted by start with overlapping ones merged (touching ones too: both are closed). Empty and
 * non-finite intervals (endTs < startTs, NaN) are dropped. The union of the result equals the union of the input.
 */
export function mergeIntervals(intervals: readonly ResistanceInterval[]): ResistanceInterval[] {
  const sorted = intervals
    .filter((interval) => Number.isFinite(interval.startTs) && Number.isFinite(interval.endTs) && interval.endTs >= interval.startTs)
    .sort((x, y) => x.startTs - y.startTs || x.endTs - y.endTs);
  const merged: ResistanceInterval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.startTs <= last.endTs) {
      if (interval.endTs > last.endTs) merged[merged.length - 1] = { startTs: last.startTs, endTs: interval.endTs };
    } else merged.push({ startTs: interval.startTs, endTs: interval.endTs });
  }
  return merged;
}

/** Whether ts lies in one of `merged` (the output of {@link mergeIntervals}: sorted, disjoint); binary search. */
export function insideMergedIntervals(ts: number, merged: readonly ResistanceInterval[]): boolean {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const interval = merged[mid] as ResistanceInterval;
    if (ts < interval.startTs) hi = mid - 1;
    else if (ts > interval.endTs) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Whether ts lies in any of the intervals (any order, overlaps allowed). */
export function insideAnyInterval(ts: number, intervals: readonly ResistanceInterval[]): boolean {
  return intervals.some((interval) => ts >= interval.startTs && ts <= interval.endTs);
}

/** Start of the UTC minute holding ts, epoch ms: the key of its bucket. */
export function minuteBucketOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}

/** The samples of one `hr` block (device protocol v1.1): bpm[k] at t0 + k·1 s. */
export function hrSamplesOfBlock(t0: number, bpm: readonly number[]): TimedHr[] {
  return bpm.map((value, k) => ({ ts: t0 + k * HR_SAMPLE_PERIOD_MS, bpm: value }));
}

/** One minute bucket: its start (epoch ms, a whole UTC minute) and its samples as offsets from that start. */
export interface HrMinuteBucket {
  readonly bucketStartTs: number;
  readonly samples: readonly HrBucketSample[];
}

/** Samples grouped into UTC minute buckets, in time order of the buckets; samples keep their given order. */
export function splitIntoMinuteBuckets(samples: readonly TimedHr[]): HrMinuteBucket[] {
  const buckets = new Map<number, HrBucketSample[]>();
  for (const sample of samples) {
    const start = minuteBucketOf(sample.ts);
    let list = buckets.get(start);
    if (list === undefined) {
      list = [];
      buckets.set(start, list);
    }
    list.push({ offsetMs: sample.ts - start, bpm: sample.bpm });
  }
  return [...buckets.entries()].sort(([x], [y]) => x - y).map(([bucketStartTs, list]) => ({ bucketStartTs, samples: list }));
}

/**
 * The aerobic record of one bucket (a minute, or any span): the samples at bucketStartTs + offsetMs and the
 * resistance intervals that may overlap them (any order; intervals not overlapping the bucket are harmless).
 *
 * Samples are taken in time order, one per second ({@link onePerSecond}: two samples in one second, from two
 * straps, count once, with the higher bpm), so the result does not depend on their order. A sample counts when
 * r ≥ hrCountThreshold and it lies outside every interval. Samples with a non-finite time or bpm are ignored.
 */
export function aerobicBucket(
  bucketStartTs: number,
  samples: readonly HrBucketSample[],
  intervals: readonly ResistanceInterval[],
  hr: Pick<HeartRateProfile, 'restingHr' | 'maxHr'>,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): AerobicSum {
  const timed = samples.map((sample): TimedHr => ({ ts: bucketStartTs + sample.offsetMs, bpm: sample.bpm }));
  return aerobicOfSamples(timed, intervals, hr, constants);
}

/**
 * The aerobic record of samples at absolute times (one pass over the whole span, the same rules as
 * {@link aerobicBucket}). Equal to the sum of its minute buckets' records, up to floating-point rounding of `a`.
 */
export function aerobicOfSamples(
  samples: readonly TimedHr[],
  intervals: readonly ResistanceInterval[],
  hr: Pick<HeartRateProfile, 'restingHr' | 'maxHr'>,
  constants: ModelConstants = DEFAULT_CONSTANTS,
): AerobicSum {
  const merged = mergeIntervals(intervals);
  const ordered = onePerSecond(samples);
  let a = 0;
  let counted = 0;
  let firstCountedTs: number | undefined;
  let lastCountedTs: number | undefined;
  for (const sample of ordered) {
    const term = aerobicTerm(hrReserveFraction(sample.bpm, hr), constants);
    if (term <= 0 || insideMergedIntervals(sample.ts, merged)) continue;
    a += term;
    counted += 1;
    firstCountedTs ??= sample.ts;
    lastCountedTs = sample.ts;
  }
  return { a, counted, firstCountedTs, lastCountedTs };
}

/**
 * The record of two disjoint spans together: a and counted added, the earliest first and latest last counted time.
 * Add bucket records in time order (as the session's A) for a result independent of arrival order.
 */
export function combineAerobicSums(x: AerobicSum, y: AerobicSum): AerobicSum {
  return {
    a: x.a + y.a,
    counted: x.counted + y.counted,
    firstCountedTs: minDefined(x.firstCountedTs, y.firstCountedTs),
    lastCountedTs: maxDefined(x.lastCountedTs, y.lastCountedTs),
  };
}

/**
 * The samples with a finite time and bpm, in time order, at most one per UTC second (epoch ms ÷ 1000, floored):
 * of samples in the same second (two straps, or blocks whose t0 differ by less than a second) the one with the
 * highest bpm, the earliest of equals. The protocol's rate is one sample a second, so a single strap keeps all
 * its samples; the choice makes A independent of the order samples arrive in and never counts a second twice.
 */
export function onePerSecond(samples: readonly TimedHr[]): TimedHr[] {
  const second = (sample: TimedHr): number => Math.floor(sample.ts / HR_SAMPLE_PERIOD_MS);
  const sorted = samples
    .filter((sample) => Number.isFinite(sample.ts) && Number.isFinite(sample.bpm))
    .sort((x, y) => second(x) - second(y) || y.bpm - x.bpm || x.ts - y.ts);
  return sorted.filter((sample, k) => k === 0 || second(sorted[k - 1] as TimedHr) !== second(sample));
}

function minDefined(x: number | undefined, y: number | undefined): number | undefined {
  return x === undefined ? y : y === undefined ? x : Math.min(x, y);
}

function maxDefined(x: number | undefined, y: number | undefined): number | undefined {
  return x === undefined ? y : y === undefined ? x : Math.max(x, y);
}
