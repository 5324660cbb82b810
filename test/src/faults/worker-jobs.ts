// Helpers of the worker faults: recognising a set job's write in a fault proxy, waiting for a held write,
// and reading the job's state in BullMQ.
import { setJobId } from '@neurolift/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { setName, stationName, type StreamPlan } from '../harness/device-stream.js';
import type { FaultProxy, HeldWrite } from '../harness/fault-proxy.js';
import { waitFor } from '../harness/servers.js';
import type { FaultEnv } from './fault-env.js';

/** BullMQ worker defaults the pipeline keeps: lock 30 s, stalled check every 30 s, one stall allowed. */
export const LOCK_DURATION_MS = 30_000;
export const STALLED_INTERVAL_MS = 30_000;

export interface TargetSet {
  readonly station: string;
  readonly setId: string;
  readonly jobId: string;
}

export function targetSet(plan: StreamPlan, station: number, set: number): TargetSet {
  const stationId = stationName(plan.gym, station);
  return { station: stationId, setId: setName(set), jobId: setJobId(plan.gym, stationId, setName(set), 0) };
}

/** True for the write of the set's job: the one body holding its `set` point. */
export function isSetWrite(target: TargetSet): (body: string) => boolean {
  const pattern = new RegExp(`^set,[^ ]*station=${target.station}[, ].*set_id="${target.setId}"`, 'm');
  return (body) => pattern.test(body);
}

/**
 * The next write of the target set through any of `proxies`, held there, with the index of the proxy
 * (so of the worker) that saw it; fails after `timeoutMs`.
 */
export async function nextHeldWrite(proxies: readonly FaultProxy[], target: TargetSet, timeoutMs: number): Promise<{ held: HeldWrite; by: number }> {
  const timer = new AbortController();
  const timeout = sleep(timeoutMs, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`no write of ${target.jobId} within ${timeoutMs} ms`);
  });
  try {
    return await Promise.race([...proxies.map((proxy, by) => proxy.hold(isSetWrite(target)).then((held) => ({ held, by }))), timeout]);
  } finally {
    timer.abort();
    for (const proxy of proxies) proxy.cancelHold();
  }
}

/**
 * A set job of the same athlete stays active while it waits for the athlete's lock, which the target holds:
 * up to 10 s (LOCK_WAIT_MS in services/stimulus process-set.ts), then it fails and retries with backoff.
 */
const ATHLETE_LOCK_WAIT_MS = 10_000;

/**
 * Waits until the target job is the only job running. Other jobs the killed worker was running still look
 * active until a stalled check moves them back (one interval after the target's, when their locks were
 * taken later), and the athlete's other set jobs then wait for its lock, which the target holds.
 */
export async function awaitOnlyActive(env: FaultEnv, target: TargetSet): Promise<void> {
  await waitFor(
    async () => {
      const [reps, sets] = await Promise.all([env.queues.reps.getActive(), env.queues.sets.getActive()]);
      if (reps.length === 0 && sets.length === 1 && sets[0]?.id === target.jobId) return true;
      // Thrown, not returned: a timeout then names what was still running.
      throw new Error(`active: reps ${reps.map((job) => job.id).join(', ') || '-'}; sets ${sets.map((job) => job.id).join(', ') || '-'}`);
    },
    { what: `${target.jobId} to be the only active job`, timeoutMs: STALLED_INTERVAL_MS + 3 * ATHLETE_LOCK_WAIT_MS, intervalMs: 20 },
  );
}

/** The job's BullMQ state and failure reason, once it is finished either way. */
export async function awaitFinished(env: FaultEnv, target: TargetSet, timeoutMs: number): Promise<{ state: string; failedReason: string | undefined; attemptsMade: number }> {
  return waitFor(
    async () => {
      const job = await env.queues.sets.getJob(target.jobId);
      const state = job ? await job.getState() : undefined;
      if (!job || (state !== 'completed' && state !== 'failed')) return undefined;
      return { state, failedReason: job.failedReason || undefined, attemptsMade: job.attemptsMade };
    },
    { what: `${target.jobId} to finish`, timeoutMs, intervalMs: 250 },
  );
}
