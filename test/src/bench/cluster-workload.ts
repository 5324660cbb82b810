// The load of bench-cluster: the gym rhythm (workload.ts: a rep every 3 s, a set every 3 min, a new
// athlete on a station after 20 sets; 8 reps a set) over many gyms, so the gyms' keys spread over the shards
// (a gym's shard is a hash of its tenant and id, an athlete's of its id). A set closes when the next set's
// first rep arrives on its station; every station's last set is closed by an `end` event. Each station
// publishes on its own MQTT connection with at most STATION_WINDOW unacknowledged QoS 1 messages, the
// stations spread over publisher threads (publisher.ts) that also time each publish → PUBACK.
import { repPayload } from '../harness/pipeline.js';
import type { PublisherConnection } from './publisher.js';
import { REPS_PER_SET, STATION_WINDOW } from './station-workloads.js';
import { REP_PERIOD_MS, SET_PERIOD_MS, SETS_PER_SESSION, startPublisherThreads, type Publishers } from './workload.js';

/** Gyms are `cb-g00`…; the TSDB counts select them by this. */
export const CLUSTER_GYM_PREFIX = 'cb-g';
/** Athletes are `ath-…` (tsdb-counts.ts's BENCH_ATHLETES matches them). */
export const CLUSTER_ATHLETES = 'ath-cb-.*';

export interface ClusterWorkloadOptions {
  readonly gyms: number;
  readonly stations: number;
  /** Rep messages wanted; rounded down to whole sets on every station. */
  readonly reps: number;
  readonly now?: number;
}

export interface ClusterWorkload {
  readonly description: string;
  readonly gyms: string[];
  readonly connections: PublisherConnection[];
  readonly reps: number;
  readonly sets: number;
  /** Reps plus one `end` event per station. */
  readonly messages: number;
  readonly oldestTs: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function clusterWorkload(options: ClusterWorkloadOptions, tag: string): ClusterWorkload {
  const { gyms: gymCount, stations } = options;
  const setsPerStation = Math.floor(options.reps / (stations * REPS_PER_SET));
  if (setsPerStation < 1) throw new Error(`--reps ${options.reps} is less than one set of ${REPS_PER_SET} reps on each of ${stations} stations`);
  // In the past, inside the protocol's default 7-day window: the last set ends about an hour ago.
  const t0 = (options.now ?? Date.now()) - setsPerStation * SET_PERIOD_MS - 60 * 60_000;
  const gyms = Array.from({ length: gymCount }, (_, g) => `${CLUSTER_GYM_PREFIX}${pad(g, 2)}`);
  const connections: PublisherConnection[] = [];
  for (let s = 0; s < stations; s++) {
    const gym = gyms[s % gymCount] as string;
    const station = `st-${pad(s, 3)}`;
    const topics: string[] = [];
    const payloads: string[] = [];
    let last = { ts: 0, setId: '', athleteId: '' };
    for (let set = 0; set < setsPerStation; set++) {
      const athleteId = `ath-cb-${s}-${Math.floor(set / SETS_PER_SESSION)}`;
      const setId = `set-${set + 1}`;
      for (let r = 1; r <= REPS_PER_SET; r++) {
        const ts = t0 + set * SET_PERIOD_MS + (r - 1) * REP_PERIOD_MS;
        topics.push(`gym/v1/${gym}/${station}/rep`);
        // Slowing through the set (fatigue), inside the protocol's (0, 5] m/s.
        payloads.push(repPayload({ ts, athleteId, setId, repIndex: r, loadKg: 100, meanVelocity: Math.round(600 * (1 - 0.04 * (r - 1))) / 1000, concentricMs: 700, eccentricMs: 1300 }));
        last = { ts, setId, athleteId };
      }
    }
    topics.push(`gym/v1/${gym}/${station}/set`);
    payloads.push(JSON.stringify({ v: 1, event: 'end', ts: last.ts + 1000, setId: last.setId, athleteId: last.athleteId, exercise: 'back_squat', loadKg: 100 }));
    connections.push({ clientId: `${tag}-${station}`, topics, payloads });
  }
  const reps = stations * setsPerStation * REPS_PER_SET;
  return {
    description: `gym rhythm over ${gymCount} gyms: ${stations} stations (${Math.ceil(stations / gymCount)} or fewer a gym), ${setsPerStation} sets of ${REPS_PER_SET} reps each, ` +
      `a new athlete after ${SETS_PER_SESSION} sets, every station's last set closed by an end event`,
    gyms,
    connections,
    reps,
    sets: stations * setsPerStation,
    messages: reps + stations,
    oldestTs: t0,
  };
}

/**
 * The workload's stations over `threads` publisher threads, connected with their payloads built before the clock
 * starts; each publish → PUBACK timed (`latenciesMs` of `done`).
 */
export function startLatencyPublishers(url: string, workload: ClusterWorkload, threads = 2, window = STATION_WINDOW): Promise<Publishers> {
  const perThread: PublisherConnection[][] = Array.from({ length: Math.min(threads, workload.connections.length) }, () => []);
  workload.connections.forEach((connection, i) => perThread[i % perThread.length]?.push(connection));
  return startPublisherThreads(url, perThread, window, true);
}

/** The q-quantile (0…1) of the values, by the nearest rank; NaN when empty. */
export function quantile(values: Float64Array | readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
