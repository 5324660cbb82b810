// A simulated gym for the dashboards' test, as line protocol from the project's own point builders:
// three athletes in two gyms, two sessions each 28 days apart (so the exposure ratio exists), back squat
// reps segmented from samples (one of them partial) then bench press reps from the device, the NSI model's
// outputs from the pure planner, and coach alerts (one with a station, one without).
import { createHash } from 'node:crypto';
import type { AlertMessage, AlertRule, RepRecord } from '@neurolift/contracts';
import { alertLine } from '@neurolift/alerts-service';
import { MODEL_VERSION, athleteSetKey, planAthleteUpdate, velocityLosses, type AthleteProfileInput, type AthleteSet } from '@neurolift/stimulus';
import { repLine } from '@neurolift/stimulus-worker';
import { athleteLines } from '@neurolift/stimulus-worker';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const REP_GAP_MS = 4_000;
/** The later sessions' UTC day, 2025-03-31; the earlier ones are 28 days before. */
const LAST_DAY = Date.UTC(2025, 2, 31);
const SESSION_DAYS = [LAST_DAY - 28 * DAY_MS, LAST_DAY];

interface AthletePlan {
  readonly athleteId: string;
  readonly gymId: string;
  readonly squatStation: string;
  readonly benchStation: string;
  readonly profile: AthleteProfileInput;
  /** UTC hour the athlete's sessions start. */
  readonly startHour: number;
}

const ATHLETES: readonly AthletePlan[] = [
  { athleteId: 'a-01', gymId: 'gym-north', squatStation: 'rack-1', benchStation: 'bench-1', profile: { bodyMassKg: 80, oneRepMaxKg: { back_squat: 140, bench_press: 100 } }, startHour: 10 },
  // No profile: the model assumes 75 kg and says so (default_body_mass).
  { athleteId: 'a-02', gymId: 'gym-north', squatStation: 'rack-2', benchStation: 'bench-1', profile: {}, startHour: 12 },
  { athleteId: 'a-03', gymId: 'gym-south', squatStation: 'rack-1', benchStation: 'bench-2', profile: { bodyMassKg: 70 }, startHour: 17 },
];

/** One set as a device (or the segmenter) reports it. */
interface SimulatedSet {
  readonly athlete: AthletePlan;
  readonly stationId: string;
  readonly setId: string;
  readonly exercise: 'back_squat' | 'bench_press';
  readonly reps: readonly RepRecord[];
}

export interface SimulatedGym {
  readonly lines: readonly string[];
  /** The earliest and latest point time, epoch ms. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Every tag value written, per dashboard variable. */
  readonly values: { readonly gym: readonly string[]; readonly athlete: readonly string[]; readonly exercise: readonly string[] };
  /** A gym, athlete and exercise that have data together: what a coach would pick. */
  readonly pick: { readonly gym: string; readonly athlete: string; readonly exercise: string };
}

/** Velocities falling linearly through a set: v0, v0 − drop, … */
function fatigue(v0: number, reps: number, drop: number): number[] {
  return Array.from({ length: reps }, (_, index) => v0 - index * drop);
}

function squatSet(athlete: AthletePlan, setId: string, start: number, index: number, last: boolean): SimulatedSet {
  const reps = fatigue(0.58 - index * 0.02, 5, 0.045).map((meanVelocity, i): RepRecord => ({
    gymId: athlete.gymId, stationId: athlete.squatStation, athleteId: athlete.athleteId, setId, exercise: 'back_squat',
    repIndex: i + 1, ts: start + i * REP_GAP_MS, loadKg: 110, meanVelocity, rom: 0.6, concentricMs: 900, eccentricMs: 1500,
    meanPropulsiveVelocity: meanVelocity * 1.06, meanForce: 1850, meanPower: 1850 * meanVelocity, forceSource: 'estimated',
    // The last rep of the session's last squat set is cut short.
    partial: last && i === 4, source: 'samples',
  }));
  return { athlete, stationId: athlete.squatStation, setId, exercise: 'back_squat', reps };
}

function benchSet(athlete: AthletePlan, setId: string, start: number, index: number): SimulatedSet {
  const reps = fatigue(0.72 - index * 0.03, 8, 0.05).map((meanVelocity, i): RepRecord => ({
    gymId: athlete.gymId, stationId: athlete.benchStation, athleteId: athlete.athleteId, setId, exercise: 'bench_press',
    repIndex: i + 1, ts: start + i * REP_GAP_MS, loadKg: 70, meanVelocity, peakVelocity: meanVelocity * 1.4, rom: 0.4,
    concentricMs: 700, eccentricMs: 1200, source: 'device',
  }));
  return { athlete, stationId: athlete.benchStation, setId, exercise: 'bench_press', reps };
}

/** Three squat sets then two bench sets, a set every 4 minutes. */
function session(athlete: AthletePlan, day: number, sessionIndex: number): SimulatedSet[] {
  const start = day + athlete.startHour * 60 * MINUTE_MS;
  const id = (n: number) => `s${sessionIndex}-${n}`;
  return [
    ...[0, 1, 2].map((i) => squatSet(athlete, id(i + 1), start + i * 4 * MINUTE_MS, i, i === 2)),
    ...[0, 1].map((i) => benchSet(athlete, id(i + 4), start + (i + 3) * 4 * MINUTE_MS, i)),
  ];
}

/** The worker's rep points: velocity loss of each rep against the fastest of the set's first three. */
function repLines(set: SimulatedSet): string[] {
  const losses = velocityLosses(set.reps);
  return set.reps.map((rep) => {
    const loss = losses.get(rep.repIndex);
    return repLine(rep, loss === undefined ? undefined : loss * 100);
  });
}

function alert(athlete: AthletePlan, rule: AlertRule, scope: string, fields: Omit<AlertMessage, 'id' | 'rule' | 'gymId' | 'athleteId' | 'model'>): AlertMessage {
  // Alert ids are derived from (athlete, rule, scope) in the service too; any 32 hex digits do here.
  const id = createHash('md5').update(`${athlete.athleteId}/${rule}/${scope}`).digest('hex');
  return { id, rule, gymId: athlete.gymId, athleteId: athlete.athleteId, model: MODEL_VERSION, ...fields };
}

/** A high-fatigue alert on the session's last squat set, and a session-end alert (no station). */
function sessionAlerts(sets: readonly SimulatedSet[]): AlertMessage[] {
  const squat = sets[2] as SimulatedSet;
  const lastRep = squat.reps[squat.reps.length - 1] as RepRecord;
  const lossPct = 100 * (velocityLosses(squat.reps).get(lastRep.repIndex) ?? 0);
  const end = (sets[sets.length - 1]?.reps.at(-1)?.ts ?? lastRep.ts) + 30 * MINUTE_MS;
  const { athlete } = squat;
  return [
    alert(athlete, 'high_fatigue', squat.setId, {
      severity: 'amber', stationId: squat.stationId, setId: squat.setId, exercise: squat.exercise, value: lossPct, threshold: 30, unit: 'percent',
      message: `Athlete ${athlete.athleteId}: velocity loss ${lossPct.toFixed(0)} % in set ${squat.setId} (back_squat), above 30 %`, ts: lastRep.ts,
    }),
    alert(athlete, 'nsi_below_target', `session-${end}`, {
      severity: 'info', value: 35, threshold: 40, unit: 'nsi',
      message: `Athlete ${athlete.athleteId}: session neurotrophic stimulus index (model) 35, below 40`, ts: end,
    }),
  ];
}

function athleteSet(set: SimulatedSet): AthleteSet {
  const reps = set.reps.map(({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs }) => ({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs }));
  return { key: athleteSetKey(set.stationId, set.setId), gymId: set.athlete.gymId, stationId: set.stationId, setId: set.setId, exercise: set.exercise, reps };
}

/** Every point of one athlete: reps, the model's outputs of all their sets at once (what the worker ends up writing), alerts. */
function athleteLinesOf(athlete: AthletePlan): string[] {
  const sessions = SESSION_DAYS.map((day, index) => session(athlete, day, index + 1));
  const sets = sessions.flat();
  const stored = sets.map(athleteSet);
  // changedKey = the earliest set: the planner then returns the outputs of every set, session and day.
  const update = planAthleteUpdate({ sets: stored, storedDailyLoads: new Map(), profile: athlete.profile, changedKey: (stored[0] as AthleteSet).key });
  return [
    ...sets.flatMap(repLines),
    ...athleteLines(athlete.athleteId, update, MODEL_VERSION),
    ...sessions.flatMap(sessionAlerts).map(alertLine),
  ];
}

const timeOf = (line: string): number => Number(line.slice(line.lastIndexOf(' ') + 1));

export function simulateGym(): SimulatedGym {
  const lines = ATHLETES.flatMap(athleteLinesOf);
  const times = lines.map(timeOf);
  return {
    lines,
    fromMs: Math.min(...times),
    toMs: Math.max(...times),
    values: {
      gym: [...new Set(ATHLETES.map((a) => a.gymId))].sort(),
      athlete: ATHLETES.map((a) => a.athleteId).sort(),
      exercise: ['back_squat', 'bench_press'],
    },
    pick: { gym: 'gym-north', athlete: 'a-01', exercise: 'back_squat' },
  };
}
