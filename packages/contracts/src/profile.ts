import { z } from 'zod';
import { Id } from './ids.js';

/**
 * An athlete profile as coaches enter it through the API: body mass, known 1RMs per exercise, and the
 * athlete's own minimum velocity thresholds (m/s) where they differ from the exercise catalogue.
 */
export const AthleteProfile = z.strictObject({
  bodyMassKg: z.number().min(20).max(400).optional(),
  oneRepMaxKg: z.record(Id, z.number().gt(0).max(1000)).optional(),
  mvtMps: z.record(Id, z.number().gt(0).max(2)).optional(),
});
export type AthleteProfile = z.infer<typeof AthleteProfile>;
