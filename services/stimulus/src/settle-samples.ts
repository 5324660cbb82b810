import type { Logger } from '@neurolift/platform';
import type { JobContext } from '@neurolift/storage';
import { finishSetSegmentation, type SamplesDeps } from './process-samples.js';

export interface SettleDeps extends SamplesDeps {
  /** How long after the close to wait for queued blocks, ms. */
  readonly settleMs: number;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/** How often a waiting set job looks again, ms. */
const POLL_MS = 200;

/**
 * Before a closed set's metrics are computed: ingest may have closed the set (an `end`, the next set)
 * while blocks of it were still queued for segmentation, so the set job waits (deferred, no attempt
 * used) until the worker has segmented them (the set's inbox is empty), for at most `settleMs` after the
 * close. Then the reps the filter still holds back are completed and stored with the set. Blocks
 * segmented later are counted as `after_finish` and dead-lettered by the samples job.
 */
/** Returns how many reps finishing the segmentation added. */
export async function settleSamples(stationId: string, setId: string, context: JobContext, deps: SettleDeps): Promise<number> {
  const pending = await deps.store.inboxSize(stationId, setId);
  if (pending > 0) {
    const waited = (deps.clock ?? Date.now)() - context.createdAt;
    if (waited < deps.settleMs) return context.defer(POLL_MS);
    deps.logger.warn({ stationId, setId, pending, waitedMs: waited }, 'set closed with sample blocks still queued; computing without them');
  }
  return finishSetSegmentation(stationId, setId, deps);
}
