import { z } from 'zod';

/** The id rule of device protocol v1: 1 to 64 characters of `A-Z a-z 0-9 _ -`. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An id as the protocol defines it. Ids become InfluxDB tag values and Redis/BullMQ key parts, so the
 * allow-list is what makes line-protocol and key injection impossible (no `,` `=` space `\` `:`).
 */
export const Id = z.string().regex(ID_PATTERN, 'must be 1 to 64 characters of A-Z a-z 0-9 _ -');
export type Id = z.infer<typeof Id>;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}
