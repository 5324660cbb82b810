// A simulated gym for the dashboards' test, as line protocol from the project's own point builders:
// three athletes in two gyms, two sessions each 28 days apart (so the exposure ratio exists), back squat
// reps segmented from samples (one of them partial) then bench press reps from the device, the NSI model's
// outputs from the pure planner, coach alerts (one with a station, one without), and each athlete's heart
// rate from a strap (device protocol v1.1: `heart_rate` once a second, and the sets' hr_peak and
// hr_recovery_60s as the worker adds them to the set points).
import { createHash } from 'node:crypto';
import { MEASUREMENTS, type AlertMessage, type AlertRule, type RepRecord } from '@neurolift/contracts';
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

/** A session's heart rate once a second, from a minute before its first rep to three minutes after its last. */
interface HeartRateTrace {
  readonly fromMs: number;
  readonly bpm: readonly number[];
}

/**
 * A plausible heart rate: rising in a set towards 150–170 bpm (τ 15 s), recovering towards a standing rate in
 * rest (τ 60 s); resting rate 62, 66, 70 by athlete. Deterministic (no noise).
 */
function heartRateOf(athlete: AthletePlan, sets: readonly SimulatedSet[]): HeartRateTrace {
  const resting = 62 + 4 * ATHLETES.indexOf(athlete);
  const spans = sets.map((set) => ({ from: (set.reps[0]?.ts ?? 0) - 3_000, to: set.reps.at(-1)?.ts ?? 0, peak: set.exercise === 'back_squat' ? 165 : 150 }));
  const fromMs = (spans[0]?.from ?? 0) - MINUTE_MS;
  const toMs = (spans.at(-1)?.to ?? 0) + 3 * MINUTE_MS;
  const bpm: number[] = [];
  let hr = resting + 12;
  for (let ts = fromMs; ts < toMs; ts += 1000) {
    const span = spans.find((s) => s.from <= ts && ts <= s.to);
    const target = span === undefined ? resting + 12 : span.peak;
    hr = target + (hr - target) * Math.exp(-1 / (span === undefined ? 60 : 15));
    bpm.push(Math.round(hr));
  }
  return { fromMs, bpm };
}

/** The strap's `heart_rate` points (tags gym, station, athlete; field bpm), as the worker writes them. */
function heartRateLines(athlete: AthletePlan, trace: HeartRateTrace): string[] {
  const series = `${MEASUREMENTS.heartRate},athlete=${athlete.athleteId},gym=${athlete.gymId},station=hr-${athlete.athleteId}`;
  return trace.bpm.map((bpm, i) => `${series} bpm=${bpm} ${trace.fromMs + i * 1000}`);
}

/**
 * The heart-rate fields the worker adds to a set point (same series and time, so InfluxDB merges them into
 * it): the peak from the set's first rep to 65 s after its last, and the fall to 60 s after the last rep.
 */
function setHeartRateLines(setPoints: readonly string[], sets: readonly SimulatedSet[], trace: HeartRateTrace): string[] {
  const at = (ts: number) => trace.bpm[Math.round((ts - trace.fromMs) / 1000)];
  return setPoints.flatMap((point) => {
    const setId = /set_id="([^"]+)"/.exec(point)?.[1];
    const set = sets.find((s) => s.setId === setId);
    const first = set?.reps[0]?.ts;
    const last = set?.reps.at(-1)?.ts;
    if (first === undefined || last === undefined) return [];
    let peak = 0;
    for (let ts = first; ts <= last + 65_000; ts += 1000) peak = Math.max(peak, at(ts) ?? 0);
    const after = at(last + 60_000) ?? peak;
    return [`${point.slice(0, point.indexOf(' '))} set_id="${setId}",hr_peak=${peak},hr_recovery_60s=${peak - after},hr_recovery_ok=true ${timeOf(point)}`];
  });
}

/** Every point of one athlete: reps, the model's outputs of all their sets at once (what the worker ends up writing), alerts, heart rate. */
function athleteLinesOf(athlete: AthletePlan): string[] {
  const sessions = SESSION_DAYS.map((day, index) => session(athlete, day, index + 1));
  const sets = sessions.flat();
  const stored = sets.map(athleteSet);
  // changedKey = the earliest set: the planner then returns the outputs of every set, session and day.
  const update = planAthleteUpdate({ sets: stored, storedDailyLoads: new Map(), profile: athlete.profile, changedKey: (stored[0] as AthleteSet).key });
  const modelLines = athleteLines(athlete.athleteId, update, MODEL_VERSION);
  const setPoints = modelLines.filter((line) => line.startsWith(`${MEASUREMENTS.set},`));
  const heartRate = sessions.flatMap((sessionSets) => {
    const trace = heartRateOf(athlete, sessionSets);
    return [...heartRateLines(athlete, trace), ...setHeartRateLines(setPoints, sessionSets, trace)];
  });
  return [
    ...sets.flatMap(repLines),
    ...modelLines,
    ...sessions.flatMap(sessionAlerts).map(alertLine),
    ...heartRate,
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
