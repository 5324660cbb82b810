import type { z } from 'zod';

/** A Redis entry's JSON as `schema`, or undefined when it is not (another version may have written it). */
export function parseEntry<S extends z.ZodType>(schema: S, text: string): z.infer<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
