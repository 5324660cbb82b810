// Every shard's queues of the cluster pipeline, through BullMQ: their counts, their jobs, until idle.
import { QUEUES, type ShardLayout } from '@neurolift/contracts';
import { Queue, type JobType } from 'bullmq';
import { Cluster } from 'ioredis';
import { LAYOUT } from './cluster-layout.js';
import type { RedisCluster } from './redis-cluster.js';
import { waitFor } from './servers.js';

/** The queues a stream goes through, in every shard. */
const DRAINED_QUEUES = [QUEUES.reps, QUEUES.sets, QUEUES.alertChecks, QUEUES.alerts] as const;

export interface ShardQueues {
  /** Jobs waiting, running, delayed or prioritized, per `shard/queue/state` (only those with any). */
  pending(): Promise<Record<string, number>>;
  /** Failed jobs per `shard/queue/failed` (only those with any). */
  failed(): Promise<Record<string, number>>;
  /** The jobs of one shard's queue in `states`: id, name, state, attempts, timestamps. */
  jobs(shard: number, name: string, states: JobType[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** BullMQ handles on every shard's queues, on one cluster connection of the test's own. */
export function shardQueues(cluster: RedisCluster, layout: ShardLayout = LAYOUT): ShardQueues {
  const connection = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: null } });
  connection.on('error', () => undefined);
  const queues = layout.prefixes.flatMap((prefix, shard) =>
    DRAINED_QUEUES.map((name) => {
      const queue = new Queue(name, { connection, prefix });
      queue.on('error', () => undefined);
      return { shard, name, queue };
    }),
  );
  const counts = async (states: (name: string) => JobType[]) => {
    const out: Record<string, number> = {};
    for (const { shard, name, queue } of queues) {
      const c = await queue.getJobCounts(...states(name));
      for (const [state, n] of Object.entries(c)) if (n > 0) out[`${shard}/${name}/${state}`] = n;
    }
    return out;
  };
  return {
    // A session-end check waits (delayed) for its session to end: only running and waiting checks count.
    pending: () => counts((name) => (name === QUEUES.alertChecks ? ['waiting', 'active', 'prioritized'] : ['waiting', 'active', 'delayed', 'prioritized'])),
    failed: () => counts(() => ['failed']),
    async jobs(shard, name, states) {
      const queue = queues.find((q) => q.shard === shard && q.name === name)?.queue;
      if (!queue) return [];
      const jobs = await queue.getJobs(states);
      return Promise.all(
        jobs.map(async (job) => ({ id: job.id, name: job.name, state: await job.getState(), attemptsMade: job.attemptsMade, timestamp: job.timestamp, processedOn: job.processedOn, delay: job.delay, failedReason: job.failedReason })),
      );
    },
    async close() {
      await Promise.all(queues.map(({ queue }) => queue.close().catch(() => undefined)));
      connection.disconnect();
    },
  };
}

/** Until no job of any shard waits, runs or is due for a retry. */
export async function awaitQueuesIdle(queues: ShardQueues, timeoutMs: number): Promise<void> {
  await waitFor(async () => (Object.keys(await queues.pending()).length === 0 ? true : undefined), { what: "every shard's queues to be idle", timeoutMs, intervalMs: 250 });
}
