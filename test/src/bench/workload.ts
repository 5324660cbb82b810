// The load: which rep messages are published, and the publisher threads (publisher.ts) that send them.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { repPayload } from '../harness/pipeline.js';
import type { BenchOptions } from './args.js';
import type { PublisherConnection, PublisherData, PublisherReport } from './publisher.js';

export const GYM = 'bench';
/** A gym's rhythm: a rep every 3 s, a set every 3 min, an athlete hands the station over after 20 sets. */
export const REP_PERIOD_MS = 3000;
export const SET_PERIOD_MS = 3 * 60 * 1000;
export const SETS_PER_SESSION = 20;

interface PublisherPlan {
  readonly topics: string[];
  readonly payloads: string[];
}

type WorkloadOptions = Pick<BenchOptions, 'messages' | 'stations' | 'publishers' | 'repsPerSet' | 'inFlight'>;

/**
 * N rep messages from `stations` stations, split over the publishers by station (so each station's
 * reps stay in order on one connection) and interleaved across a publisher's stations. Each station
 * hosts a sequence of athletes, each doing a session of SETS_PER_SESSION sets of `repsPerSet` reps with
 * realistic rests, so every rep is a distinct point and the model sees sessions of realistic size.
 */
function buildPlan(options: WorkloadOptions, t0: number): PublisherPlan[] {
  const { messages, stations, publishers, repsPerSet } = options;
  const plans: PublisherPlan[] = Array.from({ length: publishers }, () => ({ topics: [], payloads: [] }));
  const perStation = (s: number) => Math.floor(messages / stations) + (s < messages % stations ? 1 : 0);
  const maxPerStation = perStation(0);
  for (let i = 0; i < maxPerStation; i++) {
    for (let s = 0; s < stations; s++) {
      if (i >= perStation(s)) continue;
      const plan = plans[s % publishers] as PublisherPlan;
      const station = `st-${String(s).padStart(4, '0')}`;
      const repIndex = (i % repsPerSet) + 1;
      const set = Math.floor(i / repsPerSet);
      plan.topics.push(`gym/v1/${GYM}/${station}/rep`);
      plan.payloads.push(
        repPayload({
          ts: t0 + set * SET_PERIOD_MS + (repIndex - 1) * REP_PERIOD_MS,
          athleteId: `ath-${s}-${Math.floor(set / SETS_PER_SESSION)}`,
          setId: `set-${set + 1}`,
          repIndex,
          // Slowing through the set (fatigue), always inside the protocol's (0, 5] m/s.
          meanVelocity: Math.round(900 * (1 - (0.5 * (repIndex - 1)) / repsPerSet)) / 1000,
          concentricMs: 700,
          eccentricMs: 1300,
        }),
      );
    }
  }
  return plans;
}

export interface PublishersDone {
  readonly acked: number;
  readonly failed: number;
  readonly errors: string[];
  /** performance.now() when the last publisher reported all its PUBACKs. */
  readonly doneAt: number;
  /** With `timeAcks`: every acknowledged message's publish → PUBACK, ms (by thread, then connection); empty without. */
  readonly latenciesMs: Float64Array;
}

export interface Publishers {
  /** Starts publishing; returns performance.now() just before the start signal. */
  go(): number;
  readonly done: Promise<PublishersDone>;
  terminate(): Promise<void>;
}

/** One worker thread per publisher connection, connected and with its payloads built before the clock starts. */
export function startPublishers(url: string, options: WorkloadOptions, tag: string): Promise<Publishers> {
  // Timestamps in the past, inside the protocol's 7-day window: the last set ends about an hour ago.
  const setsPerStation = Math.ceil(options.messages / options.stations / options.repsPerSet);
  const plans = buildPlan(options, Date.now() - setsPerStation * SET_PERIOD_MS - 60 * 60 * 1000);
  return startPublisherThreads(url, plans.map((plan, i) => [{ clientId: `bench-${tag}-pub-${i}`, topics: plan.topics, payloads: plan.payloads }]), options.inFlight);
}

/**
 * One worker thread per entry of `threads`, each publishing on its connections (each in order, with at most
 * `maxInFlight` unacknowledged per connection); all connected, with their payloads built, before the clock starts.
 * With `timeAcks`, each publish → PUBACK is timed too.
 */
export async function startPublisherThreads(url: string, threads: ReadonlyArray<readonly PublisherConnection[]>, maxInFlight: number, timeAcks = false): Promise<Publishers> {
  const workers: Worker[] = [];
  const ready: Array<Promise<void>> = [];
  const done: Array<Promise<{ acked: number; failed: number; error?: string; at: number; latenciesMs: Float64Array }>> = [];
  for (const [i, connections] of threads.entries()) {
    const data: PublisherData = { url, connections, maxInFlight, timeAcks };
    const worker = new Worker(new URL('./publisher.js', import.meta.url), { workerData: data });
    workers.push(worker);
    let onReady: () => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    ready.push(new Promise<void>((resolve, reject) => { onReady = resolve; fail = reject; }));
    done.push(
      new Promise((resolve, reject) => {
        const failBoth = (error: Error) => { fail(error); reject(error); };
        worker.on('message', (report: PublisherReport) => {
          if (report.type === 'ready') onReady();
          else if (report.type === 'done') {
            resolve({ acked: report.acked, failed: report.failed, ...(report.firstError === undefined ? {} : { error: report.firstError }), at: performance.now(), latenciesMs: report.latenciesMs });
          } else failBoth(new Error(`publisher ${i}: ${report.message}`));
        });
        worker.on('error', (error) => failBoth(error));
        worker.on('exit', (code) => failBoth(new Error(`publisher ${i} exited (${code}) before it finished`)));
      }),
    );
  }
  const all = Promise.all(done).then((results) => ({
    acked: results.reduce((sum, r) => sum + r.acked, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    errors: results.flatMap((r) => (r.error === undefined ? [] : [r.error])),
    doneAt: Math.max(...results.map((r) => r.at)),
    latenciesMs: concat(results.map((r) => r.latenciesMs)),
  }));
  all.catch(() => undefined); // observed by the caller; never an unhandled rejection meanwhile
  try {
    await Promise.all(ready);
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  return {
    go() {
      const at = performance.now();
      for (const worker of workers) worker.postMessage('go');
      return at;
    },
    done: all,
    async terminate() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** The publishers' outcome, waited for at most `graceMs`; `problem` when they did not finish or a publish failed. */
export async function settlePublishers(publishers: Publishers, graceMs = 10_000): Promise<{ done: PublishersDone | undefined; problem: string | undefined }> {
  const done = await Promise.race([publishers.done, sleep(graceMs).then(() => undefined)]);
  if (!done) return { done, problem: 'publishers did not finish' };
  return { done, problem: done.failed > 0 ? `${done.failed} publishes failed: ${done.errors.join('; ')}` : undefined };
}

/** The arrays one after the other. */
function concat(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
