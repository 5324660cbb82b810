import { JOB_OPTIONS, setJobId } from '@neurolift/contracts';
import type { Queue } from 'bullmq';
import type { SetJobQueue } from '../ports.js';

/** Set jobs with deterministic ids: BullMQ ignores an add whose id it still holds. */
export function createBullSetJobQueue(queue: Queue): SetJobQueue {
  return {
    async addSetJobs(jobs) {
      await queue.addBulk(
        jobs.map((job) => ({
          name: 'set',
          data: job,
          opts: { ...JOB_OPTIONS.sets, jobId: setJobId(job.gymId, job.stationId, job.setId, job.revision) },
        })),
      );
    },
  };
}
