import { PipelineError, type Logger } from '@neurolift/platform';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../redis-connection.js';
import type { z } from 'zod';
import type { Counter, Gauge } from '@neurolift/platform';
import type { DeadLetterSink } from './redis-dead-letters.js';

/**
 * The counters every queue worker keeps. Per queue, at any quiet moment of one process:
 * received = completed + dead-lettered + in flight (jobs started and not finished, retries included).
 */
export interface QueueMetrics {
  readonly jobs: Counter<'queue' | 'outcome'>;
  readonly errors: Counter<'code'>;
  /** Jobs this process started for the first time. */
  readonly received: Counter<'queue'>;
  readonly inFlight: Gauge<'queue'>;
}

/** What a processor may ask of the job it runs. */
export interface JobContext {
  /** The job's id in its queue (a dead letter's topic names it: `queue/<queue>/<id>`). */
  readonly id: string;
  /** When the job was created (for a set job: about when the set closed), epoch ms. */
  readonly createdAt: number;
  /** Puts the job back for `ms` without using up an attempt; the processor must return what this returns. */
  defer(ms: number): Promise<never>;
}

export interface QueueWorkerOptions<S extends z.ZodType> {
  readonly queue: string;
  readonly schema: S;
  readonly process: (data: z.infer<S>, context: JobContext) => Promise<unknown>;
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly concurrency: number;
  readonly deadLetters: DeadLetterSink;
  readonly metrics: QueueMetrics;
  /** Dead-letter reason when a job's attempts run out (default `retries_exhausted`). */
  readonly exhaustedReason?: string;
  /** Dead-letter reason of a non-retryable PipelineError that is not the TSDB's (default `job_rejected`). */
  readonly rejectedReason?: string;
  /**
   * Whose dead letters the job's are (undefined: the default tenant's). Given the raw job data, which may not
   * parse: a tenant's job payloads are for its admins only.
   */
  readonly tenantOf?: (data: unknown) => string | undefined;
  readonly logger: Logger;
  /**
   * Replace the worker when jobs wait, none runs here, and it fetched none for `stallMs` (checked every
   * `intervalMs`): a fetch loop stuck on a command the cluster client never settled (after a failover).
   */
  readonly watchdog?: { readonly intervalMs: number; readonly stallMs: number; readonly onReplaced?: () => void };
}

/**
 * Runs one BullMQ queue. The job data is parsed first (producers deploy separately and Redis keeps
 * old jobs). Errors map to BullMQ's retry machinery here and only here: a PipelineError that is not
 * retryable, or a payload that does not parse, is dead-lettered and fails without retries; a
 * Retry-After pauses the queue for that long (rate limit, no attempt consumed); anything else is
 * retried with the job's exponential backoff, and dead-lettered when its attempts run out.
 */
export function startQueueWorker<S extends z.ZodType>(options: QueueWorkerOptions<S>): QueueWorker {
  const { logger, queue } = options;
  let running = 0;
  let lastActivity = Date.now();
  let rateLimitedUntil = 0;
  const activity = {
    started: () => {
      running++;
      lastActivity = Date.now();
    },
    finished: () => {
      running--;
      lastActivity = Date.now();
    },
    rateLimited: (ms: number) => (rateLimitedUntil = Date.now() + ms),
  };
  let current = createBullWorker(options, activity);
  const watch = options.watchdog;
  if (watch === undefined) return { waitUntilReady: () => current.waitUntilReady(), isRunning: () => current.isRunning(), close: () => current.close() };

  // The watchdog: jobs waiting, none running here, nothing fetched for `stallMs` (and no Retry-After pause):
  // the worker's fetch loop is stuck (seen after a Redis Cluster failover: a command of it never settled),
  // so it is replaced by a fresh worker with fresh connections. Another process taking the jobs, or a busy
  // worker, never looks like this.
  const waiting = new Queue(queue, { connection: options.connection, prefix: options.prefix });
  let closed = false;
  let checking = false;
  const timer = setInterval(() => {
    if (closed || checking || running > 0 || Date.now() - lastActivity < watch.stallMs || Date.now() < rateLimitedUntil) return;
    checking = true;
    waiting
      .getWaitingCount()
      .then(async (count) => {
        if (count === 0 || closed || running > 0 || Date.now() - lastActivity < watch.stallMs) {
          lastActivity = count === 0 ? Date.now() : lastActivity;
          return;
        }
        logger.warn({ queue, prefix: options.prefix, waiting: count, idleMs: Date.now() - lastActivity }, 'queue worker took no job while jobs waited; replacing it');
        watch.onReplaced?.();
        const stuck = current;
        current = createBullWorker(options, activity);
        lastActivity = Date.now();
        await stuck.close(true).catch((error: unknown) => logger.warn({ err: error, queue }, 'closing the stuck worker failed'));
      })
      .catch((error: unknown) => logger.warn({ err: error, queue }, 'queue watchdog check failed'))
      .finally(() => (checking = false));
  }, watch.intervalMs);
  timer.unref();
  return {
    waitUntilReady: () => current.waitUntilReady(),
    isRunning: () => current.isRunning(),
    async close() {
      closed = true;
      clearInterval(timer);
      await current.close();
      await waiting.close();
    },
  };
}

/**
 * The watchdog the services run on a Redis Cluster (replacing a worker whose fetch loop a failover left
 * stuck), counted as the error NL_ERR_WORKER_STUCK.
 */
export function clusterWatchdog(metrics: Pick<QueueMetrics, 'errors'>): NonNullable<QueueWorkerOptions<z.ZodType>['watchdog']> {
  return { intervalMs: 5000, stallMs: 20_000, onReplaced: () => metrics.errors.inc({ code: 'NL_ERR_WORKER_STUCK' }) };
}

/** What the services hold of a queue worker. */
export interface QueueWorker {
  waitUntilReady(): Promise<unknown>;
  isRunning(): boolean;
  close(): Promise<void>;
}

interface WorkerActivity {
  started(): void;
  finished(): void;
  rateLimited(ms: number): void;
}

function createBullWorker<S extends z.ZodType>(options: QueueWorkerOptions<S>, activity: WorkerActivity): Worker {
  const { logger, metrics, deadLetters, queue } = options;

  // Jobs this process dead-lettered itself before failing them: their `failed` event needs no more.
  const deadLetteredHere = new Set<string>();
  const deadLetter = async (job: Job, reason: string, detail: string) => {
    if (job.id !== undefined) deadLetteredHere.add(job.id);
    const tenant = options.tenantOf?.(job.data);
    await deadLetters.add({ topic: `queue/${queue}/${job.id ?? '?'}`, reason, detail, payload: JSON.stringify(job.data), ...(tenant === undefined ? {} : { tenant }) });
    metrics.jobs.inc({ queue, outcome: 'dead_lettered' });
    metrics.inFlight.dec({ queue });
  };

  const processJob = async (job: Job, token?: string): Promise<unknown> => {
    // attemptsStarted counts activations: a retry or a deferred job comes back with more than one.
    if (job.attemptsStarted <= 1) {
      metrics.received.inc({ queue });
      metrics.inFlight.inc({ queue });
    }
    const parsed = options.schema.safeParse(job.data);
    if (!parsed.success) {
      await deadLetter(job, 'invalid_job', parsed.error.message.slice(0, 500));
      throw new UnrecoverableError('job data does not match its schema');
    }
    try {
      const context: JobContext = {
        id: job.id ?? '?',
        createdAt: job.timestamp,
        async defer(ms) {
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError();
        },
      };
      return await options.process(parsed.data, context);
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      metrics.errors.inc({ code: error.code });
      if (!error.retryable) {
        await deadLetter(job, error.code === 'NL_ERR_TSDB_REJECTED' ? 'tsdb_rejected' : (options.rejectedReason ?? 'job_rejected'), error.message);
        throw new UnrecoverableError(error.message);
      }
      if (error.retryAfterMs !== undefined) {
        logger.warn({ queue, retryAfterMs: error.retryAfterMs }, 'TSDB asked to wait; pausing the queue');
        activity.rateLimited(error.retryAfterMs);
        await worker.rateLimit(error.retryAfterMs);
        throw Worker.RateLimitError();
      }
      throw error;
    }
  };

  const worker: Worker = new Worker(
    queue,
    async (job: Job, token?: string) => {
      activity.started();
      try {
        return await processJob(job, token);
      } finally {
        activity.finished();
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      // Bounded lazily-trimmed history; completed rep jobs are removed by their own job options.
      removeOnFail: { count: 10_000 },
      // BullMQ honours a manual rateLimit() (a TSDB's Retry-After) only when a limiter is configured
      // (moveToActive compares the limiter key with limiter.max); this one never limits by itself.
      limiter: { max: 1_000_000, duration: 1000 },
    },
  );

  worker.on('completed', () => {
    metrics.jobs.inc({ queue, outcome: 'completed' });
    metrics.inFlight.dec({ queue });
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    if (job.id !== undefined && deadLetteredHere.delete(job.id)) return;
    const unrecoverable = error instanceof UnrecoverableError || error.name === 'UnrecoverableError';
    const attempts = job.opts.attempts ?? 1;
    if (unrecoverable || job.attemptsMade >= attempts) {
      // Unrecoverable without our dead letter: BullMQ gave the job up itself (stalled too often: its
      // worker died or froze on it more than once), so it is kept and counted here.
      const reason = unrecoverable ? 'job_stalled' : (options.exhaustedReason ?? 'retries_exhausted');
      logger.error({ queue, jobId: job.id, reason, err: error }, 'job given up; dead-lettered');
      deadLetter(job, reason, error.message).catch((e: unknown) => logger.error({ err: e }, 'dead letter failed'));
    } else {
      metrics.jobs.inc({ queue, outcome: 'retry' });
      logger.warn({ queue, jobId: job.id, attempt: job.attemptsMade, err: error }, 'job failed; will retry');
    }
  });
  worker.on('error', (error) => logger.error({ err: error, queue }, 'worker error'));
  return worker;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The gyms a job's data names: its `gymId`, its alert's (`alert.gymId`), and those of its `reps` or `sets`
 * entries. Read without trusting the shape: the data may be an old or broken job.
 */
export function gymsOfJob(data: unknown): string[] {
  if (!isRecord(data)) return [];
  const gyms = new Set<string>();
  const add = (item: unknown) => {
    if (isRecord(item) && typeof item.gymId === 'string') gyms.add(item.gymId);
  };
  add(data);
  add(data.alert);
  for (const list of [data.reps, data.sets]) if (Array.isArray(list)) list.forEach(add);
  return [...gyms];
}

/**
 * The tenant of a job's dead letters: that of the gyms it names, when they all have the same. A job naming
 * no gym, or gyms of several tenants (ingest batches reps across gyms), stays with the default tenant (undefined),
 * whose admin is the operator: no tenant may read another's data.
 */
export function tenantOfJob(data: unknown, tenantOfGym: (gymId: string) => string): string | undefined {
  const tenants = new Set(gymsOfJob(data).map(tenantOfGym));
  return tenants.size === 1 ? [...tenants][0] : undefined;
}
