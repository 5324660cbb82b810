import { sessionEndAlerts, thresholdsFor, type SessionView } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import { athleteSetKey, type ModelledSet, type SessionPoint } from '@neurolift/stimulus';
import { NOTHING, type CheckDeps, type CheckResult } from './check-deps.js';

type SessionEndCheck = Extract<AlertCheckJob, { kind: 'session_end' }>;

/**
 * The set's session can no longer grow (or a later set of it will check again): low effort, NSI below target.
 * A set with a later set in its session leaves the session to that set's check (the next set in the athlete's
 * order tells, from its entry); the session's last set reads the session's records once.
 */
export async function checkSessionEnd(job: SessionEndCheck, deps: CheckDeps): Promise<CheckResult> {
  const setKey = athleteSetKey(job.stationId, job.setId);
  const folded = (await deps.athletes.record(job.athleteId, setKey))?.folded;
  if (!folded) return NOTHING;
  const next = await deps.athletes.nextEntry(job.athleteId, setKey);
  if (next?.terms?.sessionId === folded.sessionId) return NOTHING;
  const records = await deps.athletes.records(job.athleteId, folded.checkpoint.sessionFirstKey, setKey);
  const sets: ModelledSet[] = [];
  const points: SessionPoint[] = [];
  for (const record of records) {
    if (record.folded?.sessionId !== folded.sessionId) continue;
    sets.push({ set: record.folded.set, model: record.folded.model });
    points.push(record.folded.point);
  }
  const session: SessionView = {
    sessionId: folded.sessionId,
    sets,
    points,
    startTs: folded.checkpoint.sessionStartTs,
    endTs: folded.point.ts,
    nsi: folded.point.nsi,
    gymId: folded.set.gymId,
  };
  return { candidates: sessionEndAlerts({ athleteId: job.athleteId, session, asOfMs: deps.clock(), thresholds: thresholdsFor(deps.config, session.gymId), constants: deps.model.constants }) };
}
