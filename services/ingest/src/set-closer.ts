import type { Logger } from '@neurolift/platform';
import type { Clock, ClosingStore, SetJobQueue } from './ports.js';

export interface SetCloserOptions {
  readonly store: ClosingStore;
  readonly queue: SetJobQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Unique per process: only the lock holder drains the closing list. */
  readonly owner: string;
  /** How often idle sets are looked for, ms. */
  readonly intervalMs: number;
  readonly onClosed?: (count: number) => void;
}

const BATCH = 500;
const LOCK_TTL_MS = 15_000;

/**
 * Closes idle sets and turns closed sets into set jobs. Every instance closes idle sets (the Lua
 * script is atomic, so two instances never close a set twice); one instance at a time, the lock
 * holder, moves entries from the closing list to the queue. A crash between the add and the removal
 * re-adds the same deterministic job id, which BullMQ ignores.
 */
export function startSetCloser(options: SetCloserOptions): { wake(): void; close(): Promise<void> } {
  const { store, queue, clock, logger } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  async function tick(): Promise<void> {
    const idle = await store.closeIdleSets(clock(), BATCH);
    if (idle > 0) options.onClosed?.(idle);
    if (!(await store.holdLock(options.owner, LOCK_TTL_MS))) return;
    for (;;) {
      const jobs = await store.peekClosing(BATCH);
      if (jobs.length === 0) return;
      await queue.addSetJobs(jobs);
      if (!(await store.removeClosing(options.owner, jobs.length))) return;
      logger.debug({ sets: jobs.length }, 'set jobs enqueued');
    }
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    running = tick()
      .catch((error: unknown) => logger.warn({ err: error }, 'set closer tick failed; retrying'))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          run();
        } else {
          timer = setTimeout(run, options.intervalMs);
        }
      });
  }

  run();
  return {
    wake: run,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
