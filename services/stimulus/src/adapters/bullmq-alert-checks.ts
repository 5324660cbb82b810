import { JOB_OPTIONS, QUEUES, QUEUE_EVENTS_MAX_LEN, type AlertCheckJob, type RedisKeys } from '@neurolift/contracts';
import { Job, Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { replyValues, type RedisClient } from '@neurolift/storage';
import type { AlertChecks } from '../ports.js';

/** How long a gym's athlete index remembers an athlete without sets (the daily rules look back 35 days). */
const GYM_ATHLETES_TTL_S = 400 * 24 * 3600;
/** A gym's pending in-set entries outlive any backlog; a pass removes them long before. */
const IN_SET_PENDING_TTL_S = 8 * 24 * 3600;

/**
 * Alert checks as BullMQ jobs in the shard of `keys` (the gym's); a closed set also enters its gym's athlete
 * index (the daily rules' list) and the control plane's set of gyms with sets, `gymsKey`.
 */
export function createBullAlertChecks(redis: RedisClient, keys: RedisKeys, gymsKey: string): AlertChecks & { close(): Promise<void> } {
  const queue = new Queue(QUEUES.alertChecks, { connection: redis, prefix: keys.prefix, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } });
  return {
    async repsStored(sets) {
      if (sets.length === 0) return;
      // Each set is marked pending in its gym's hash, and its gym gets an in_set job deduplicated per gym,
      // all in one MULTI: a busy gym is judged once per pass, not once per rep batch.
      const transaction = (await queue.getBackend().client).multi();
      const multi = transaction as unknown as ChainableCommander;
      const adds: Array<Promise<string>> = [];
      for (const { gymId, stationId, setId, athleteId } of sets) {
        multi.hincrby(keys.inSetPending(gymId), JSON.stringify({ gymId, stationId, setId, athleteId }), 1);
      }
      for (const gymId of new Set(sets.map((set) => set.gymId))) {
        multi.expire(keys.inSetPending(gymId), IN_SET_PENDING_TTL_S);
        const check: AlertCheckJob = { v: 1, kind: 'in_set', gymId };
        const deduplication = { id: `in-set.${gymId}`, keepLastIfActive: true };
        adds.push(new Job(queue, 'in_set', check, { ...JOB_OPTIONS.alertChecks, deduplication }).addJob(transaction));
      }
      // Handlers before exec, so a failed add cannot become an unhandled rejection.
      const added = Promise.all(adds);
      added.catch(() => undefined);
      replyValues(await multi.exec());
      await added;
    },
    async setClosed({ gymId, stationId, setId, athleteId }) {
      await redis.multi().zadd(keys.gymAthletes(gymId), Date.now(), athleteId).expire(keys.gymAthletes(gymId), GYM_ATHLETES_TTL_S).exec();
      // Apart: the set of gyms is the control plane's, another slot once there are shards (idempotent).
      await redis.sadd(gymsKey, gymId);
      await queue.add('set_closed', { v: 1, kind: 'set_closed', gymId, stationId, setId, athleteId } satisfies AlertCheckJob, JOB_OPTIONS.alertChecksAfterSet);
    },
    close: () => queue.close(),
  };
}
