import { Counter, type Registry } from '@neurolift/platform';

/**
 * How an erasure request ended: `completed` (Redis and, unless TSDB_DELETE_API is none, the TSDB),
 * `tsdb_failed` (Redis erased, the TSDB delete failed: 502), `busy` (the worker held the athlete: 503,
 * nothing erased), `failed` (stopped part-way, e.g. Redis down: 500).
 */
export const ERASURE_OUTCOMES = ['completed', 'tsdb_failed', 'busy', 'failed'] as const;
export type ErasureOutcome = (typeof ERASURE_OUTCOMES)[number];

/** The erasure audit counter; every outcome starts at 0, so `increase()` works from the first one. */
export function createErasureMetrics(registry: Registry) {
  const erasures = new Counter({
    name: 'neurolift_api_erasures_total',
    help: 'Athlete erasure requests (DELETE /v1/athletes/:athleteId), by outcome (completed, tsdb_failed, busy, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of ERASURE_OUTCOMES) erasures.inc({ outcome }, 0);
  return { erasures };
}
export type ErasureMetrics = ReturnType<typeof createErasureMetrics>;
