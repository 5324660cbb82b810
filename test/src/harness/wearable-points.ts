// Reading what the pipeline wrote for an athlete as InfluxDB would hold it (the recording proxy's log:
// the last write of each field of each point), normalised so that two athletes' sessions at different
// times can be compared point for point, and waiting for the pipeline to have done everything.
import { QUEUES } from '@neurolift/contracts';
import { dayOf, endOfDay } from '@neurolift/stimulus';
import { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedPoint, RecordingProxy } from './recording-proxy.js';

export interface FinalPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly ts: number;
  readonly fields: Readonly<Record<string, string>>;
}

const tagKey = (tags: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));

/** Every point the athlete has, its fields merged write after write (InfluxDB merges the fields of a point). */
export function finalPoints(points: readonly RecordedPoint[], athleteId: string): FinalPoint[] {
  const byPoint = new Map<string, FinalPoint>();
  for (const point of points) {
    if (point.tags.athlete !== athleteId) continue;
    const key = `${point.measurement}|${tagKey(point.tags)}|${point.ts}`;
    const before = byPoint.get(key);
    byPoint.set(key, { measurement: point.measurement, tags: point.tags, ts: point.ts, fields: { ...before?.fields, ...point.fields } });
  }
  return [...byPoint.values()].sort((a, b) => a.measurement.localeCompare(b.measurement) || a.ts - b.ts || tagKey(a.tags).localeCompare(tagKey(b.tags)));
}

export interface Normalisation {
  readonly athleteId: string;
  /** Ids replaced in tags and string fields (athlete, stations): the same name for both athletes. */
  readonly rename: Readonly<Record<string, string>>;
  /** The session's time shift, ms: subtracted from every time (and from times in string fields). */
  readonly shiftMs: number;
  /** The session's start: a day's exposure point is timed relative to the end of the session's day. */
  readonly sessionStart: number;
}

/**
 * The athlete's points with the athlete and station ids renamed, times shifted (a day's exposure point
 * relative to the end of the session's day), and session ids replaced by
 * their order of appearance. Alert ids (hashes of the athlete) are dropped.
 */
export function normalise(points: readonly FinalPoint[], options: Normalisation): FinalPoint[] {
  const sessions = new Map<string, string>();
  const renameText = (text: string) => Object.entries(options.rename).reduce((out, [from, to]) => out.split(from).join(to), text);
  return points.map((point) => {
    const tags = Object.fromEntries(Object.entries(point.tags).map(([key, value]) => [key, renameText(value)]));
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(point.fields)) {
      if (key === 'alert_id') continue;
      if (key === 'session_id') {
        if (!sessions.has(value)) sessions.set(value, `"session-${sessions.size + 1}"`);
        fields[key] = sessions.get(value) as string;
        continue;
      }
      fields[key] = renameText(value);
    }
    const ts = point.measurement === 'neurotrophic_exposure' ? point.ts - endOfDay(dayOf(options.sessionStart)) : point.ts - options.shiftMs;
    return { measurement: point.measurement, tags, ts, fields };
  });
}

/** Point counts by measurement (for messages). */
export function countByMeasurement(points: readonly FinalPoint[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const point of points) counts[point.measurement] = (counts[point.measurement] ?? 0) + 1;
  return counts;
}

/** The BullMQ queues of the pipeline, to know when everything published has been done. */
export class PipelineQueues {
  private readonly queues: Queue[];

  constructor(redisUrl: string) {
    const names = [QUEUES.reps, QUEUES.sets, QUEUES.samples, QUEUES.heartRate, QUEUES.alertChecks, QUEUES.alerts];
    this.queues = names.map((name) => new Queue(name, { connection: { url: redisUrl }, prefix: '{nl}' }));
  }

  get(name: string): Queue {
    const queue = this.queues.find((q) => q.name === name);
    if (!queue) throw new Error(`no queue ${name}`);
    return queue;
  }

  /** Jobs waiting or running (delayed ones, such as session-end checks due 2 h after a session, not counted). */
  async pending(): Promise<number> {
    let total = 0;
    for (const queue of this.queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  /**
   * Resolves once `ready()` holds, no job is waiting or running in any queue and the TSDB got no write
   * for `quietMs` (the ingest's batches and set closer included); throws after `timeoutMs`.
   */
  async settled(tsdb: RecordingProxy, ready: () => boolean, { quietMs = 2000, timeoutMs = 90_000 } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = Date.now();
    let seen = tsdb.points().length;
    for (;;) {
      const count = tsdb.points().length;
      const busy = (await this.pending()) > 0;
      if (count !== seen || busy || !ready()) {
        seen = count;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) return;
      if (Date.now() > deadline) throw new Error(`pipeline not settled after ${timeoutMs} ms (ready ${ready()}, pending jobs ${await this.pending()})`);
      await sleep(100);
    }
  }

  /** Runs the delayed jobs of `queue` whose id starts with `prefix` now (e.g. the session-end checks of an athlete). */
  async promote(name: string, prefix: string): Promise<number> {
    const delayed = await this.get(name).getDelayed();
    const mine = delayed.filter((job) => job.id?.startsWith(prefix));
    for (const job of mine) await job.promote();
    return mine.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
