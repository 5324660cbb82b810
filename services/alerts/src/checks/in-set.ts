import { inSetAlerts, isLiveSet, mvtFor, thresholdsFor, type AlertCandidate, type LiveBound } from '@neurolift/alerts';
import type { AlertCheckJob, LiveStation, RepRecord } from '@neurolift/contracts';
import { velocityLosses } from '@neurolift/stimulus';
import type { CheckDeps, CheckResult } from './check-deps.js';

type RepsCheck = Extract<AlertCheckJob, { kind: 'reps' }>;
type InSetCheck = Extract<AlertCheckJob, { kind: 'in_set' }>;
type SetRefs = RepsCheck['sets'];

/** The console's view of a set so far: bars of mean velocity and the velocity loss reached. */
export function liveSet(reps: readonly RepRecord[], previous: LiveStation | undefined, thresholds: { amber: number; red: number }, open: boolean, now: number): LiveStation | undefined {
  const sorted = [...new Map(reps.map((rep) => [rep.repIndex, rep])).values()].sort((a, b) => a.repIndex - b.repIndex);
  const last = sorted[sorted.length - 1];
  if (!last) return undefined;
  const losses = velocityLosses(sorted);
  const lossPct = (rep: RepRecord) => (losses.get(rep.repIndex) ?? 0) * 100;
  const sameAthlete = previous?.athleteId === last.athleteId;
  return {
    gymId: last.gymId,
    stationId: last.stationId,
    athleteId: last.athleteId,
    setId: last.setId,
    exercise: last.exercise,
    loadKg: last.loadKg,
    reps: sorted.map((rep) => ({
      repIndex: rep.repIndex,
      meanVelocity: rep.meanVelocity,
      velocityLossPct: lossPct(rep),
      ts: rep.ts,
      ...(rep.partial === undefined ? {} : { partial: rep.partial }),
    })),
    // The gauge shows the highest loss reached: fatigue does not recover within a set.
    velocityLossPct: Math.max(0, ...sorted.map(lossPct)),
    fatigueAmberPct: thresholds.amber,
    fatigueRedPct: thresholds.red,
    ...(sameAthlete && previous?.sessionNsi !== undefined ? { sessionNsi: previous.sessionNsi } : {}),
    open,
    updatedAt: now,
  };
}

/**
 * Reps of sets of a gym were stored: one pass over every set marked pending since the last (near failure,
 * partial rep, high fatigue; the console's bars). The marks read are cleared once the alerts are enqueued,
 * so a failed pass is retried with them, and a set with new reps meanwhile stays for the next pass.
 */
export async function checkInSet(job: InSetCheck, deps: CheckDeps): Promise<CheckResult> {
  const pending = await deps.state.inSetPending(job.gymId);
  const result = await judgeSets(pending.sets, deps);
  return { ...result, afterwards: () => deps.state.clearInSetPending(job.gymId, pending.marks) };
}

/** A `reps` check (one per rep batch, from workers before `in_set`): the listed sets. */
export function checkReps(job: RepsCheck, deps: CheckDeps): Promise<CheckResult> {
  return judgeSets(job.sets, deps);
}

/**
 * Reps of these sets were stored: near failure, partial rep, high fatigue; and the console's bars. With
 * `inSetMaxAgeMs`, an alert about a late rep is not raised and a set whose newest rep is late is not put on
 * the console (decision 0019): the set-close and session rules judge it as they judge a live one.
 */
async function judgeSets(sets: Readonly<SetRefs>, deps: CheckDeps): Promise<CheckResult> {
  const inputs = await deps.state.inSetInputs(sets);
  const { constants } = deps.model;
  const candidates: AlertCandidate[] = [];
  const live: LiveStation[] = [];
  const now = deps.clock();
  // Reps older than the bound (a late upload) raise no in-set alert and do not take over the console's station.
  const bound: LiveBound | undefined = deps.inSetMaxAgeMs === undefined ? undefined : { nowMs: now, maxAgeMs: deps.inSetMaxAgeMs };
  sets.forEach((set, i) => {
    const input = inputs[i];
    const first = input?.reps[0];
    if (!input || !first) return;
    const thresholds = thresholdsFor(deps.config, set.gymId);
    candidates.push(
      ...inSetAlerts({
        reps: input.reps,
        mvtMps: mvtFor(first.exercise, input.profile, constants),
        medianRomM: input.basis?.medianRomM,
        e1rmKg: input.basis?.e1rmKg,
        thresholds,
        constants,
        live: bound,
      }),
    );
    if (bound !== undefined && !isLiveSet(input.reps, bound)) return;
    // `open` comes from the set state, not assumed: this check may run after the set's close was shown.
    const station = liveSet(input.reps, input.previous, { amber: thresholds.highFatigueAmberPct, red: thresholds.highFatigueRedPct }, input.open, now);
    if (station) live.push(station);
  });
  return { candidates, live };
}
