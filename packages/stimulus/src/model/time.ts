/** Milliseconds in a minute. */
export const MINUTE_MS = 60_000;

/** Milliseconds in a UTC day (epoch ms have no leap seconds). */
export const DAY_MS = 86_400_000;
