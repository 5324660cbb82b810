import { inSetAlerts, mvtFor, thresholdsFor } from '@neurolift/alerts';
import type { AlertCheckJob, LiveStation, RepRecord } from '@neurolift/contracts';
import { velocityLosses } from '@neurolift/stimulus';
import { NOTHING, type CheckDeps, type CheckResult } from './check-deps.js';

type RepsCheck = Extract<AlertCheckJob, { kind: 'reps' }>;

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

/** Reps of an open set were stored: near failure, partial rep, high fatigue; and the console's bars. */
export async function checkReps(job: RepsCheck, deps: CheckDeps): Promise<CheckResult> {
  const reps = await deps.state.setReps(job.stationId, job.setId);
  const first = reps[0];
  if (!first) return NOTHING;
  const exercise = first.exercise;
  const [profile, basis, previous, open] = await Promise.all([
    deps.state.profile(job.athleteId),
    deps.state.basis(job.athleteId, exercise),
    deps.live.station(job.gymId, job.stationId),
    // From the set state, not assumed: this check may run after the set's close was shown.
    deps.state.setOpen(job.stationId, job.setId),
  ]);
  const thresholds = thresholdsFor(deps.config, job.gymId);
  const { constants } = deps.model;
  const candidates = inSetAlerts({
    reps,
    mvtMps: mvtFor(exercise, profile, constants),
    medianRomM: basis?.medianRomM,
    e1rmKg: basis?.e1rmKg,
    thresholds,
    constants,
  });
  const live = liveSet(reps, previous, { amber: thresholds.highFatigueAmberPct, red: thresholds.highFatigueRedPct }, open, deps.clock());
  return live ? { candidates, live } : { candidates };
}
