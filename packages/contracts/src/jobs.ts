import { z } from 'zod';
import { HrMessage } from './channels.js';
import { Id } from './ids.js';

/**
 * BullMQ job payloads. Producers and consumers deploy separately and Redis keeps old jobs, so every
 * payload carries a version and consumers parse it before use. JSON-safe only: epoch ms, no Date.
 */

/** A validated rep, normalised for storage: from a `rep` message, or segmented from `samples` or `imu` blocks. */
export const RepRecord = z.object({
  gymId: Id,
  stationId: Id,
  athleteId: Id,
  setId: Id,
  exercise: Id,
  repIndex: z.number().int().min(1),
  ts: z.number().int(),
  loadKg: z.number(),
  meanVelocity: z.number(),
  peakVelocity: z.number().optional(),
  rom: z.number().optional(),
  concentricMs: z.number().optional(),
  eccentricMs: z.number().optional(),
  /** Only reps segmented from samples or imu blocks carry these (the raw signal gives them). */
  meanPropulsiveVelocity: z.number().optional(),
  meanForce: z.number().optional(),
  meanPower: z.number().optional(),
  forceSource: z.enum(['load_cell', 'estimated']).optional(),
  /** ROM under 10 cm or under 85 % of the set's median ROM so far (segmented reps only). */
  partial: z.boolean().optional(),
  source: z.enum(['device', 'samples', 'imu']),
});
export type RepRecord = z.infer<typeof RepRecord>;

/** One micro-batch of reps from ingest: the worker writes their points. */
export const RepBatchJob = z.object({
  v: z.literal(1),
  reps: z.array(RepRecord).min(1),
});
export type RepBatchJob = z.infer<typeof RepBatchJob>;

export const SET_CLOSE_CAUSES = ['end', 'next_set', 'idle', 'late_rep'] as const;
export type SetCloseCause = (typeof SET_CLOSE_CAUSES)[number];

/** A set has closed: the worker computes its metrics from the reps stored with it. */
export const SetJob = z.object({
  v: z.literal(1),
  gymId: Id,
  stationId: Id,
  setId: Id,
  /** 0 for the first close; a late rep of a closed set re-closes it (`late_rep`) with the next revision. */
  revision: z.number().int().min(0),
  closedBy: z.enum(SET_CLOSE_CAUSES),
});
export type SetJob = z.infer<typeof SetJob>;

/**
 * A sample block of a set has arrived. The block itself waits in the set's inbox in Redis (written in
 * the same MULTI): the job is only the trigger, and whichever job runs first segments every block
 * of the set in the inbox, in time order (v1 carried the block in the job).
 */
export const SamplesJob = z.object({
  v: z.literal(2),
  gymId: Id,
  stationId: Id,
  setId: Id,
  t0: z.number().int(),
});
export type SamplesJob = z.infer<typeof SamplesJob>;

/** A heart-rate block (`hr`, v1.1) of a strap or watch: its points, the athlete's per-minute terms and sets. */
export const HeartRateJob = z.object({
  v: z.literal(1),
  gymId: Id,
  stationId: Id,
  block: HrMessage,
});
export type HeartRateJob = z.infer<typeof HeartRateJob>;

/*
 * Deterministic job ids: BullMQ ignores an add whose id already exists, so a redelivered close or block
 * is enqueued once. Ids never contain `:` (BullMQ forbids it) and `.` cannot occur inside a protocol id,
 * so the joined parts cannot collide.
 */
export function setJobId(gymId: string, stationId: string, setId: string, revision: number): string {
  const base = `set.${gymId}.${stationId}.${setId}`;
  return revision === 0 ? base : `${base}.r${revision}`;
}

export function samplesJobId(gymId: string, stationId: string, setId: string, t0: number): string {
  return `samples.${gymId}.${stationId}.${setId}.${t0}`;
}

/**
 * Deduplication id of a set's samples jobs: while one waits, another block's job adds nothing (the waiting
 * one segments the whole inbox), and while one runs, one more is kept to run after it. So a backlog holds
 * at most two jobs per set, however many blocks are queued, and a worker that falls behind takes several
 * blocks per job instead of paying a job per block.
 */
export function samplesDedupId(gymId: string, stationId: string, setId: string): string {
  return `samples.${gymId}.${stationId}.${setId}`;
}

/** A heart-rate block is identified by (gymId, stationId, t0): a repeated block is processed once. */
export function heartRateJobId(gymId: string, stationId: string, t0: number): string {
  return `hr.${gymId}.${stationId}.${t0}`;
}
