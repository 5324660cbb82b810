// The workloads of issue 13's benchmarks, as one ordered stream of messages per station, each station
// publishing on its own MQTT connection with at most STATION_WINDOW unacknowledged QoS 1 messages (a
// device's window), as fast as that window allows:
//   - gym rhythm: a rep every 3 s, a set every 3 min, a new athlete after 20 sets (workload.ts's rhythm),
//     8 reps a set; athletes are "fresh": nothing stored before their session;
//   - history: athletes who trained daily for weeks (25 sets a day, 3 min apart, one session a day),
//     each on its own station, replayed in time order, so each one's stored history grows through the run;
//   - sessions: stations whose 4 athletes take turns (a set a minute on the station, one every 4 min for
//     each athlete), so each athlete's single session grows to ~125 sets.
// A set closes when the next set's first rep arrives on its station; the last set of every station is
// closed by an `end` event (optional, see `endLastSets`), so every set gets its `set` point without the
// ingest's idle timeout.
import { repPayload } from '../harness/pipeline.js';
import type { PublisherConnection } from './publisher.js';
import { REP_PERIOD_MS, SET_PERIOD_MS, SETS_PER_SESSION, startPublisherThreads, type Publishers } from './workload.js';

/** Unacknowledged QoS 1 messages per station connection, at most (Mosquitto's default receive maximum). */
export const STATION_WINDOW = 20;
export const REPS_PER_SET = 8;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export type WorkloadName = 'gym-rhythm' | 'history' | 'sessions';

export interface StationStream {
  readonly station: string;
  readonly topics: string[];
  readonly payloads: string[];
}

export interface StationWorkload {
  readonly name: WorkloadName;
  readonly gym: string;
  /** One line: what it is, with its sizes. */
  readonly description: string;
  readonly streams: readonly StationStream[];
  /** Rep messages (each a distinct rep point). */
  readonly reps: number;
  /** Sets (each a distinct set point once closed and computed). */
  readonly sets: number;
  /** Every message: reps plus `end` events. */
  readonly messages: number;
  /** The oldest device time in the workload, epoch ms (the pipeline's TIME_MAX_AGE_MS must reach it). */
  readonly oldestTs: number;
}

interface RepSpec {
  readonly ts: number;
  readonly athleteId: string;
  readonly setId: string;
  readonly repIndex: number;
  readonly loadKg: number;
  readonly meanVelocity: number;
}

/** Builds the streams: rep messages in order per station, then an `end` event for each station's last set. */
class Builder {
  private readonly streams = new Map<string, StationStream>();
  private readonly lastRep = new Map<string, RepSpec>();
  private readonly setKeys = new Set<string>();
  private reps = 0;
  private ends = 0;
  private oldest = Number.POSITIVE_INFINITY;

  constructor(private readonly gym: string) {}

  rep(station: string, rep: RepSpec): void {
    const stream = this.stream(station);
    stream.topics.push(`gym/v1/${this.gym}/${station}/rep`);
    stream.payloads.push(repPayload({ ...rep, exercise: 'back_squat', concentricMs: 700, eccentricMs: 1300 }));
    this.lastRep.set(station, rep);
    this.setKeys.add(`${station}|${rep.setId}`);
    this.reps++;
    this.oldest = Math.min(this.oldest, rep.ts);
  }

  /** An `end` event 1 s after the last rep of every station's last set. */
  endLastSets(): void {
    for (const [station, rep] of this.lastRep) {
      const stream = this.stream(station);
      stream.topics.push(`gym/v1/${this.gym}/${station}/set`);
      stream.payloads.push(JSON.stringify({ v: 1, event: 'end', ts: rep.ts + 1000, setId: rep.setId, athleteId: rep.athleteId, exercise: 'back_squat', loadKg: rep.loadKg }));
      this.ends++;
    }
  }

  build(name: WorkloadName, description: string): StationWorkload {
    return {
      name,
      gym: this.gym,
      description,
      streams: [...this.streams.values()],
      reps: this.reps,
      sets: this.setKeys.size,
      messages: this.reps + this.ends,
      oldestTs: this.oldest,
    };
  }

  private stream(station: string): StationStream {
    let stream = this.streams.get(station);
    if (stream === undefined) {
      stream = { station, topics: [], payloads: [] };
      this.streams.set(station, stream);
    }
    return stream;
  }
}

/** Mean velocity of rep `repIndex` at `loadKg`: a plausible load-velocity line, 4 % slower per rep. */
function velocity(loadKg: number, repIndex: number): number {
  const first = Math.max(0.2, 1.4 - 0.008 * loadKg);
  return Math.round(1000 * first * (1 - 0.04 * (repIndex - 1))) / 1000;
}

const pad = (n: number) => String(n).padStart(4, '0');

export interface GymRhythmOptions {
  /** Rep messages in all. */
  readonly messages: number;
  readonly stations: number;
  readonly repsPerSet?: number;
  /** Close every station's last set with an `end` event (the set benchmarks); off for the rep path. */
  readonly endLastSets: boolean;
  readonly now?: number;
}

/** The gym rhythm (workload.ts): a rep every 3 s, a set every 3 min, a new athlete after 20 sets; 8 reps a set. */
export function gymRhythm(options: GymRhythmOptions): StationWorkload {
  const { messages, stations } = options;
  const repsPerSet = options.repsPerSet ?? REPS_PER_SET;
  const perStation = (s: number) => Math.floor(messages / stations) + (s < messages % stations ? 1 : 0);
  const setsPerStation = Math.ceil(perStation(0) / repsPerSet);
  // In the past, inside the protocol's default 7-day window: the last set ends about an hour ago.
  const t0 = (options.now ?? Date.now()) - setsPerStation * SET_PERIOD_MS - 60 * MINUTE_MS;
  const builder = new Builder('bench');
  for (let s = 0; s < stations; s++) {
    const station = `st-${pad(s)}`;
    for (let i = 0; i < perStation(s); i++) {
      const set = Math.floor(i / repsPerSet);
      const repIndex = (i % repsPerSet) + 1;
      builder.rep(station, {
        ts: t0 + set * SET_PERIOD_MS + (repIndex - 1) * REP_PERIOD_MS,
        athleteId: `ath-${s}-${Math.floor(set / SETS_PER_SESSION)}`,
        setId: `set-${set + 1}`,
        repIndex,
        loadKg: 100,
        meanVelocity: velocity(100, repIndex),
      });
    }
  }
  if (options.endLastSets) builder.endLastSets();
  return builder.build(
    'gym-rhythm',
    `gym rhythm: ${messages.toLocaleString('en-US')} reps from ${stations} stations, ${repsPerSet} reps a set, a set every 3 min, a new athlete after ${SETS_PER_SESSION} sets`,
  );
}

export interface HistoryOptions {
  readonly athletes: number;
  readonly days: number;
  readonly setsPerDay: number;
  readonly repsPerSet?: number;
  readonly now?: number;
}

/**
 * Athletes who trained every day for `days` days, one session a day of `setsPerDay` sets 3 min apart (16:00
 * UTC on, so a session stays within its UTC day), each athlete on its own station; the last day is yesterday.
 * Loads: two warm-up sets (60 and 80 kg), then working sets that rise 2.5 kg a week.
 */
export function history(options: HistoryOptions): StationWorkload {
  const { athletes, days, setsPerDay } = options;
  const repsPerSet = options.repsPerSet ?? REPS_PER_SET;
  const today = Math.floor((options.now ?? Date.now()) / DAY_MS) * DAY_MS;
  const builder = new Builder('bench-hist');
  for (let a = 0; a < athletes; a++) {
    const station = `hs-${pad(a)}`;
    for (let d = 0; d < days; d++) {
      const sessionStart = today - (days - d) * DAY_MS + 16 * 60 * MINUTE_MS + a * 2 * MINUTE_MS;
      for (let k = 0; k < setsPerDay; k++) {
        const loadKg = k === 0 ? 60 : k === 1 ? 80 : 100 + 2.5 * Math.floor(d / 7);
        for (let r = 1; r <= repsPerSet; r++) {
          builder.rep(station, {
            ts: sessionStart + k * SET_PERIOD_MS + (r - 1) * REP_PERIOD_MS,
            athleteId: `hist-${a}`,
            setId: `d${d + 1}-s${k + 1}`,
            repIndex: r,
            loadKg,
            meanVelocity: velocity(loadKg, r),
          });
        }
      }
    }
  }
  builder.endLastSets();
  return builder.build(
    'history',
    `history: ${athletes} athletes who trained daily for ${days} days (${setsPerDay} sets a day, ${repsPerSet} reps a set, 3 min apart, one session a day), replayed in time order`,
  );
}

export interface SessionsOptions {
  readonly stations: number;
  readonly athletesPerStation: number;
  readonly setsPerAthlete: number;
  readonly repsPerSet?: number;
  readonly now?: number;
}

/**
 * Stations whose athletes take turns: a set a minute on each station, athlete `j mod athletesPerStation`
 * doing set j, so each athlete rests ~4 min between sets and its one session grows to `setsPerAthlete`
 * sets. The day: two days ago from 01:00 UTC (500 min for 4 × 125 sets: within one UTC day).
 */
export function sessions(options: SessionsOptions): StationWorkload {
  const { stations, athletesPerStation, setsPerAthlete } = options;
  const repsPerSet = options.repsPerSet ?? REPS_PER_SET;
  const start = Math.floor((options.now ?? Date.now()) / DAY_MS) * DAY_MS - 2 * DAY_MS + 60 * MINUTE_MS;
  const builder = new Builder('bench-ses');
  const setsPerStation = athletesPerStation * setsPerAthlete;
  for (let s = 0; s < stations; s++) {
    const station = `ss-${pad(s)}`;
    for (let j = 0; j < setsPerStation; j++) {
      const athlete = j % athletesPerStation;
      const loadKg = 80 + 10 * athlete;
      for (let r = 1; r <= repsPerSet; r++) {
        builder.rep(station, {
          ts: start + j * MINUTE_MS + (r - 1) * REP_PERIOD_MS,
          athleteId: `ses-${s}-${athlete}`,
          setId: `set-${j + 1}`,
          repIndex: r,
          loadKg,
          meanVelocity: velocity(loadKg, r),
        });
      }
    }
  }
  builder.endLastSets();
  return builder.build(
    'sessions',
    `sessions: ${stations} stations whose ${athletesPerStation} athletes take turns (a set a minute on a station), ${setsPerAthlete} sets in each athlete's one session, ${repsPerSet} reps a set`,
  );
}

/**
 * Each station on its own MQTT connection with at most `window` unacknowledged messages, the stations
 * spread over `threads` publisher threads; connected, with their payloads built, before the clock starts.
 */
export function startStationPublishers(url: string, workload: StationWorkload, tag: string, threads = 2, window = STATION_WINDOW): Promise<Publishers> {
  const perThread: PublisherConnection[][] = Array.from({ length: Math.min(threads, workload.streams.length) }, () => []);
  workload.streams.forEach((stream, i) => {
    perThread[i % perThread.length]?.push({ clientId: `${tag}-${stream.station}`, topics: stream.topics, payloads: stream.payloads });
  });
  return startPublisherThreads(url, perThread, window);
}
