import { z } from 'zod';
import { Id } from './ids.js';

/**
 * Zod schemas for the channels of device protocol v1 and its v1.1 additions (`imu`, `hr`). Unknown extra fields are stripped (zod's
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

const samplesWord = (n: number): string => `${n} sample${n === 1 ? '' : 's'}`;

/** An array of finite numbers, each within ±limit; `what` names the quantity in messages, `range` the limit in the sensor's units. */
function boundedSeries(limit: number, what: string, range: string) {
  return z
    .array(
      z.number({ error: `${what} values must be finite numbers` }).min(-limit, `${what} must be within ±${limit} (${range})`).max(limit, `${what} must be within ±${limit} (${range})`),
      { error: (issue) => (issue.input === undefined ? `${what}: x, y and z are all required` : `${what}: each axis must be an array of numbers`) },
    )
    .min(1, `${what}: at least 1 sample`)
    .max(2000, `${what}: at most 2000 samples a block`);
}

/** Three axes of one sensor, in the sensor's own frame; the axes must have equal lengths. */
function triad(limit: number, what: string, range: string) {
  return z.object({ x: boundedSeries(limit, what, range), y: boundedSeries(limit, what, range), z: boundedSeries(limit, what, range) }, {
    error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be an object { x: [...], y: [...], z: [...] }`),
  });
}

export const IMU_MOUNTS = ['bar', 'forearm', 'wrist', 'hip'] as const;
export type ImuMount = (typeof IMU_MOUNTS)[number];

/** Largest |specific force| an IMU block may carry, m/s² (±16 g). */
export const IMU_ACCEL_LIMIT = 160;
/** Largest |angular rate|, rad/s (±2000 °/s). */
export const IMU_GYRO_LIMIT = 35;

/** v1.1: inertial samples of a bar- or body-worn sensor, contiguous blocks of one set. */
export const ImuMessage = z.object({
  v: Version,
  t0: EpochMs,
  hz: z.number().min(50, 'hz must be 50 to 1000').max(1000, 'hz must be 50 to 1000'),
  athleteId: Id,
  setId: Id,
  exercise: Id,
  loadKg: z.number().min(0).max(1000),
  mount: z.enum(IMU_MOUNTS, { error: `mount must be one of ${IMU_MOUNTS.join(', ')}` }),
  accel: triad(IMU_ACCEL_LIMIT, 'accel (m/s²)', '±16 g').describe('specific force in the sensor frame, m/s², gravity included; x, y, z of equal length 1–2000'),
  gyro: triad(IMU_GYRO_LIMIT, 'gyro (rad/s)', '±2000 °/s').optional().describe('angular rate in the sensor frame, rad/s; as many samples as accel'),
}).superRefine((block, context) => {
  const n = block.accel.x.length;
  for (const axis of ['y', 'z'] as const) {
    if (block.accel[axis].length !== n) {
      context.addIssue({ code: 'custom', path: ['accel', axis], message: `accel.${axis} has ${samplesWord(block.accel[axis].length)}; accel.x has ${n} (the axes must have equal lengths)` });
      return;
    }
  }
  if (block.gyro === undefined) return;
  for (const axis of ['x', 'y', 'z'] as const) {
    if (block.gyro[axis].length !== n) {
      context.addIssue({ code: 'custom', path: ['gyro', axis], message: `gyro.${axis} has ${samplesWord(block.gyro[axis].length)}; accel has ${n} (gyro must have as many samples as accel)` });
      return;
    }
  }
});
export type ImuMessage = z.infer<typeof ImuMessage>;

/** v1.1: heart rate from a chest strap or watch, once a second from t0 (not tied to sets). */
export const HrMessage = z.object({
  v: Version,
  t0: EpochMs,
  athleteId: Id,
  bpm: z
    .array(z.number({ error: 'bpm values must be finite numbers' }).min(25, 'bpm values must be 25 to 250').max(250, 'bpm values must be 25 to 250'), {
      error: (issue) => (issue.input === undefined ? 'bpm is required: heart rate once a second from t0, 1 to 600 values' : 'bpm must be an array of numbers'),
    })
    .min(1, 'bpm: at least 1 value (one a second from t0)')
    .max(600, 'bpm: at most 600 values (10 minutes) a block')
    .describe('heart rate once a second from t0, bpm; 1–600 values'),
  rr: z
    .array(z.number({ error: 'rr intervals must be finite numbers of ms' }).min(200, 'rr intervals must be 200 to 2000 ms').max(2000, 'rr intervals must be 200 to 2000 ms'), {
      error: 'rr must be an array of numbers (beat-to-beat intervals, ms)',
    })
    .max(1200, 'rr: at most 1200 intervals a block')
    .optional()
    .describe('beat-to-beat intervals of the same stretch, ms, in order; 0–1200 values'),
});
export type HrMessage = z.infer<typeof HrMessage>;

export const CHANNEL_SCHEMAS = {
  rep: RepMessage,
  samples: SamplesMessage,
  set: SetMessage,
  status: StatusMessage,
  imu: ImuMessage,
  hr: HrMessage,
} as const;
