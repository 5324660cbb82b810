import { athleteHistory, dailyAlerts, sessionsOf, thresholdsFor, type AlertCandidate } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import type { CheckDeps, CheckResult } from './check-deps.js';

type DailyCheck = Extract<AlertCheckJob, { kind: 'daily' }>;

/** Athletes with a set in this window are judged daily (the exposure windows are 7 and 28 days). */
const ACTIVE_WINDOW_MS = 35 * 24 * 3600_000;

/**
 * The daily run of one gym (or of every gym the alerts config does not list): low exposure and
 * exposure change for each athlete who trained there recently. The rules judge the last complete
 * UTC day, so a second run the same day finds the same alerts, which dedupe by id.
 */
export async function checkDaily(job: DailyCheck, deps: CheckDeps): Promise<CheckResult> {
  const now = deps.clock();
  const gyms = job.gymId !== undefined ? [job.gymId] : (await deps.state.knownGyms()).filter((gym) => !deps.config.gyms.has(gym));
  const candidates: AlertCandidate[] = [];
  const { constants } = deps.model;
  for (const gymId of gyms) {
    const thresholds = thresholdsFor(deps.config, gymId);
    for (const athleteId of await deps.state.activeAthletes(gymId, now - ACTIVE_WINDOW_MS)) {
      const snapshot = await deps.athletes.load(athleteId);
      const sessions = sessionsOf(athleteHistory({ sets: snapshot.sets, profile: snapshot.profile, constants }));
      candidates.push(...dailyAlerts({ athleteId, gymId, asOfMs: now, sessions, dailyLoads: snapshot.dailyLoads, thresholds, constants }));
    }
  }
  return { candidates };
}
