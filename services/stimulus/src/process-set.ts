import type { RepRecord, SetJob } from '@neurolift/contracts';
import { athleteSetKey, setSpan, type AthleteSet, type ModelConstants } from '@neurolift/stimulus';
import type { FoldStart } from './athlete/fold-plan.js';
import { refold } from './athlete/refold.js';
import { recountMinutes, recountRange } from './heart-rate/aerobic-minutes.js';
import type { AthleteStore, HeartRateStore } from '@neurolift/storage';
import { writeHeartRateFields } from './heart-rate/set-heart-rate.js';
import { repLine } from './points.js';
import type { PointSink, SetStore } from './ports.js';

export interface SetJobDeps {
  readonly sets: SetStore;
  readonly athletes: AthleteStore;
  readonly sink: PointSink;
  readonly constants: ModelConstants;
  /** Written as `model` next to every value: the model version, or that version with overrides. */
  readonly modelId: string;
  /** The athletes' heart rate (v1.1): the set point's heart-rate fields when it came before the set closed. */
  readonly heartRate?: HeartRateStore | undefined;
  /**
   * Whether the set's athlete may be stored for the set's gym (tenancy: it belongs to the gym's tenant);
   * absent: always. Asked before anything of the athlete is read or written.
   */
  readonly admits?: ((athleteId: string) => Promise<boolean>) | undefined;
}

export interface SetJobResult {
  readonly reps: number;
  readonly athleteId?: string;
  readonly minutes?: number;
  /** The athlete belongs to another tenant than the set's gym: nothing was written; the set's reps, for its dead letter. */
  readonly notAllowed?: readonly RepRecord[];
}

/** How long a set job waits for another worker updating the same athlete, ms. */
const LOCK_WAIT_MS = 10_000;
const MINUTE_MS = 60_000;

function athleteSet(job: SetJob, reps: readonly RepRecord[], last: RepRecord): AthleteSet {
  return {
    key: athleteSetKey(job.stationId, job.setId),
    gymId: job.gymId,
    stationId: job.stationId,
    setId: job.setId,
    exercise: last.exercise,
    reps: reps.map(({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs }) => ({
      repIndex,
      ts,
      loadKg,
      meanVelocity,
      ...(rom === undefined ? {} : { rom }),
      ...(concentricMs === undefined ? {} : { concentricMs }),
      ...(eccentricMs === undefined ? {} : { eccentricMs }),
    })),
  };
}

/** The set as stored before this close: only a re-close (a late rep) can find it stored already. */
async function storedVersion(job: SetJob, athleteId: string, key: string, athletes: AthleteStore): Promise<AthleteSet | undefined> {
  return job.revision > 0 ? (await athletes.record(athleteId, key))?.set : undefined;
}

/** Where the set's point stays: the last rep's ts when the set first closed (sets stored before `pointTs` existed had their point there too). */
function withPointTs(set: AthleteSet, previous: AthleteSet | undefined): AthleteSet {
  return { ...set, pointTs: previous?.pointTs ?? setSpan(previous ?? set).lastTs };
}

/** An activity whose checkpoint this set job may make stale: its key, its place in the order, its own time (FoldStart.ts). */
interface Changed {
  readonly key: string;
  readonly orderTs: number;
  readonly ts: number;
}

/**
 * The activities the stored version of a re-closed set came before and the set now comes after: a late rep
 * moved its last rep past them (a minute of heart rate ends every minute, another station's set may end
 * between). Their checkpoints hold the stored version, so a fold from the set's new place would count it twice.
 */
async function passedActivities(athleteId: string, previous: AthleteSet | undefined, set: AthleteSet, athletes: AthleteStore): Promise<Changed[]> {
  if (previous === undefined || previous.reps.length === 0) return [];
  const from = setSpan(previous).lastTs;
  const to = setSpan(set).lastTs;
  if (!(to > from)) return [];
  const [sets, minutes] = await Promise.all([athletes.entries(athleteId, undefined, from, to), athletes.aerobicMinutes(athleteId, Math.floor(from / MINUTE_MS), Math.floor(to / MINUTE_MS))]);
  return [
    ...sets.filter((entry) => entry.key !== set.key).map((entry) => ({ key: entry.key, orderTs: entry.lastTs, ts: entry.firstTs })),
    ...minutes.filter((minute) => minute.ts >= from && minute.ts < to).map((minute) => ({ key: minute.key, orderTs: minute.ts, ts: minute.ts })),
  ];
}

/** The fold starts at the first changed activity before the set in the model's order (time, then key), else at the set. */
function foldStartOf(set: AthleteSet, changed: readonly Changed[]): FoldStart {
  const lastTs = setSpan(set).lastTs;
  const first = changed.filter((activity) => activity.orderTs < lastTs).sort((a, b) => a.orderTs - b.orderTs || (a.key < b.key ? -1 : 1))[0];
  return first === undefined ? { set } : { key: first.key, ts: first.ts, pending: set.key };
}

/**
 * A closed set: stores it in its athlete's state (keyed by set, so a re-run changes nothing), folds it into
 * the state from the checkpoint of the set before it (and folds the later sets again, if it came late:
 * decision 0014) and writes the outputs: the set point with its model terms, the set's final rep points,
 * the session NSI, the day's exposure and the acute window. One worker at a time updates an athlete (a
 * Redis lock), so no stale value is written over a fresh one; should the lock expire mid-update, the
 * version check sees the newer state and the fold is planned and written again. A set whose athlete
 * belongs to another tenant (`admits`) changes nothing and comes back as `notAllowed`.
 */
export async function processSet(job: SetJob, deps: SetJobDeps): Promise<SetJobResult> {
  const closed = await deps.sets.closedSet(job.stationId, job.setId);
  const reps = closed.reps.sort((a, b) => a.repIndex - b.repIndex);
  // The rep points already hold their final velocity loss when the reps came in order and the set closed
  // for the first time; segmented reps and anything else are written again with the set's.
  const rewriteReps = job.revision > 0 || !closed.repsInOrder || reps.some((rep) => rep.source !== 'device');
  const last = reps[reps.length - 1];
  if (!last) return { reps: 0 };
  const athleteId = last.athleteId;
  if (deps.admits !== undefined && !(await deps.admits(athleteId))) return { reps: reps.length, athleteId, notAllowed: reps };
  const candidate = athleteSet(job, reps, last);

  const update = async (): Promise<{ reps: number; athleteId: string; minutes: number }> => {
    const previous = await storedVersion(job, athleteId, candidate.key, deps.athletes);
    const set = withPointTs(candidate, previous);
    const passed = await passedActivities(athleteId, previous, set, deps.athletes);
    // Stored with where its fold starts: a retry finds the set stored (its previous version gone) and folds from there.
    const passedStart = foldStartOf(set, passed);
    await deps.athletes.putSet(athleteId, set, 'set' in passedStart ? undefined : passedStart.key);
    // Minutes of heart rate in the set's resistance interval may no longer count (model nsi-1.1).
    // Only for an athlete with heart rate kept (one EXISTS): equipment-only athletes pay nothing more per set.
    const hr = deps.heartRate !== undefined && (await deps.heartRate.has(athleteId)) ? deps.heartRate : undefined;
    const minutes = hr === undefined ? [] : await recountMinutes(athleteId, set, { ...deps, heartRate: hr });
    const start = foldStartOf(set, [...minutes.map((minute) => ({ key: minute.key, orderTs: minute.ts, ts: minute.ts })), ...passed]);
    const recount = hr === undefined ? undefined : (id: string, fromTs: number, toTs: number) => recountRange(id, fromTs, toTs, { ...deps, heartRate: hr });
    await refold(athleteId, start, { ...deps, recount }, ({ update: outputs }) => {
      const thisSet = outputs.sets.find((entry) => entry.set.key === set.key);
      const losses = new Map(thisSet?.model.perRep.map((rep) => [rep.repIndex, rep.velocityLoss * 100]));
      return rewriteReps ? reps.map((rep) => repLine(rep, losses.get(rep.repIndex))) : [];
    });
    // Heart rate that came before the set closed (a strap's blocks, often uploaded first): its fields now, and
    // those of a set just before whose recovery window this set starts in (its recovery no longer applies).
    if (hr !== undefined) await writeHeartRateFields(athleteId, set, { athletes: deps.athletes, heartRate: hr, constants: deps.constants, sink: deps.sink });
    return { reps: reps.length, athleteId, minutes: minutes.length };
  };
  // Sets of one athlete waiting together take the lock earliest first: folded in order, none late by a race.
  return deps.athletes.withLock(athleteId, LOCK_WAIT_MS, update, { key: candidate.key, lastTs: setSpan(candidate).lastTs });
}
