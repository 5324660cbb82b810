import { JOB_OPTIONS, SetJob, heartRateJobId, samplesDedupId, type AlertCheckJob, type HeartRateJob, type RedisKeys, type SamplesJob } from '@neurolift/contracts';
import { Job, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { replyValues, type RedisClient } from '@neurolift/storage';
import type { ClosingStore, DeadLetter, IntakeCommit, IntakeStore, SetOp } from '../ports.js';
import { APPLY_SET_OPS, CLOSE_IDLE_SETS, HOLD_LOCK, REMOVE_CLOSING_IF_OWNER } from './set-state-scripts.js';

export interface RedisIntakeDeps {
  readonly redis: RedisClient;
  /** Queues created on the same connection as `redis`, so one MULTI can hold their adds. */
  readonly repsQueue: Queue;
  readonly samplesQueue: Queue;
  readonly heartRateQueue: Queue;
  readonly alertChecksQueue: Queue;
  readonly keys: RedisKeys;
  readonly setIdleTimeoutMs: number;
  readonly deadLetterMax: number;
  /** Replicas that must acknowledge each commit (Redis WAIT) before it counts as done; 0: none. */
  readonly waitReplicas?: number;
  readonly waitTimeoutMs?: number;
  /** Called when WAIT came back with fewer replicas than asked (the commit is then retried). */
  readonly onReplicaShortfall?: (replicas: number) => void;
  /** How long set state is kept after its last change: the protocol's late-upload window and a day. */
  readonly stateTtlSeconds?: number;
}

const EIGHT_DAYS_S = 8 * 24 * 3600;

/** Reps of one set travel as one op; bounded so Lua's `unpack` stays within its stack. */
const MAX_REPS_PER_OP = 500;

interface LuaRepsOp {
  k: 'reps';
  g: string;
  s: string;
  set: string;
  a: string;
  e: string;
  l: number;
  i: number[];
}

function stationOf(op: SetOp): string {
  return op.kind === 'rep' ? op.rep.stationId : op.stationId;
}

/**
 * The compact form the Lua script reads. Ops of different stations are independent, so they are
 * grouped by station (keeping each station's order) and consecutive reps of one set become one op:
 * the script then opens each set once per batch and stores its reps in one HSET. Short keys keep
 * the JSON small; the reps' own JSON travels as separate arguments.
 */
export function toLuaArgs(ops: readonly SetOp[]): { ops: Array<Record<string, unknown>>; reps: string[] } {
  const byStation = new Map<string, SetOp[]>();
  for (const op of ops) {
    const station = stationOf(op);
    const list = byStation.get(station);
    if (list) list.push(op);
    else byStation.set(station, [op]);
  }
  const out: Array<Record<string, unknown>> = [];
  const reps: string[] = [];
  for (const stationOps of byStation.values()) {
    let group: LuaRepsOp | undefined;
    for (const op of stationOps) {
      if (op.kind === 'rep') {
        const r = op.rep;
        const sameSet = group && group.set === r.setId && group.a === r.athleteId && group.e === r.exercise;
        if (!group || !sameSet || group.i.length >= MAX_REPS_PER_OP) {
          group = { k: 'reps', g: r.gymId, s: r.stationId, set: r.setId, a: r.athleteId, e: r.exercise, l: r.loadKg, i: [] };
          out.push(group as unknown as Record<string, unknown>);
        }
        group.l = r.loadKg;
        group.i.push(r.repIndex);
        reps.push(JSON.stringify(r));
        continue;
      }
      group = undefined;
      switch (op.kind) {
        case 'start':
        case 'end':
          out.push({ k: op.kind, g: op.gymId, s: op.stationId, set: op.setId, a: op.athleteId, e: op.exercise, l: op.loadKg });
          break;
        case 'status':
          out.push({ k: 'status', g: op.gymId, s: op.stationId, online: op.online, ts: op.ts, fw: op.firmware, model: op.model });
          break;
      }
    }
  }
  return { ops: out, reps };
}

async function execChecked(multi: ChainableCommander): Promise<unknown[]> {
  return replyValues(await multi.exec());
}

/**
 * The Redis side of ingest: one MULTI per micro-batch (set state, rep job, sample jobs, dead letters),
 * plus the closing-list operations of the set closer.
 */
export function createRedisIntakeStore(deps: RedisIntakeDeps): IntakeStore & ClosingStore {
  const { redis, keys } = deps;
  const ttl = deps.stateTtlSeconds ?? EIGHT_DAYS_S;
  const waitReplicas = deps.waitReplicas ?? 0;

  /**
   * WAIT on the connection that ran the MULTI (WAIT counts that connection's writes; BullMQ's client is a
   * proxy over `redis`, not another connection): on a cluster the shard's key routes the pipeline to the
   * shard's master. Fewer replicas than asked is a failed commit:
   * the batch is retried rather than acknowledged (the re-applied MULTI is idempotent where it matters:
   * set state, inboxes, job ids; a dead letter may then be kept twice).
   */
  async function waitForReplicas(): Promise<void> {
    const [, replicas] = replyValues(await redis.pipeline().exists(keys.idleSets).wait(waitReplicas, deps.waitTimeoutMs ?? 1000).exec());
    const got = Number(replicas);
    if (got < waitReplicas) {
      deps.onReplicaShortfall?.(got);
      throw new Error(`only ${got} of ${waitReplicas} replicas acknowledged the commit within ${deps.waitTimeoutMs ?? 1000} ms (INGEST_REDIS_WAIT_REPLICAS)`);
    }
  }

  return {
    async commit(batch: IntakeCommit) {
      // BullMQ's transaction wrapper: its job-add scripts and any plain command share one MULTI.
      const bull = await deps.repsQueue.getBackend().client;
      const transaction = bull.multi();
      const multi = transaction as unknown as ChainableCommander;
      if (batch.ops.length > 0) {
        const args = toLuaArgs(batch.ops);
        // KEYS[1] (the idle set) only routes the script to the prefix's slot on a Redis Cluster.
        multi.eval(APPLY_SET_OPS, 1, keys.idleSets, keys.prefix, batch.now, deps.setIdleTimeoutMs, ttl, JSON.stringify(args.ops), ...args.reps);
      }
      const adds: Array<Promise<string>> = [];
      if (batch.reps.length > 0) {
        adds.push(new Job(deps.repsQueue, 'reps', { v: 1, reps: batch.reps }, JOB_OPTIONS.reps).addJob(transaction));
      }
      for (const { gymId, stationId, block, text } of batch.samples) {
        // The block waits in its set's inbox; the job makes a worker segment whatever the inbox holds, so
        // jobs of one set are deduplicated (at most one waiting and one running: a redelivered block adds
        // none while one waits). The set job waits for the inbox to empty.
        const inbox = keys.samplesInbox(stationId, block.setId);
        transaction.hset(inbox, { [String(block.t0)]: text });
        multi.expire(inbox, ttl);
        const job: SamplesJob = { v: 2, gymId, stationId, setId: block.setId, t0: block.t0 };
        const deduplication = { id: samplesDedupId(gymId, stationId, block.setId), keepLastIfActive: true };
        adds.push(new Job(deps.samplesQueue, 'samples', job, { ...JOB_OPTIONS.samples, deduplication }).addJob(transaction));
      }
      for (const { gymId, stationId, block } of batch.heartRate) {
        const job: HeartRateJob = { v: 1, gymId, stationId, block };
        // The block's identity as the job id (Job's fifth argument; `opts.jobId` is read only by Queue.add):
        // a re-sent block is a job already there, and adds nothing while it is kept (7 days).
        const jobId = heartRateJobId(gymId, stationId, block.t0);
        adds.push(new Job(deps.heartRateQueue, 'heart-rate', job, JOB_OPTIONS.heartRate, jobId).addJob(transaction));
      }
      for (const { gymId, stationId, ts } of batch.offline) {
        // Committed with the status itself: the station's open set is still in Redis when it runs.
        const check: AlertCheckJob = { v: 1, kind: 'station_status', gymId, stationId, online: false, ts };
        adds.push(new Job(deps.alertChecksQueue, 'station_status', check, JOB_OPTIONS.alertChecks).addJob(transaction));
      }
      // Each tenant's dead letters in its own list, what its admins may read (one list in a single-tenant deployment).
      const byTenant = new Map<string, DeadLetter[]>();
      for (const letter of batch.deadLetters) {
        const letters = byTenant.get(letter.tenant);
        if (letters === undefined) byTenant.set(letter.tenant, [letter]);
        else letters.push(letter);
      }
      for (const [tenant, letters] of byTenant) {
        multi.lpush(keys.deadLettersOf(tenant), ...letters.map((letter) => JSON.stringify(letter)));
        multi.ltrim(keys.deadLettersOf(tenant), 0, deps.deadLetterMax - 1);
        for (const letter of letters) multi.hincrby(keys.deadLetterCountsOf(tenant), letter.reason, 1);
      }
      // Attach handlers before exec so a failed add cannot become an unhandled rejection.
      const added = Promise.all(adds);
      added.catch(() => undefined);
      const results = await execChecked(multi);
      await added;
      if (waitReplicas > 0) await waitForReplicas();
      const setsClosed = batch.ops.length > 0 ? Number(results[0]) : 0;
      return { setsClosed };
    },

    async closeIdleSets(now, limit) {
      return Number(await redis.eval(CLOSE_IDLE_SETS, 1, keys.idleSets, keys.prefix, now, limit));
    },

    async holdLock(owner, ttlMs) {
      return Number(await redis.eval(HOLD_LOCK, 1, keys.closerLock, owner, ttlMs)) === 1;
    },

    async peekClosing(limit) {
      const entries = await redis.lrange(keys.closingSets, 0, limit - 1);
      return entries.map((entry) => SetJob.parse({ v: 1, ...(JSON.parse(entry) as object) }));
    },

    async removeClosing(owner, count) {
      return Number(await redis.eval(REMOVE_CLOSING_IF_OWNER, 2, keys.closerLock, keys.closingSets, owner, count)) === 1;
    },
  };
}
