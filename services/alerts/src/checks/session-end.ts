import { athleteHistory, sessionEndAlerts, sessionsOf, thresholdsFor } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import { athleteSetKey, laterSetInSession } from '@neurolift/stimulus';
import { NOTHING, type CheckDeps, type CheckResult } from './check-deps.js';

type SessionEndCheck = Extract<AlertCheckJob, { kind: 'session_end' }>;

/** The set's session can no longer grow (or a later set of it will check again): low effort, NSI below target. */
export async function checkSessionEnd(job: SessionEndCheck, deps: CheckDeps): Promise<CheckResult> {
  const snapshot = await deps.athletes.load(job.athleteId);
  const { constants } = deps.model;
  const setKey = athleteSetKey(job.stationId, job.setId);
  // A later set joined the session: its own check judges the session. Decided from times alone, so the
  // check of every set but a session's last (most of them) models nothing.
  if (laterSetInSession(snapshot.sets, setKey, constants.sessionGapMs)) return NOTHING;
  const history = athleteHistory({ sets: snapshot.sets, profile: snapshot.profile, constants });
  const session = sessionsOf(history).find(({ sets }) => sets.some(({ set }) => set.key === setKey));
  if (!session) return NOTHING;
  return {
    candidates: sessionEndAlerts({ athleteId: job.athleteId, session, asOfMs: deps.clock(), thresholds: thresholdsFor(deps.config, session.gymId), constants }),
  };
}
