import { athleteHistory, athleteMedianRom, sessionsOf, setCloseAlerts, thresholdsFor } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import { athleteSetKey } from '@neurolift/stimulus';
import type { AlertBasis } from '../ports.js';
import { NOTHING, type CheckDeps, type CheckResult } from './check-deps.js';

type SetClosedCheck = Extract<AlertCheckJob, { kind: 'set_closed' }>;

/** How long after a session could last have grown its session-end check runs, ms. */
const SESSION_END_MARGIN_MS = 60_000;

/**
 * A set closed and the worker stored it in its athlete's state: readiness drop, e1RM record and high
 * fatigue (if the in-set path missed it). Also: the session NSI for the console, the in-set rules'
 * basis (median ROM, e1RM) for the athlete's next sets, and the session-end check, delayed until no
 * further set can join the session (a later set schedules its own; the check looks again then).
 */
export async function checkSetClosed(job: SetClosedCheck, deps: CheckDeps): Promise<CheckResult> {
  const snapshot = await deps.athletes.load(job.athleteId);
  const { constants } = deps.model;
  const history = athleteHistory({ sets: snapshot.sets, profile: snapshot.profile, constants });
  const setKey = athleteSetKey(job.stationId, job.setId);
  const modelled = history.sets.find(({ set }) => set.key === setKey);
  if (!modelled) return NOTHING; // not in the athlete's state (no reps): nothing to judge
  const exercise = modelled.set.exercise;
  const basis = await deps.state.basis(job.athleteId, exercise);
  const candidates = setCloseAlerts({
    athleteId: job.athleteId,
    setKey,
    history,
    profile: snapshot.profile,
    thresholds: thresholdsFor(deps.config, job.gymId),
    constants,
    ...(basis?.bestE1rmKg === undefined ? {} : { priorBestE1rmKg: { [exercise]: basis.bestE1rmKg } }),
  });

  const e1rms = history.sets.filter(({ set, model }) => set.exercise === exercise && model.e1rmSource !== 'profile').map(({ model }) => model.e1rmKg);
  const best = Math.max(basis?.bestE1rmKg ?? 0, ...e1rms.filter(Number.isFinite));
  const medianRomM = athleteMedianRom(snapshot.sets, exercise);
  const next: AlertBasis = {
    ...(medianRomM === undefined ? {} : { medianRomM }),
    ...(Number.isFinite(modelled.model.e1rmKg) ? { e1rmKg: modelled.model.e1rmKg } : {}),
    ...(best > 0 ? { bestE1rmKg: best } : {}),
  };
  // Saved once the alerts are enqueued: a retry before that judges this set's record against earlier sets only.
  const afterwards = () => deps.state.saveBasis(job.athleteId, exercise, next);

  const session = sessionsOf(history).find(({ sets }) => sets.some(({ set }) => set.key === setKey));
  if (session) {
    const atMs = session.endTs + constants.sessionGapMs + SESSION_END_MARGIN_MS;
    await deps.queues.later({ ...job, kind: 'session_end' }, `session-end.${job.athleteId}.${job.stationId}.${job.setId}`, atMs);
  }

  const previous = await deps.live.station(job.gymId, job.stationId);
  if (!previous || previous.setId !== job.setId) return { candidates, afterwards };
  const live = { ...previous, open: false, updatedAt: deps.clock(), ...(session ? { sessionNsi: session.nsi } : {}) };
  return { candidates, live: [live], afterwards };
}
