import { toAlert } from '@neurolift/alerts';
import type { AlertCheckJob, AlertMessage } from '@neurolift/contracts';
import type { CheckDeps, CheckResult } from './check-deps.js';
import { checkDaily } from './daily.js';
import { checkInSet, checkReps } from './in-set.js';
import { checkSessionEnd } from './session-end.js';
import { checkSetClosed } from './set-closed.js';
import { checkStationStatus } from './station-status.js';

export type { CheckDeps } from './check-deps.js';

function evaluate(job: AlertCheckJob, deps: CheckDeps): Promise<CheckResult> {
  switch (job.kind) {
    case 'in_set':
      return checkInSet(job, deps);
    case 'reps':
      return checkReps(job, deps);
    case 'set_closed':
      return checkSetClosed(job, deps);
    case 'session_end':
      return checkSessionEnd(job, deps);
    case 'station_status':
      return checkStationStatus(job, deps);
    case 'daily':
      return checkDaily(job, deps);
  }
}

/** The wire form: the candidate's fields the protocol names, with the id and model. */
function wire(candidate: Parameters<typeof toAlert>[0], modelId: string): AlertMessage {
  const alert = toAlert(candidate, modelId);
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    gymId: alert.gymId,
    ...(alert.stationId === undefined ? {} : { stationId: alert.stationId }),
    athleteId: alert.athleteId,
    ...(alert.setId === undefined ? {} : { setId: alert.setId }),
    ...(alert.exercise === undefined ? {} : { exercise: alert.exercise }),
    value: alert.value,
    threshold: alert.threshold,
    unit: alert.unit,
    message: alert.message,
    model: alert.model,
    ts: alert.ts,
  };
}

/**
 * Runs one check: evaluates its rules, enqueues a delivery job per alert (job id = alert id, so a
 * re-evaluation or a retried check enqueues nothing new) and updates the console. Returns the alerts.
 */
export async function runCheck(job: AlertCheckJob, deps: CheckDeps): Promise<AlertMessage[]> {
  const result = await evaluate(job, deps);
  const alerts = result.candidates.map((candidate) => wire(candidate, deps.model.modelId));
  if (alerts.length > 0) await deps.queues.deliver(alerts);
  if (result.live && result.live.length > 0) await deps.live.putStations(result.live);
  await result.afterwards?.();
  return alerts;
}
