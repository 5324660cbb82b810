/**
 * Default BullMQ job options per queue (plain data, so contracts stays free of I/O libraries).
 * Retries belong to BullMQ: exponential backoff from 1 s; a job that keeps failing ends in the failed
 * set (bounded) and is dead-lettered by the worker.
 */
const DAY_S = 24 * 60 * 60;

const ALERT_CHECKS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  // Checks are re-evaluable; session-end checks have deterministic ids only while they wait.
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
} as const;

export const JOB_OPTIONS = {
  reps: {
    attempts: 12,
    backoff: { type: 'exponential', delay: 1000 },
    // Rep batches have random ids; their effects are idempotent, so nothing needs them afterwards.
    removeOnComplete: true,
    removeOnFail: { count: 10_000 },
  },
  sets: {
    attempts: 12,
    backoff: { type: 'exponential', delay: 1000 },
    // Set jobs have deterministic ids; keeping them for a week makes a re-sent close a no-op for as
    // long as devices may upload late (the protocol's 7-day window).
    removeOnComplete: { age: 7 * DAY_S, count: 200_000 },
    removeOnFail: { count: 10_000 },
  },
  samples: {
    attempts: 12,
    backoff: { type: 'exponential', delay: 1000 },
    // Removed at once: a redelivered block goes back into its set's inbox, and only a new job (the
    // same id) makes sure a worker takes it out again (the segmenter knows it as a duplicate).
    removeOnComplete: true,
    removeOnFail: { count: 10_000 },
  },
  heartRate: {
    attempts: 12,
    backoff: { type: 'exponential', delay: 1000 },
    // Job id = the block's identity: a block re-sent within the hour (a gateway's retry) adds no job. Later
    // ones run again and change nothing (points keyed by time, heart rate merged by the second); keeping
    // every block's job for the whole late-upload window would hold its payload in Redis for a week.
    removeOnComplete: { age: 3600, count: 20_000 },
    removeOnFail: { count: 10_000 },
  },
  alertChecks: ALERT_CHECKS,
  /**
   * Set-close, session-end and daily checks: taken only when no in-set or station check waits (BullMQ
   * runs jobs without a priority first). Those have a 1 s deadline; these re-model an athlete's history
   * and have none, so a backlog of them must not hold up an in-set alert.
   */
  alertChecksAfterSet: { ...ALERT_CHECKS, priority: 10 },
  alerts: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 500 },
    // Job id = alert id: kept a week, so the same alert found again is not enqueued again.
    removeOnComplete: { age: 7 * DAY_S, count: 200_000 },
    removeOnFail: { count: 10_000 },
  },
  webhooks: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: DAY_S, count: 100_000 },
    removeOnFail: { count: 10_000 },
  },
} as const;

/** Cap of each queue's event stream (BullMQ keeps 10 000 by default; nobody here listens to it). */
export const QUEUE_EVENTS_MAX_LEN = 1000;
