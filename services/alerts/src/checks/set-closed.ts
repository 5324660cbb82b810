import {
  incompleteRecoveryAlerts,
  isWorkingSet,
  medianRomOf,
  needsReadinessBaseline,
  ruleEnabled,
  setCloseAlerts,
  setCloseViewFromFold,
  setStartWindow,
  thresholdsFor,
  withSetRoms,
  type AlertCandidate,
  type EarlierSet,
  type SetCloseView,
  type Thresholds,
} from '@neurolift/alerts';
import type { AlertCheckJob, AthleteProfile } from '@neurolift/contracts';
import { athleteSetKey, DAY_MS, type FoldedSet } from '@neurolift/stimulus';
import type { SetEntry } from '@neurolift/storage';
import type { AlertBasis } from '../ports.js';

import { NOTHING, type CheckDeps, type CheckResult } from './check-deps.js';

type SetClosedCheck = Extract<AlertCheckJob, { kind: 'set_closed' }>;

/** How long after a session could last have grown its session-end check runs, ms. */
const SESSION_END_MARGIN_MS = 60_000;

/** An entry the worker has folded, as the readiness baselines read it. */
function earlierSet(entry: SetEntry): EarlierSet | undefined {
  if (entry.terms === undefined) return undefined;
  const { key, exercise, firstTs, lastTs, loadKg, bestVelocity, firstRepVelocity } = entry;
  return { key, exercise, firstTs, lastTs, loadKg, bestVelocity, firstRepVelocity, relIntensity: entry.terms.relIntensity, sessionIntensityBefore: entry.terms.sessionIntensityBefore };
}

/**
 * incomplete_recovery, when the gym has it on and the set is a working set: reads the athlete's heart rate of
 * the set's start window only (any station). The same candidate whenever it runs, so the worker's second
 * set_closed check for a set whose heart rate came later raises it then, and a repeated check raises nothing new.
 */
async function incompleteRecovery(gymId: string, view: SetCloseView, profile: AthleteProfile, thresholds: Thresholds, deps: CheckDeps): Promise<AlertCandidate[]> {
  const enabled = ruleEnabled(deps.config, gymId, 'incomplete_recovery');
  if (!enabled || deps.heartRate === undefined || !isWorkingSet(view.current.model, thresholds)) return [];
  const { fromTs, toTs } = setStartWindow(view.current.model.firstTs);
  const heartRate = await deps.heartRate.seconds(view.athleteId, fromTs, toTs);
  return incompleteRecoveryAlerts({ view, heartRate, profile, thresholds, enabled, constants: deps.model.constants });
}

/**
 * A set closed and the worker folded it into its athlete's state: readiness drop, e1RM record, high
 * fatigue (if the in-set path missed it) and, where enabled, incomplete recovery, from the worker's record of the set (decision 0014): nothing is
 * modelled again. Readiness reads the exercise's 28 days of entries, only at the session's first working set of
 * it. Also: the session NSI for the console, the in-set rules' basis (median ROM of the latest sets, e1RM)
 * for the athlete's next sets, and the session-end check, delayed until no further set can join the session.
 */
export async function checkSetClosed(job: SetClosedCheck, deps: CheckDeps): Promise<CheckResult> {
  const { constants } = deps.model;
  const setKey = athleteSetKey(job.stationId, job.setId);
  const folded: FoldedSet | undefined = (await deps.athletes.record(job.athleteId, setKey))?.folded;
  if (!folded) return NOTHING; // not in the athlete's state (no reps), or not folded yet: nothing to judge
  const exercise = folded.set.exercise;
  const thresholds = thresholdsFor(deps.config, job.gymId);
  const { basis, profile, roms: recent, station: previous } = await deps.state.closeInputs(job.athleteId, exercise, job.gymId, job.stationId);
  const view = setCloseViewFromFold(job.athleteId, folded, []);
  const earlier = needsReadinessBaseline(view, thresholds)
    ? (await deps.athletes.entries(job.athleteId, exercise, folded.model.firstTs - constants.lvpWindowDays * DAY_MS, view.sessionStartTs)).flatMap((entry) => earlierSet(entry) ?? [])
    : [];
  const candidates = [
    ...setCloseAlerts({
      view: { ...view, earlierSets: earlier },
      profile,
      thresholds,
      constants,
      ...(basis?.bestE1rmKg === undefined ? {} : { priorBestE1rmKg: { [exercise]: basis.bestE1rmKg } }),
    }),
    ...(await incompleteRecovery(job.gymId, view, profile, thresholds, deps)),
  ];

  const { model } = folded;
  const estimates = [basis?.bestE1rmKg ?? 0, folded.bestE1rmBefore ?? 0, model.e1rmSource !== 'profile' && Number.isFinite(model.e1rmKg) ? model.e1rmKg : 0];
  const best = Math.max(...estimates);
  const roms = withSetRoms(recent, folded.set);
  const medianRomM = medianRomOf(roms);
  const next: AlertBasis = {
    ...(medianRomM === undefined ? {} : { medianRomM }),
    ...(Number.isFinite(model.e1rmKg) ? { e1rmKg: model.e1rmKg } : {}),
    ...(best > 0 ? { bestE1rmKg: best } : {}),
  };
  // Saved once the alerts are enqueued: a retry before that judges this set's record against earlier sets only.
  // A set already in the basis with later sets after it is being checked again (heart rate covering it came
  // later): the basis is the later sets' and stays.
  const judged = Object.keys(recent);
  const checkedAgain = judged.includes(setKey) && judged[judged.length - 1] !== setKey;
  const afterwards = checkedAgain ? async () => undefined : () => deps.state.saveBasis(job.athleteId, exercise, next, roms);

  // Not before the session could last have grown, nor (a late upload: that moment has passed) before the
  // upload's later sets have had time to arrive and be folded.
  const atMs = Math.max(folded.point.ts + constants.sessionGapMs + SESSION_END_MARGIN_MS, deps.clock() + (deps.sessionEndSettleMs ?? 0));
  await deps.queues.later({ ...job, kind: 'session_end' }, `session-end.${job.athleteId}.${job.stationId}.${job.setId}`, atMs);

  if (!previous || previous.setId !== job.setId) return { candidates, afterwards };
  const live = { ...previous, open: false, updatedAt: deps.clock(), sessionNsi: folded.point.nsi };
  return { candidates, live: [live], afterwards };
}
