import { z } from 'zod';
import { Id } from './ids.js';

/** An athlete profile as coaches enter it through the API (body mass, known 1RMs per exercise). */
export const AthleteProfile = z.strictObject({
  bodyMassKg: z.number().min(20).max(400).optional(),
  oneRepMaxKg: z.record(Id, z.number().gt(0).max(1000)).optional(),
});
export type AthleteProfile = z.infer<typeof AthleteProfile>;
