import { z } from 'zod';
import { Id } from './ids.js';

/**
 * An athlete profile as coaches enter it through the API: body mass, known 1RMs per exercise, and the
 * athlete's own minimum velocity thresholds (m/s) where they differ from the exercise catalogue.
 *
 * Heart rate (model nsi-1.1, every field optional): `restingHr` and `maxHr` in beats per minute, and
 * `birthYear` (a calendar year) for the age-predicted maximum 208 − 0.7·age when `maxHr` is not given.
 * The birth year is bounded to 1900–2100 only: a schema has no clock, so "not in the future" cannot be
 * checked here; the model treats an age below 0 as 0. When both `restingHr` and `maxHr` are given,
 * `maxHr` must be above `restingHr`.
 */
export const AthleteProfile = z
  .strictObject({
    bodyMassKg: z.number().min(20).max(400).optional(),
    oneRepMaxKg: z.record(Id, z.number().gt(0).max(1000)).optional(),
    mvtMps: z.record(Id, z.number().gt(0).max(2)).optional(),
    /** Resting heart rate, bpm. */
    restingHr: z.number().min(30).max(120).optional(),
    /** Measured maximum heart rate, bpm. */
    maxHr: z.number().min(100).max(240).optional(),
    /** Year of birth (the birthday is not asked for: age = the session's UTC year − birthYear). */
    birthYear: z.number().int().min(1900).max(2100).optional(),
  })
  .refine((profile) => profile.restingHr === undefined || profile.maxHr === undefined || profile.maxHr > profile.restingHr, {
    message: 'maxHr must be above restingHr',
    path: ['maxHr'],
  });
export type AthleteProfile = z.infer<typeof AthleteProfile>;
