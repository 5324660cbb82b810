/**
 * Rules evaluated while a set is open, each time a rep is processed: near_failure, partial_rep and
 * high_fatigue. Each looks at every rep so far and reports the first rep that meets its condition, so the
 * candidate is the same at every later rep and under retries (one alert per set; scope `set/<stationId>.<setId>`).
 * Per-rep terms come from the model: velocity loss from `velocityLosses`, RIR from `repsInReserve`; both
 * depend only on reps 1..i, so the values are those the rep had when it arrived.
 */
import type { RepRecord } from '@neurolift/contracts';
import { DEFAULT_CONSTANTS, relativeIntensity, repsInReserve, velocityLosses, type ModelConstants } from '@neurolift/stimulus';
import { setScope, type AlertCandidate, type SetRef } from './alert-candidate.js';
import { atMost, below, fixed, formatPair, median } from './compare.js';
import { highFatigueCandidate } from './fatigue.js';
import { FIXED_SEVERITY } from './rules.js';
import type { Thresholds } from './thresholds.js';

export interface InSetInput {
  /** The open set's reps so far, any order (one set of one athlete); a repeated repIndex counts once, the later entry wins. */
  readonly reps: readonly RepRecord[];
  /** The athlete's MVT for the exercise, m/s ({@link mvtFor}); near_failure is skipped unless > 0. */
  readonly mvtMps: number;
  /** The athlete's median ROM for the exercise, m (over the athlete's latest sets of it, {@link medianRomOf}); absent: the set's median so far. */
  readonly medianRomM?: number | undefined;
  /**
   * e1RM for the model's inverse-Epley RIR fallback (reps 1–2, or velocity not falling), kg — e.g. the e1RM of the
   * athlete's latest set of the exercise in {@link athleteHistory}, or the model's `estimateE1rm`. Absent: intensity 0,
   * whose fallback RIR is large, so only the velocity trend (from rep 3) or the MVT margin can flag near failure.
   */
  readonly e1rmKg?: number | undefined;
  readonly thresholds: Thresholds;
  readonly constants?: ModelConstants | undefined;
  /**
   * Live bound ({@link isLateRep}): an in-set alert whose rep is more than `maxAgeMs` before `nowMs` (the check's
   * clock) is not raised. Absent: every rep counts (the rules alone, as in the tests of their conditions).
   */
  readonly live?: LiveBound | undefined;
}

/** What makes a rep late for the in-set rules: the check's clock and the largest age still live, ms. */
export interface LiveBound {
  readonly nowMs: number;
  readonly maxAgeMs: number;
}

/**
 * A rep (or any in-set observation) is late when its device time is more than `maxAgeMs` before `nowMs`: a
 * wearable's gateway uploading hours later, or a backlog. In-set alerts are for a coach watching the set;
 * a late one would only interrupt, so late reps raise none (the set-close and session rules still judge them).
 * A time ahead of the clock is not late.
 */
export function isLateRep(repTs: number, bound: LiveBound): boolean {
  return bound.nowMs - repTs > bound.maxAgeMs;
}

/** Whether the console should show a set as live: its newest rep is not late ({@link isLateRep}); false without reps. */
export function isLiveSet(reps: readonly Pick<RepRecord, 'ts'>[], bound: LiveBound): boolean {
  if (reps.length === 0) return false;
  return !isLateRep(Math.max(...reps.map((rep) => rep.ts)), bound);
}

interface RepTerms {
  readonly rep: RepRecord;
  /** Percent. */
  readonly lossPct: number;
  readonly rir: number;
}

/** Reps by repIndex (deduplicated) with the model's velocity loss and RIR. */
function repTerms(input: InSetInput): RepTerms[] {
  const constants = input.constants ?? DEFAULT_CONSTANTS;
  const unique = new Map<number, RepRecord>();
  for (const rep of input.reps) unique.set(rep.repIndex, rep);
  const reps = [...unique.values()].sort((a, b) => a.repIndex - b.repIndex);
  const losses = velocityLosses(reps);
  const intensities = reps.map((rep) => relativeIntensity(rep.loadKg, input.e1rmKg ?? 0, constants));
  const rirs = repsInReserve(
    reps.map((rep) => rep.meanVelocity),
    intensities,
    input.mvtMps,
    constants,
  );
  return reps.map((rep, position) => ({ rep, lossPct: (losses.get(rep.repIndex) ?? 0) * 100, rir: rirs[position] ?? Number.NaN }));
}

function setRef(rep: RepRecord): SetRef {
  return { gymId: rep.gymId, stationId: rep.stationId, athleteId: rep.athleteId, setId: rep.setId, exercise: rep.exercise };
}

function setFields(set: SetRef): Pick<AlertCandidate, 'gymId' | 'stationId' | 'athleteId' | 'setId' | 'exercise' | 'scope'> {
  return { ...set, scope: setScope(set.stationId, set.setId) };
}

/** The identity of the set: taken from its highest rep (all reps of a set share it). */
function lastRep(terms: readonly RepTerms[]): RepRecord | undefined {
  return terms[terms.length - 1]?.rep;
}

/**
 * near_failure: the first rep with mean velocity ≤ MVT + nearFailureVelocityMarginMps, or with the model's
 * RIR ≤ nearFailureMaxRir. The velocity condition is reported when both hold (it is measured, RIR is estimated).
 */
export function nearFailureAlerts(input: InSetInput): AlertCandidate[] {
  const terms = repTerms(input);
  const last = lastRep(terms);
  if (last === undefined || !(input.mvtMps > 0)) return [];
  const set = setRef(last);
  const { nearFailureVelocityMarginMps: margin, nearFailureMaxRir: maxRir } = input.thresholds;
  const velocityLimit = input.mvtMps + margin;
  for (const { rep, rir } of terms) {
    const base = { rule: 'near_failure', severity: FIXED_SEVERITY.near_failure, ...setFields(set), ts: rep.ts } as const;
    const where = `Athlete ${set.athleteId}: rep ${rep.repIndex} of set ${set.setId} (${set.exercise}) near failure`;
    if (atMost(rep.meanVelocity, velocityLimit)) {
      const [value, limit] = formatPair(rep.meanVelocity, velocityLimit, 2, 3);
      const detail = `${value} m/s, at or below ${limit} m/s (MVT ${fixed(input.mvtMps, 2)} + ${fixed(margin, 2)})`;
      return [{ ...base, value: rep.meanVelocity, threshold: velocityLimit, unit: 'm/s', message: `${where}: ${detail}` }];
    }
    if (Number.isFinite(rir) && atMost(rir, maxRir)) {
      const [value, limit] = formatPair(rir, maxRir, 1, 2);
      const detail = `about ${value} reps in reserve (model estimate), at most ${limit}`;
      return [{ ...base, value: rir, threshold: maxRir, unit: 'reps', message: `${where}: ${detail}` }];
    }
  }
  return [];
}

/**
 * partial_rep: the first rep flagged `partial` by rep segmentation, or whose ROM is below partialRomPct of the
 * median ROM (the athlete's median for the exercise when given, else the median of the set's ROMs up to and
 * including that rep, as segmentation does). Value: the rep's ROM as a percent of that median. Reps without a
 * ROM (device reps may omit it) are skipped.
 */
export function partialRepAlerts(input: InSetInput): AlertCandidate[] {
  const terms = repTerms(input);
  const last = lastRep(terms);
  if (last === undefined) return [];
  const set = setRef(last);
  const athleteMedian = input.medianRomM !== undefined && Number.isFinite(input.medianRomM) && input.medianRomM > 0 ? input.medianRomM : undefined;
  const roms: number[] = [];
  for (const { rep } of terms) {
    if (rep.rom === undefined || !Number.isFinite(rep.rom)) continue;
    roms.push(rep.rom);
    const reference = athleteMedian ?? median(roms);
    if (reference === undefined || !(reference > 0)) continue;
    const pct = (rep.rom / reference) * 100;
    const threshold = input.thresholds.partialRomPct;
    if (rep.partial !== true && !below(pct, threshold)) continue;
    const [value, limit] = formatPair(pct, threshold, 0, 2);
    const whose = athleteMedian === undefined ? 'the set median so far' : `the athlete's median for ${set.exercise}`;
    const why = below(pct, threshold) ? `below ${limit} %` : 'flagged partial by rep detection';
    const message =
      `Athlete ${set.athleteId}: partial rep ${rep.repIndex} in set ${set.setId} (${set.exercise}), ` +
      `ROM ${fixed(rep.rom, 2)} m = ${value} % of ${whose} (${fixed(reference, 2)} m), ${why}`;
    return [{ rule: 'partial_rep', severity: FIXED_SEVERITY.partial_rep, ...setFields(set), value: pct, threshold, unit: 'percent', message, ts: rep.ts }];
  }
  return [];
}

/** high_fatigue during the set: see {@link highFatigueCandidate} (scope `set/<key>/amber` or `set/<key>/red`). */
export function highFatigueInSetAlerts(input: InSetInput): AlertCandidate[] {
  const terms = repTerms(input);
  const last = lastRep(terms);
  if (last === undefined) return [];
  const losses = terms.map(({ rep, lossPct }) => ({ repIndex: rep.repIndex, ts: rep.ts, lossPct }));
  const candidate = highFatigueCandidate(setRef(last), losses, input.thresholds);
  return candidate === undefined ? [] : [candidate];
}

/**
 * Every in-set rule for the set so far: call after each rep is stored. With `live`, a candidate whose rep
 * (the first that met the rule's condition) is late is dropped: the set gets no in-set alert of that rule,
 * even if a later rep is live, since the condition was met before the coach could have seen it.
 */
export function inSetAlerts(input: InSetInput): AlertCandidate[] {
  const candidates = [...nearFailureAlerts(input), ...partialRepAlerts(input), ...highFatigueInSetAlerts(input)];
  const bound = input.live;
  return bound === undefined ? candidates : candidates.filter((candidate) => !isLateRep(candidate.ts, bound));
}
