import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import fc from 'fast-check';
import { createBatcher, type BatcherOptions } from './batcher.js';

interface FlushCall<T> {
  readonly items: readonly T[];
  resolve(): void;
  reject(error: Error): void;
}

/** A flush whose calls the test settles by hand; it records how many run at the same time. */
function controlledFlush<T>() {
  const calls: Array<FlushCall<T>> = [];
  let active = 0;
  let maxActive = 0;
  const flush = (items: T[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      active++;
      maxActive = Math.max(maxActive, active);
      calls.push({
        items: [...items],
        resolve: () => {
          active--;
          resolve();
        },
        reject: (error) => {
          active--;
          reject(error);
        },
      });
    });
  const call = (index: number): FlushCall<T> => {
    const found = calls[index];
    if (!found) return expect.fail(`flush call ${index} did not happen (${calls.length} calls)`);
    return found;
  };
  return { calls, flush, call, maxActive: () => maxActive, batches: () => calls.map((c) => c.items) };
}

/** Lets promise callbacks run (and timers due now fire) without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

function options<T>(overrides: Partial<BatcherOptions<T>> & Pick<BatcherOptions<T>, 'flush'>): BatcherOptions<T> {
  return { maxItems: 100, maxWaitMs: 1000, onFlushError: () => undefined, retryDelayMs: () => 0, ...overrides };
}

describe('createBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes as soon as maxItems items are queued, without waiting for maxWaitMs', async () => {
    const f = controlledFlush<number>();
    const batcher = createBatcher(options({ maxItems: 3, maxWaitMs: 1000, flush: f.flush }));
    batcher.add(1);
    batcher.add(2);
    await settle();
    expect(f.calls).toHaveLength(0);
    batcher.add(3);
    await settle();
    expect(f.batches()).toEqual([[1, 2, 3]]);
    f.call(0).resolve();
    // The wait timer of the first item must not cause another (empty) flush.
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.batches()).toEqual([[1, 2, 3]]);
    expect(batcher.pending()).toBe(0);
  });

  it('flushes a partial batch maxWaitMs after its first item', async () => {
    const f = controlledFlush<string>();
    const batcher = createBatcher(options({ maxItems: 10, maxWaitMs: 1000, flush: f.flush }));
    batcher.add('a');
    await vi.advanceTimersByTimeAsync(400);
    batcher.add('b'); // does not restart the clock
    await vi.advanceTimersByTimeAsync(599);
    expect(f.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.batches()).toEqual([['a', 'b']]);
    f.call(0).resolve();
    await settle();

    // The next item starts a new wait.
    batcher.add('c');
    await vi.advanceTimersByTimeAsync(999);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.batches()).toEqual([['a', 'b'], ['c']]);
  });

  it('runs one flush at a time, in add order, each at most maxItems', async () => {
    const f = controlledFlush<number>();
    const batcher = createBatcher(options({ maxItems: 2, maxWaitMs: 10, flush: f.flush }));
    for (let i = 1; i <= 7; i++) batcher.add(i);
    await vi.advanceTimersByTimeAsync(10_000); // long past maxWaitMs: still only one flush in flight
    expect(f.batches()).toEqual([[1, 2]]);
    f.call(0).resolve();
    await settle();
    expect(f.batches()).toEqual([[1, 2], [3, 4]]);
    f.call(1).resolve();
    await settle();
    f.call(2).resolve();
    await settle();
    expect(f.batches()).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    f.call(3).resolve();
    await settle();
    expect(f.maxActive()).toBe(1);
    expect(batcher.pending()).toBe(0);
  });

  it('sends items that arrived during a flush right after it, with no extra wait', async () => {
    const f = controlledFlush<number>();
    const batcher = createBatcher(options({ maxItems: 100, maxWaitMs: 1000, flush: f.flush }));
    batcher.add(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.batches()).toEqual([[1]]);
    batcher.add(2);
    batcher.add(3);
    await settle();
    expect(f.calls).toHaveLength(1);
    const before = Date.now();
    f.call(0).resolve();
    await settle();
    expect(f.batches()).toEqual([[1], [2, 3]]);
    expect(Date.now()).toBe(before);
  });

  it('retries a failing flush with the same items until it succeeds, reporting increasing attempts', async () => {
    const errors = [new Error('redis down 1'), new Error('redis down 2'), new Error('redis down 3')];
    const calls: number[][] = [];
    const flush = vi.fn((items: number[]) => {
      calls.push([...items]);
      const error = errors[calls.length - 1];
      return error ? Promise.reject(error) : Promise.resolve();
    });
    const onFlushError = vi.fn();
    const batcher = createBatcher(options({ maxItems: 2, maxWaitMs: 1000, flush, onFlushError, retryDelayMs: () => 0 }));
    batcher.add(1);
    batcher.add(2);
    batcher.add(3); // queued behind the failing batch; must not join it
    await vi.runAllTimersAsync();
    expect(calls.slice(0, 4)).toEqual([[1, 2], [1, 2], [1, 2], [1, 2]]);
    expect(onFlushError.mock.calls).toEqual([
      [errors[0], 1],
      [errors[1], 2],
      [errors[2], 3],
    ]);
    // After the success, the queued item is flushed on its own.
    expect(calls[4]).toEqual([3]);
    expect(calls).toHaveLength(5);
    expect(batcher.pending()).toBe(0);
  });

  it('waits retryDelayMs(attempt) between attempts', async () => {
    let attempts = 0;
    const flush = vi.fn(() => {
      attempts++;
      return attempts <= 2 ? Promise.reject(new Error('fail')) : Promise.resolve();
    });
    const retryDelayMs = vi.fn((attempt: number) => attempt * 100);
    const batcher = createBatcher(options({ maxItems: 1, flush, retryDelayMs }));
    batcher.add('x');
    await settle();
    expect(flush).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(flush).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flush).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(flush).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(flush).toHaveBeenCalledTimes(3);
    expect(retryDelayMs.mock.calls.map((c) => c[0])).toEqual([1, 2]);
    expect(batcher.pending()).toBe(0);
  });

  it('pending() counts queued and in-flight items until their flush succeeds', async () => {
    const f = controlledFlush<number>();
    const batcher = createBatcher(options({ maxItems: 10, maxWaitMs: 1000, flush: f.flush }));
    expect(batcher.pending()).toBe(0);
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    expect(batcher.pending()).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.calls).toHaveLength(1);
    expect(batcher.pending()).toBe(3); // in flight, not yet acknowledged
    batcher.add(4);
    batcher.add(5);
    expect(batcher.pending()).toBe(5);
    f.call(0).reject(new Error('fail once'));
    await settle();
    expect(batcher.pending()).toBe(5); // a failed flush acknowledges nothing
    expect(f.calls).toHaveLength(2);
    f.call(1).resolve();
    await settle();
    expect(batcher.pending()).toBe(2); // 4 and 5 now in flight
    f.call(2).resolve();
    await settle();
    expect(batcher.pending()).toBe(0);
  });

  it('close() flushes what is queued without waiting for maxWaitMs', async () => {
    const flushed: number[][] = [];
    const batcher = createBatcher(options({ maxItems: 100, maxWaitMs: 60_000, flush: (items: number[]) => Promise.resolve(void flushed.push([...items])) }));
    batcher.add(1);
    batcher.add(2);
    const start = Date.now();
    await batcher.close();
    expect(flushed).toEqual([[1, 2]]);
    expect(batcher.pending()).toBe(0);
    expect(Date.now() - start).toBeLessThan(60_000);
  });

  it('close() waits for the flush in flight and then flushes the rest', async () => {
    const f = controlledFlush<number>();
    const batcher = createBatcher(options({ maxItems: 2, maxWaitMs: 60_000, flush: f.flush }));
    batcher.add(1);
    batcher.add(2); // in flight
    batcher.add(3); // queued
    let closed = false;
    const closing = batcher.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    f.call(0).resolve();
    await settle();
    expect(f.batches()).toEqual([[1, 2], [3]]);
    expect(closed).toBe(false);
    f.call(1).resolve();
    await settle();
    await closing;
    expect(closed).toBe(true);
    expect(batcher.pending()).toBe(0);
  });

  it('close(timeoutMs) gives up on a flush that keeps failing, and retries stop', async () => {
    const flush = vi.fn(() => Promise.reject(new Error('redis down')));
    const batcher = createBatcher(options({ maxItems: 10, maxWaitMs: 60_000, flush, retryDelayMs: () => 50 }));
    batcher.add(1);
    let closed = false;
    const closing = batcher.close(1000).then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(closed).toBe(true);
    const callsAtClose = flush.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(flush.mock.calls.length).toBeLessThanOrEqual(callsAtClose + 1);
  });

  it('close() on an idle batcher resolves at once', async () => {
    const flush = vi.fn(() => Promise.resolve());
    const batcher = createBatcher(options({ flush }));
    await batcher.close();
    expect(flush).not.toHaveBeenCalled();
  });
});

type Command = { readonly t: 'add'; readonly count: number } | { readonly t: 'tick'; readonly ms: number };

describe('createBatcher: property', () => {
  it('flushes every item successfully exactly once, in add order, one flush at a time, each batch ≤ maxItems', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 50 }),
        fc.array(
          fc.oneof(
            fc.record({ t: fc.constant('add' as const), count: fc.integer({ min: 1, max: 8 }) }),
            fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 80 }) }),
          ),
          { maxLength: 40 },
        ),
        fc.array(fc.boolean(), { maxLength: 30 }), // which flush attempts fail
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 30 }), // flush latencies
        async (maxItems, maxWaitMs, commands: Command[], failures, latencies) => {
          vi.useFakeTimers();
          try {
            const attempts: number[][] = [];
            const outcomes: boolean[] = [];
            const delivered: number[] = [];
            let active = 0;
            let maxActive = 0;
            const batcher = createBatcher<number>({
              maxItems,
              maxWaitMs,
              retryDelayMs: (attempt) => attempt % 7,
              onFlushError: () => undefined,
              flush: async (items) => {
                const index = attempts.length;
                attempts.push([...items]);
                active++;
                maxActive = Math.max(maxActive, active);
                try {
                  await new Promise((resolve) => setTimeout(resolve, latencies[index % Math.max(1, latencies.length)] ?? 0));
                  const fail = failures[index] ?? false;
                  outcomes.push(!fail);
                  if (fail) throw new Error(`attempt ${index} fails`);
                  delivered.push(...items);
                } finally {
                  active--;
                }
              },
            });
            let next = 0;
            for (const command of commands) {
              if (command.t === 'add') for (let i = 0; i < command.count; i++) batcher.add(next++);
              else await vi.advanceTimersByTimeAsync(command.ms);
            }
            const closing = batcher.close(3_600_000);
            await vi.runAllTimersAsync();
            await closing;

            expect(delivered).toEqual(Array.from({ length: next }, (_, i) => i));
            expect(maxActive).toBeLessThanOrEqual(1);
            expect(batcher.pending()).toBe(0);
            attempts.forEach((items, i) => {
              expect(items.length).toBeGreaterThanOrEqual(1);
              expect(items.length).toBeLessThanOrEqual(maxItems);
              // A failed attempt is retried with exactly the same items.
              if (outcomes[i] === false) expect(attempts[i + 1]).toEqual(items);
            });
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
