/**
 * Collects items into micro-batches bounded by size and by time, and hands one batch at a time to
 * `flush`, in order. A failed flush is retried with backoff until it succeeds or the batcher closes:
 * the caller acknowledges items only after their flush succeeded, so nothing is acknowledged early.
 */
export interface Batcher<T> {
  add(item: T): void;
  /** Items added and not yet flushed successfully. */
  pending(): number;
  /** Flushes what is queued (bounded by `timeoutMs`), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

export interface BatcherOptions<T> {
  maxItems: number;
  maxWaitMs: number;
  flush(items: T[]): Promise<void>;
  onFlushError(error: unknown, attempt: number): void;
  /** Backoff between retries of a failed flush, ms. */
  retryDelayMs?: (attempt: number) => number;
}

const defaultRetryDelay = (attempt: number): number => Math.min(5000, 50 * 2 ** Math.min(attempt, 7));

export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  let queue: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let inFlight = 0;
  let closed = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function flushUntilDone(items: T[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.flush(items);
        return;
      } catch (error) {
        options.onFlushError(error, attempt);
        if (closed) return; // Not acknowledged: the broker redelivers after restart.
        await sleep(retryDelay(attempt));
      }
    }
  }

  function schedule(): void {
    if (flushing || queue.length === 0) return;
    if (queue.length >= options.maxItems || options.maxWaitMs === 0 || closed) {
      startFlush();
    } else {
      timer ??= setTimeout(startFlush, options.maxWaitMs);
    }
  }

  function startFlush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (flushing || queue.length === 0) return;
    const items = queue.slice(0, options.maxItems);
    queue = queue.slice(items.length);
    inFlight = items.length;
    flushing = flushUntilDone(items).finally(() => {
      flushing = undefined;
      inFlight = 0;
      // Whatever arrived during the round trip has waited long enough: send it now ("natural
      // batching": under load, batches grow to fill one round trip).
      if (queue.length > 0) startFlush();
    });
  }

  return {
    add(item) {
      queue.push(item);
      if (queue.length >= options.maxItems) startFlush();
      else schedule();
    },
    pending: () => queue.length + inFlight,
    async close(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while ((flushing || queue.length > 0) && Date.now() < deadline) {
        startFlush();
        await Promise.race([flushing, sleep(Math.max(0, deadline - Date.now()))]);
      }
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
