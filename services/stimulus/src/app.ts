import { HeartRateJob, MEASUREMENTS, QUEUES, RepBatchJob, SamplesJob, SetJob, redisKeys, type RepRecord } from '@neurolift/contracts';
import { closeAll, createRegistry, once, type Logger, type PipelineError, type Registry } from '@neurolift/platform';
import type { InboxDisposition } from './inbox-segmenter.js';
import { createRedisSegmenterStore } from './adapters/redis-segmenter-store.js';
import { createRedisSetStore } from './adapters/redis-set-store.js';
import type { WorkerConfig } from './config.js';
import type { PointSink } from './ports.js';
import { createBullAlertChecks } from './adapters/bullmq-alert-checks.js';
import { processRepBatch } from './process-reps.js';
import { processSamples } from './process-samples.js';
import { processSet } from './process-set.js';
import { settleSamples } from './settle-samples.js';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.js';
import { createForegroundGate } from './foreground-gate.js';
import { Queue } from 'bullmq';
import {
  clusterWatchdog,
  consumedShardsOf,
  createRedisAthleteStore,
  createRedisConnection,
  createRedisDeadLetters,
  createRedisHeartRateStore,
  influxSinkFromSettings,
  loadModelSettings,
  shardLayoutOf,
  startQueueWorker,
  tenantOfJob,
  type ModelSettings,
  type WorkerDeadLetter,
} from '@neurolift/storage';
import { processHeartRate } from './heart-rate/process-heart-rate.js';
import { writeLiveHeartRate } from './heart-rate/live-heart-rate.js';
import { athleteNotAllowed, inBucket, type JobTenancyView } from './tenancy/job-tenancy.js';
import { startWorkerTenancy } from './tenancy/worker-tenancy.js';

export interface WorkerOverrides {
  readonly registry?: Registry;
  readonly sink?: PointSink;
  /** Model constants and id; otherwise read from MODEL_CONSTANTS_FILE (the defaults without it). */
  readonly model?: ModelSettings;
  /** Gyms' tenants and tenants' buckets; otherwise the device registry in Redis, read every REGISTRY_POLL_MS. */
  readonly registryView?: JobTenancyView;
}

export interface StimulusWorker {
  ready(): boolean;
  /** Stops taking jobs, lets running jobs finish, disconnects. Idempotent. */
  close(): Promise<void>;
}

function measuredSink(sink: PointSink, metrics: WorkerMetrics): PointSink {
  return {
    async write(lines, bucket) {
      const stop = metrics.writeSeconds.startTimer();
      await sink.write(lines, bucket);
      stop();
      for (const text of lines) metrics.pointsWritten.inc({ measurement: text.slice(0, text.indexOf(',')) });
    },
  };
}

/** Blocks the segmenter could not use, and why (dead-lettered as `samples_<disposition>` or `imu_<disposition>`). */
const UNUSED_BLOCKS = new Map<InboxDisposition, string>([
  ['source_mismatch', "the set's reps are segmented from the other kind of block (samples and imu do not mix in one set)"],
  ['late', 'the block came after the segmenter had given up waiting for it; reps around it were already reported'],
  ['after_finish', 'the block came after its set had closed and its reps were computed'],
  ['rate_mismatch', "the block's hz differs from the set's earlier blocks"],
  ['invalid', 'the block cannot be segmented (empty, non-finite values or force of another length)'],
]);

/**
 * Starts the stimulus worker: rep batches → rep points; sample and imu blocks → reps; closed sets → set metrics and points;
 * heart-rate blocks → points and set fields. Every point goes to the bucket of its gym's tenant, athlete series with the set
 * or block that changed them; an athlete's data from another tenant's gym is refused (athlete_not_allowed).
 */
export async function startStimulusWorker(config: WorkerConfig, logger: Logger, overrides: WorkerOverrides = {}): Promise<StimulusWorker> {
  const registry = overrides.registry ?? createRegistry();
  const metrics = createWorkerMetrics(registry);
  const layout = shardLayoutOf('stimulus worker', config);
  const consumed = consumedShardsOf('stimulus worker', config);
  // Workers hold blocking connections: ioredis must retry forever rather than fail their commands.
  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: 'neurolift-worker', retryForever: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));

  const sink = measuredSink(overrides.sink ?? influxSinkFromSettings(config, logger), metrics);
  // An athlete's state is in its own shard, whichever gym's shard the job came from (a set job of shard n
  // updates an athlete of shard m under the athlete's lock and version, decision 0006).
  const athletes = createRedisAthleteStore(redis, layout.athleteKeys);
  const heartRate = createRedisHeartRateStore({ redis, keys: layout.athleteKeys });
  const model = overrides.model ?? loadModelSettings(config.MODEL_CONSTANTS_FILE, 'stimulus worker');
  const { tenancy, stop: stopTenancy } = await startWorkerTenancy(redis, { ...config, layout }, logger, overrides.registryView);
  // A job's dead letters (its payload) are for its gym's tenant's admins only.
  const tenantOf = (data: unknown) => tenantOfJob(data, (gymId) => tenancy.tenantOfGym(gymId));

  // Set jobs give way to rep and samples jobs (live points, in-set alerts) of every consumed shard, for at most WORKER_SET_YIELD_MS.
  const foregroundQueues = consumed.flatMap((n) => [QUEUES.reps, QUEUES.samples].map((name) => new Queue(name, { connection: redis, prefix: layout.prefixes[n] as string })));
  const gate = createForegroundGate({
    maxWaitMs: config.WORKER_SET_YIELD_MS,
    backlog: async () => (await Promise.all(foregroundQueues.map((queue) => queue.getWaitingCount()))).reduce((sum, n) => sum + n, 0),
  });
  const shards = consumed.map((n) => startShard(n));
  const workers = shards.flatMap((shard) => shard.workers);

  /** The queue workers of one shard: its jobs' gym-level keys (sets, inboxes, alert checks, dead letters) are in it. */
  function startShard(shard: number) {
    const keys = layout.keys(shard);
    const sets = createRedisSetStore(redis, keys);
    const deadLetters = createRedisDeadLetters(redis, keys, config.DEAD_LETTER_MAX);
    const checks = createBullAlertChecks(redis, keys, redisKeys(layout.control).gyms);
    const common = {
      connection: redis,
      prefix: keys.prefix,
      concurrency: config.WORKER_CONCURRENCY,
      deadLetters,
      tenantOf,
      metrics,
      logger,
      ...(config.REDIS_CLUSTER ? { watchdog: clusterWatchdog(metrics) } : {}),
    };
    /** Writes rep points; a set's reps the TSDB refuses are dead-lettered under `topic`, for the set's tenant. */
    const writeReps = async (reps: readonly RepRecord[], topic: string) => {
      const refused = async (refusedReps: readonly RepRecord[], tenant: string, error: PipelineError) => {
        await deadLetters.add({ topic, reason: 'tsdb_rejected', detail: error.message, payload: JSON.stringify({ v: 1, reps: refusedReps }), tenant });
        metrics.errors.inc({ code: error.code });
      };
      const result = await processRepBatch({ v: 1, reps: [...reps] }, { sets, sink, checks, tenancy, refused });
      if (result.notAllowed > 0) metrics.athleteNotAllowed.inc({ queue: QUEUES.reps }, result.notAllowed);
      return result;
    };
    // Reps made of sample blocks: a refused set's are named by the samples queue and the set.
    const segmenter = {
      store: createRedisSegmenterStore({ redis, keys }),
      liveWindow: { ms: config.SEGMENTER_LIVE_WINDOW_MS, now: Date.now },
      writeReps: (reps: readonly RepRecord[]) => writeReps(reps, `queue/${QUEUES.samples}/${reps[0]?.stationId ?? '?'}:${reps[0]?.setId ?? '?'}`),
    };
    const refuse = async (queue: string, letter: WorkerDeadLetter) => {
      await deadLetters.add(letter);
      metrics.athleteNotAllowed.inc({ queue });
    };
    const workers = [
      startQueueWorker({ ...common, queue: QUEUES.reps, schema: RepBatchJob, process: (job, context) => gate.run(() => writeReps(job.reps, `queue/${QUEUES.reps}/${context.id}`)) }),
      startQueueWorker({
        ...common,
        queue: QUEUES.sets,
        schema: SetJob,
        process: async (job, context) => {
          if (await gate.yieldToForeground()) metrics.setJobsHeldBack.inc();
          metrics.segmentedReps.inc(await settleSamples(job.stationId, job.setId, context, { ...segmenter, settleMs: config.SEGMENTER_SETTLE_MS, logger }));
          // The set's tenant is its athlete's admission's, asked before anything is written.
          let tenant = tenancy.tenantOfGym(job.gymId);
          const admits = async (athleteId: string) => {
            const admission = await tenancy.admits(athleteId, job.gymId);
            tenant = admission.tenant;
            return admission.admitted;
          };
          const result = await processSet(job, { sets, athletes, sink: inBucket(sink, () => tenancy.bucketOf(tenant)), heartRate, constants: model.constants, modelId: model.modelId, admits });
          if (result.notAllowed !== undefined && result.athleteId !== undefined) {
            await refuse(QUEUES.sets, athleteNotAllowed({ tenant, ...job, channel: 'set' }, result.athleteId, JSON.stringify({ ...job, reps: result.notAllowed })));
            return { reps: result.reps, notAllowed: true };
          }
          if (result.minutes !== undefined) metrics.aerobicMinutes.inc({ cause: 'set' }, result.minutes);
          if (result.athleteId !== undefined) await checks.setClosed({ gymId: job.gymId, stationId: job.stationId, setId: job.setId, athleteId: result.athleteId });
          logger.debug({ setId: job.setId, station: job.stationId, reps: result.reps, measurement: MEASUREMENTS.set }, 'set written');
          return result;
        },
      }),
      startQueueWorker({
        ...common,
        queue: QUEUES.samples,
        schema: SamplesJob,
        process: async (job) => {
          const result = await gate.run(() => processSamples(job, segmenter));
          metrics.segmentedReps.inc(result.reps);
          for (const { block, disposition } of result.outcomes) {
            metrics.sampleBlocks.inc({ disposition, channel: 'accel' in block ? 'imu' : 'samples' });
            const why = UNUSED_BLOCKS.get(disposition);
            // Not bad input, but samples no rep was made of: kept for inspection rather than dropped silently.
            if (why) {
              const channel = 'accel' in block ? 'imu' : 'samples';
              await deadLetters.add({
                topic: `gym/v1/${job.gymId}/${job.stationId}/${channel}`,
                reason: `${channel}_${disposition}`,
                detail: `${why} (set ${block.setId}, t0 ${block.t0})`,
                payload: JSON.stringify(block),
                tenant: tenancy.tenantOfGym(job.gymId),
              });
            }
          }
          return { blocks: result.outcomes.length, reps: result.reps };
        },
      }),
      startQueueWorker({
        ...common,
        queue: QUEUES.heartRate,
        schema: HeartRateJob,
        process: async (job) => {
          const { tenant, admitted } = await tenancy.admits(job.block.athleteId, job.gymId);
          if (!admitted) {
            await refuse(QUEUES.heartRate, athleteNotAllowed({ tenant, ...job, channel: 'hr' }, job.block.athleteId, JSON.stringify(job)));
            return { notAllowed: true };
          }
          const bucket = tenancy.bucketOf(tenant);
          const result = await processHeartRate(job, { athletes, heartRate, sink: inBucket(sink, () => bucket), checks, constants: model.constants, modelId: model.modelId });
          // The console's live heart rate: best effort (a reading missed here is replaced by the next block's).
          await writeLiveHeartRate(redis, layout.athleteKeys(job.block.athleteId), job.block).catch((error: unknown) => logger.warn({ err: error, athleteId: job.block.athleteId }, 'live heart rate not kept'));
          metrics.heartRateBlocks.inc();
          metrics.aerobicMinutes.inc({ cause: 'hr_block' }, result.minutes);
          return result;
        },
      }),
    ];
    return { workers, checks };
  }

  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  return {
    ready: () => redis.status === 'ready' && workers.every((worker) => worker.isRunning()),
    close: once(() =>
      closeAll([
        () => Promise.all(workers.map((worker) => worker.close())).then(() => undefined),
        () => Promise.all(shards.map((shard) => shard.checks.close())).then(() => undefined),
        () => Promise.all(foregroundQueues.map((queue) => queue.close())).then(() => undefined),
        async () => stopTenancy(),
        () => redis.quit().then(() => undefined),
      ]),
    ),
  };
}
