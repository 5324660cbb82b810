/** One publish waiting for its PUBACK. Opaque to callers. */
export interface PendingEntry {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface PendingPublishes {
  add(resolve: () => void, reject: (error: Error) => void): PendingEntry;
  /** Resolves (no error) or rejects the entry's promise, once; later calls for it do nothing. */
  settle(entry: PendingEntry, error?: Error): void;
  size(): number;
  /** Resolves when nothing is pending or after `timeoutMs`, whichever comes first. Never rejects. */
  drained(timeoutMs: number): Promise<void>;
  /** Rejects every entry still pending (on close, so no caller waits forever). */
  rejectAll(error: Error): void;
}

/**
 * The client's own ledger of publishes handed to MQTT.js. MQTT.js keeps the packets; this keeps the
 * promises, so `pending()` and `maxBuffered` count exactly what callers still wait for, and close()
 * can reject what MQTT.js would otherwise leave unanswered.
 */
export function createPendingPublishes(): PendingPublishes {
  const entries = new Set<PendingEntry>();
  let drainWaiters: Array<() => void> = [];

  const notifyIfDrained = (): void => {
    if (entries.size > 0) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const wake of waiters) wake();
  };

  return {
    add(resolve, reject) {
      const entry = { resolve, reject };
      entries.add(entry);
      return entry;
    },
    settle(entry, error) {
      if (!entries.delete(entry)) return;
      if (error === undefined) entry.resolve();
      else entry.reject(error);
      notifyIfDrained();
    },
    size: () => entries.size,
    drained(timeoutMs) {
      if (entries.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timer);
          drainWaiters = drainWaiters.filter((wake) => wake !== done);
          resolve();
        }
        drainWaiters.push(done);
      });
    },
    rejectAll(error) {
      for (const entry of [...entries]) {
        entries.delete(entry);
        entry.reject(error);
      }
      notifyIfDrained();
    },
  };
}
