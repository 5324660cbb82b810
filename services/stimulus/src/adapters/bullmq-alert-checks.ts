import { JOB_OPTIONS, QUEUES, QUEUE_EVENTS_MAX_LEN, type AlertCheckJob, type RedisKeys } from '@neurolift/contracts';
import { Queue } from 'bullmq';
import type { RedisClient } from '@neurolift/storage';
import type { AlertChecks } from '../ports.js';

/** How long a gym's athlete index remembers an athlete without sets (the daily rules look back 35 days). */
const GYM_ATHLETES_TTL_S = 400 * 24 * 3600;

/** Alert checks as BullMQ jobs; a closed set also enters its gym's athlete index (the daily rules' list). */
export function createBullAlertChecks(redis: RedisClient, keys: RedisKeys): AlertChecks & { close(): Promise<void> } {
  const queue = new Queue(QUEUES.alertChecks, { connection: redis, prefix: keys.prefix, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } });
  return {
    async repsStored(sets) {
      if (sets.length === 0) return;
      // One check per rep batch, however many sets it touched: job overhead stays per batch, not per set.
      const refs = sets.map(({ gymId, stationId, setId, athleteId }) => ({ gymId, stationId, setId, athleteId }));
      await queue.add('reps', { v: 1, kind: 'reps', sets: refs } satisfies AlertCheckJob, JOB_OPTIONS.alertChecks);
    },
    async setClosed({ gymId, stationId, setId, athleteId }) {
      await redis
        .multi()
        .zadd(keys.gymAthletes(gymId), Date.now(), athleteId)
        .expire(keys.gymAthletes(gymId), GYM_ATHLETES_TTL_S)
        .sadd(keys.gyms, gymId)
        .exec();
      await queue.add('set_closed', { v: 1, kind: 'set_closed', gymId, stationId, setId, athleteId } satisfies AlertCheckJob, JOB_OPTIONS.alertChecksAfterSet);
    },
    close: () => queue.close(),
  };
}
