import { describe, expect, it, vi } from 'vitest';
import { createPendingPublishes } from './pending-publishes.js';

describe('createPendingPublishes', () => {
  it('settles each entry once and reports when drained', async () => {
    const pending = createPendingPublishes();
    const resolved = vi.fn();
    const rejected = vi.fn();
    const entry = pending.add(resolved, rejected);
    const drained = pending.drained(60_000);
    expect(pending.size()).toBe(1);
    pending.settle(entry);
    pending.settle(entry, new Error('late'));
    await drained;
    expect(resolved).toHaveBeenCalledTimes(1);
    expect(rejected).not.toHaveBeenCalled();
    expect(pending.size()).toBe(0);
  });

  it('stops waiting for the drain after the timeout', async () => {
    vi.useFakeTimers();
    try {
      const pending = createPendingPublishes();
      pending.add(vi.fn(), vi.fn());
      const drained = pending.drained(1000);
      await vi.advanceTimersByTimeAsync(1000);
      await drained;
      expect(pending.size()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects everything still pending', () => {
    const pending = createPendingPublishes();
    const rejected = vi.fn();
    pending.add(vi.fn(), rejected);
    pending.add(vi.fn(), rejected);
    const error = new Error('closed');
    pending.rejectAll(error);
    expect(rejected).toHaveBeenCalledTimes(2);
    expect(rejected).toHaveBeenCalledWith(error);
    expect(pending.size()).toBe(0);
  });
});
