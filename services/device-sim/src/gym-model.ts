import type { RepMessage, SetMessage, StatusMessage } from '@neurolift/contracts';
import { EXERCISES, type ExerciseProfile } from './exercises.js';
import { hashString, hex, integer, mulberry32, uniform, type Random } from './prng.js';
import { planReps, planScheme, type PlannedRep, type SetScheme } from './set-plan.js';

/** Protocol messages without `v` (the device client adds it) and `ts` (stamped when published). */
export type RepPlan = Omit<RepMessage, 'v' | 'ts'>;
export type SetPlan = Omit<SetMessage, 'v' | 'ts'>;
export type StatusPlan = Omit<StatusMessage, 'v' | 'ts'>;

/** One thing a station says, `atMs` after the simulation starts (simulated time, before speed-up). */
export type TimelineEvent =
  | { readonly atMs: number; readonly kind: 'rep'; readonly message: RepPlan }
  | { readonly atMs: number; readonly kind: 'set'; readonly message: SetPlan }
  | { readonly atMs: number; readonly kind: 'status'; readonly message: StatusPlan };

export interface SimAthlete {
  readonly id: string;
  readonly bodyMassKg: number;
  /** 1RM per exercise id, kg. */
  readonly oneRmKg: Readonly<Record<string, number>>;
}

export interface SimStation {
  readonly id: string;
  readonly exercise: string;
  readonly model: string;
  readonly firmware: string;
  /** false: the station sends no `set` start/end, so the pipeline's idle timeout must close its sets. */
  readonly sendsSetEvents: boolean;
  /** true: the station reports a short power loss (`status` offline, then online) in the rest after its first set. */
  readonly blips: boolean;
}

export interface PlannedSet {
  readonly setId: string;
  readonly scheme: SetScheme;
  readonly reps: readonly PlannedRep[];
}

export interface StationTimeline {
  readonly station: SimStation;
  readonly athlete: SimAthlete;
  readonly sets: readonly PlannedSet[];
  /** Sorted by atMs. */
  readonly events: readonly TimelineEvent[];
  /** atMs of the last event. */
  readonly durationMs: number;
}

export interface PlanGymOptions {
  /** Default `demo-gym`. Part of every station id, so gyms never share a station. */
  readonly gymId?: string;
  readonly stations: number;
  readonly setsPerStation: number;
  readonly seed: number;
  /**
   * Tells runs apart: part of every setId, so replaying a seed does not collide with the sets of an
   * earlier run (the pipeline stores a rep once per station, set and repIndex). Default `r0`; at most 40 characters of the id rule.
   */
  readonly runId?: string;
  /** Every station omits `set` events (default: every third station does). */
  readonly omitSetEvents?: boolean;
  /** Rest between sets, [min, max) ms of simulated time. Default 90–180 s. */
  readonly restMs?: readonly [number, number];
}

const DEFAULT_REST_MS: readonly [number, number] = [90_000, 180_000];
const RUN_ID = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Plans a whole simulated gym: per station one athlete doing `setsPerStation` sets of one exercise at
 * one load, as timelines of protocol messages. Pure and deterministic: the same options give the same
 * plan (athletes included, so repeated demo runs build up the same athletes' history).
 */
export function planGym(options: PlanGymOptions): StationTimeline[] {
  const gymId = options.gymId ?? 'demo-gym';
  const runId = options.runId ?? 'r0';
  if (!RUN_ID.test(runId)) throw new Error(`runId must be 1 to 40 characters of A-Z a-z 0-9 _ -, got "${runId}"`);
  const random = mulberry32(hashString(gymId) ^ options.seed);
  const athleteIds = new Set<string>();
  const timelines: StationTimeline[] = [];
  for (let index = 0; index < options.stations; index++) {
    const exercise = EXERCISES[index % EXERCISES.length] ?? EXERCISES[0]!;
    const station = createStation(gymId, index, exercise, {
      sendsSetEvents: !options.omitSetEvents && index % 3 !== 2,
      blips: index % 4 === 3 && options.setsPerStation > 1,
    });
    const athlete = createAthlete(random, athleteIds);
    timelines.push(planStation(random, { station, athlete, exercise, runId, sets: options.setsPerStation, restMs: options.restMs ?? DEFAULT_REST_MS }));
  }
  return timelines;
}

function createStation(
  gymId: string,
  index: number,
  exercise: ExerciseProfile,
  behaviour: { readonly sendsSetEvents: boolean; readonly blips: boolean },
): SimStation {
  return {
    id: `${gymId.slice(0, 52)}-st${String(index + 1).padStart(3, '0')}`,
    exercise: exercise.id,
    model: behaviour.sendsSetEvents ? 'rack-pro' : 'bar-sense-lite',
    firmware: behaviour.sendsSetEvents ? '2.4.1' : '1.0.3',
    ...behaviour,
  };
}

/** An athlete of 55–110 kg with a 1RM for every exercise; ids are pseudonymous (`a-` + 8 hex digits). */
export function createAthlete(random: Random, taken: Set<string> = new Set()): SimAthlete {
  let id: string;
  do id = `a-${hex(random, 8)}`;
  while (taken.has(id));
  taken.add(id);
  const bodyMassKg = Math.round(uniform(random, 55, 110) * 2) / 2;
  const oneRmKg: Record<string, number> = {};
  for (const exercise of EXERCISES) {
    const [weak, strong] = exercise.strengthRatio;
    oneRmKg[exercise.id] = Math.round((bodyMassKg * uniform(random, weak, strong)) / 2.5) * 2.5;
  }
  return { id, bodyMassKg, oneRmKg };
}

interface StationPlanInput {
  readonly station: SimStation;
  readonly athlete: SimAthlete;
  readonly exercise: ExerciseProfile;
  readonly runId: string;
  readonly sets: number;
  readonly restMs: readonly [number, number];
}

function planStation(random: Random, input: StationPlanInput): StationTimeline {
  const { station, athlete, exercise } = input;
  const scheme = planScheme(random, athlete.oneRmKg[exercise.id] ?? 100);
  // The device client announces `online: true` itself on every connect; the timeline only adds what
  // the equipment would say on its own.
  const events: TimelineEvent[] = [];
  const sets: PlannedSet[] = [];
  const hardware = { model: station.model, firmware: station.firmware };
  let clock = integer(random, 1000, 15_000); // stations do not all start at once
  for (let setIndex = 0; setIndex < input.sets; setIndex++) {
    if (setIndex > 0) {
      const restMs = Math.round(uniform(random, input.restMs[0], input.restMs[1]));
      if (station.blips && setIndex === 1) {
        const offAt = clock + Math.round(restMs * uniform(random, 0.2, 0.4));
        events.push({ atMs: offAt, kind: 'status', message: { online: false, ...hardware } });
        const downMs = Math.min(integer(random, 5000, 20_000), Math.round(restMs * 0.5)); // back before the next set
        events.push({ atMs: offAt + downMs, kind: 'status', message: { online: true, ...hardware } });
      }
      clock += restMs;
    }
    const setId = `s-${input.runId}-${String(setIndex + 1).padStart(2, '0')}`;
    const reps = planReps(random, exercise, scheme, setIndex);
    sets.push({ setId, scheme, reps });
    const common = { setId, athleteId: athlete.id, exercise: exercise.id, loadKg: scheme.loadKg };
    if (station.sendsSetEvents) events.push({ atMs: clock, kind: 'set', message: { event: 'start', ...common } });
    for (const rep of reps) {
      clock += rep.pauseBeforeMs + rep.eccentricMs + rep.concentricMs; // a rep's ts is the end of its concentric phase
      const { repIndex, meanVelocity, peakVelocity, rom, concentricMs, eccentricMs } = rep;
      events.push({ atMs: clock, kind: 'rep', message: { ...common, repIndex, meanVelocity, peakVelocity, rom, concentricMs, eccentricMs } });
    }
    clock += integer(random, 1500, 4000); // re-racking
    if (station.sendsSetEvents) events.push({ atMs: clock, kind: 'set', message: { event: 'end', ...common } });
  }
  const last = events[events.length - 1];
  return { station, athlete, sets, events, durationMs: last?.atMs ?? 0 };
}
