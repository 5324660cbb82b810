/**
 * Rep and sample jobs put points on live dashboards and feed in-set alerts; a set job recomputes its
 * athlete's model and can wait. While foreground work runs or waits in this process, a set job holds
 * back before it starts, for at most `maxWaitMs`: a burst then stores every rep first and the set
 * jobs catch up after it, while a steady stream of rep batches only slows the set jobs down.
 * A bound of 0 turns the gate off.
 */
export interface ForegroundGate {
  /** Runs foreground work (a rep or samples job). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Foreground jobs are queued and not yet taken (true) or the queues are drained (false). */
  setBacklog(queue: string, waiting: boolean): void;
  /** Resolves once no foreground work runs or waits, or after `maxWaitMs`; true when it waited that long. */
  yieldToForeground(): Promise<boolean>;
  /** Foreground jobs running now (for tests and metrics). */
  readonly running: number;
}

export function createForegroundGate(maxWaitMs: number): ForegroundGate {
  let running = 0;
  const backlogged = new Set<string>();
  const waiters = new Set<() => void>();
  const busy = () => running > 0 || backlogged.size > 0;
  const wakeIfIdle = () => {
    if (busy()) return;
    for (const wake of [...waiters]) wake();
  };

  return {
    async run(work) {
      running++;
      try {
        return await work();
      } finally {
        running--;
        wakeIfIdle();
      }
    },
    setBacklog(queue, waiting) {
      if (waiting) backlogged.add(queue);
      else backlogged.delete(queue);
      wakeIfIdle();
    },
    yieldToForeground() {
      if (maxWaitMs <= 0 || !busy()) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const finish = (timedOut: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(timedOut);
        };
        const wake = () => finish(false);
        const timer = setTimeout(() => finish(true), maxWaitMs);
        waiters.add(wake);
      });
    },
    get running() {
      return running;
    },
  };
}
