import { athleteHistory, sessionEndAlerts, sessionsOf, thresholdsFor } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import { athleteSetKey } from '@neurolift/stimulus';
import { NOTHING, type CheckDeps, type CheckResult } from './check-deps.js';

type SessionEndCheck = Extract<AlertCheckJob, { kind: 'session_end' }>;

/** The set's session can no longer grow (or a later set of it will check again): low effort, NSI below target. */
export async function checkSessionEnd(job: SessionEndCheck, deps: CheckDeps): Promise<CheckResult> {
  const snapshot = await deps.athletes.load(job.athleteId);
  const { constants } = deps.model;
  const history = athleteHistory({ sets: snapshot.sets, profile: snapshot.profile, constants });
  const setKey = athleteSetKey(job.stationId, job.setId);
  const session = sessionsOf(history).find(({ sets }) => sets.some(({ set }) => set.key === setKey));
  if (!session) return NOTHING;
  return {
    candidates: sessionEndAlerts({ athleteId: job.athleteId, session, asOfMs: deps.clock(), thresholds: thresholdsFor(deps.config, session.gymId), constants }),
  };
}
