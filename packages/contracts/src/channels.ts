import { z } from 'zod';
import { Id } from './ids.js';

/**
 * Zod schemas for the four channels of device protocol v1. Unknown extra fields are stripped (zod's
 * default), so firmware may add fields before the pipeline knows them. zod 4's `z.number()` rejects
 * NaN and ±Infinity (which `JSON.parse("1e400")` yields), so every number here is finite.
 */

const Version = z.literal(1, { error: 'v must be 1 (device protocol v1)' });
/** Unix epoch milliseconds, an integer. The time window is checked separately (it needs a clock). */
const EpochMs = z.number().int('must be an integer of epoch milliseconds').nonnegative();

export const RepMessage = z.object({
  v: Version,
  ts: EpochMs,
  athleteId: Id,
  setId: Id,
  exercise: Id,
  repIndex: z.number().int().min(1).max(1000),
  loadKg: z.number().min(0).max(1000),
  meanVelocity: z.number().gt(0).max(5),
  peakVelocity: z.number().max(10).optional().describe('peak concentric velocity, m/s; at least meanVelocity'),
  rom: z.number().gt(0).max(3).optional(),
  concentricMs: z.number().int().min(1).max(60000).optional(),
  eccentricMs: z.number().int().min(0).max(60000).optional(),
}).refine((rep) => rep.peakVelocity === undefined || rep.peakVelocity >= rep.meanVelocity, {
  message: 'peakVelocity must be ≥ meanVelocity',
  path: ['peakVelocity'],
});
export type RepMessage = z.infer<typeof RepMessage>;

export const SamplesMessage = z.object({
  v: Version,
  t0: EpochMs,
  hz: z.number().min(10).max(1000),
  athleteId: Id,
  setId: Id,
  exercise: Id,
  loadKg: z.number().min(0).max(1000),
  position: z.array(z.number()).min(1).max(2000).describe('vertical displacement, m; 1 to 2000 samples'),
  force: z.array(z.number()).min(1).max(2000).optional().describe('force, N; same length as position'),
}).refine((block) => block.force === undefined || block.force.length === block.position.length, {
  message: 'force must have as many samples as position',
  path: ['force'],
});
export type SamplesMessage = z.infer<typeof SamplesMessage>;

export const SetMessage = z.object({
  v: Version,
  event: z.enum(['start', 'end']),
  ts: EpochMs,
  setId: Id,
  athleteId: Id,
  exercise: Id,
  loadKg: z.number().min(0).max(1000).optional(),
});
export type SetMessage = z.infer<typeof SetMessage>;

export const StatusMessage = z.object({
  v: Version,
  online: z.boolean(),
  ts: EpochMs.optional(),
  firmware: z.string().max(64).optional(),
  model: z.string().max(64).optional(),
});
export type StatusMessage = z.infer<typeof StatusMessage>;

export const CHANNEL_SCHEMAS = {
  rep: RepMessage,
  samples: SamplesMessage,
  set: SetMessage,
  status: StatusMessage,
} as const;
