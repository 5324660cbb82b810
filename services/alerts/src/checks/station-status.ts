import { stationOfflineAlerts } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import type { CheckDeps, CheckResult } from './check-deps.js';

type StationStatusCheck = Extract<AlertCheckJob, { kind: 'station_status' }>;

/** A station went offline: an alert if a set is open on it. */
export async function checkStationStatus(job: StationStatusCheck, deps: CheckDeps): Promise<CheckResult> {
  const openSet = await deps.state.openSet(job.stationId);
  return { candidates: stationOfflineAlerts({ gymId: job.gymId, stationId: job.stationId, online: job.online, ts: job.ts, openSet }) };
}
