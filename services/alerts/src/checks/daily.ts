import { dailyAlerts, judgedDay, thresholdsFor, type AlertCandidate, type DailySessionInput } from '@neurolift/alerts';
import type { AlertCheckJob } from '@neurolift/contracts';
import { DAY_MS } from '@neurolift/stimulus';
import type { SetEntry } from '@neurolift/storage';
import type { CheckDeps, CheckResult } from './check-deps.js';

type DailyCheck = Extract<AlertCheckJob, { kind: 'daily' }>;

/** Athletes with a set in this window are judged daily (the exposure windows are 7 and 28 days). */
const ACTIVE_WINDOW_MS = 35 * 24 * 3600_000;

/** Each session's end and final NSI: its last entry (entries come in time order). */
function sessionsOf(entries: readonly SetEntry[]): DailySessionInput[] {
  const last = new Map<string, DailySessionInput>();
  for (const entry of entries) if (entry.terms) last.set(entry.terms.sessionId, { endTs: entry.lastTs, nsi: entry.terms.nsi });
  return [...last.values()];
}

/** The gyms a daily run without a gym judges: those the alerts config does not list, of the job's shard. Pure. */
export function unlistedGymsOfShard(known: readonly string[], deps: Pick<CheckDeps, 'config' | 'inShard'>): string[] {
  return known.filter((gym) => !deps.config.gyms.has(gym) && (deps.inShard?.(gym) ?? true));
}

/**
 * The daily run of one gym (or of every gym the alerts config does not list): low exposure and
 * exposure change for each athlete who trained there recently, from the persisted daily loads and the
 * entries of the sets of the window (every later one too, so a session still growing ends where it ends).
 * A run without a gym judges the unlisted gyms of its own shard (each shard has such a run). The rules judge
 * the last complete UTC day, so a second run the same day finds the same alerts, which dedupe by id.
 */
export async function checkDaily(job: DailyCheck, deps: CheckDeps): Promise<CheckResult> {
  const now = deps.clock();
  const gyms = job.gymId !== undefined ? [job.gymId] : unlistedGymsOfShard(await deps.state.knownGyms(), deps);
  const candidates: AlertCandidate[] = [];
  const { constants } = deps.model;
  for (const gymId of gyms) {
    const thresholds = thresholdsFor(deps.config, gymId);
    const fromTs = (judgedDay(now) - thresholds.lowExposureWindowDays + 1) * DAY_MS - constants.sessionGapMs;
    for (const athleteId of await deps.state.activeAthletes(gymId, now - ACTIVE_WINDOW_MS)) {
      const [entries, dailyLoads] = await Promise.all([deps.athletes.entries(athleteId, undefined, fromTs, Number.MAX_SAFE_INTEGER), deps.athletes.dailyLoads(athleteId)]);
      candidates.push(...dailyAlerts({ athleteId, gymId, asOfMs: now, sessions: sessionsOf(entries), dailyLoads, thresholds, constants }));
    }
  }
  return { candidates };
}
