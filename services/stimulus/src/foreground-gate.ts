/**
 * Rep and sample jobs put points on live dashboards and feed in-set alerts; a set job recomputes its
 * athlete's model and can wait. While foreground jobs run in this process or wait in their queues, a
 * set job holds back before it starts, for at most `maxWaitMs`: a burst then stores every rep first and
 * the set jobs catch up after it, while a steady stream of rep batches only slows the set jobs down.
 * A bound of 0 turns the gate off.
 */
export interface ForegroundGate {
  /** Runs foreground work (a rep or samples job). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves once no foreground work runs or waits, or after `maxWaitMs`; true when it waited that long. */
  yieldToForeground(): Promise<boolean>;
  /** Foreground jobs running now in this process. */
  readonly running: number;
}

export interface ForegroundGateOptions {
  readonly maxWaitMs: number;
  /** Foreground jobs waiting in their queues (not yet taken by any worker). */
  readonly backlog: () => Promise<number>;
  /** How often a held-back set job asks for the backlog again when no local foreground job finishes, ms. */
  readonly pollMs?: number;
}

export function createForegroundGate(options: ForegroundGateOptions): ForegroundGate {
  const { maxWaitMs, backlog, pollMs = 50 } = options;
  let running = 0;
  const onFinish = new Set<() => void>();
  /** The next foreground job to finish here, or `ms` passing, whichever comes first. */
  const nextFinishOr = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        onFinish.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      onFinish.add(done);
    });

  return {
    async run(work) {
      running++;
      try {
        return await work();
      } finally {
        running--;
        for (const done of [...onFinish]) done();
      }
    },
    async yieldToForeground() {
      if (maxWaitMs <= 0) return false;
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        // A backlog that cannot be read (Redis away) must not hold set jobs: they meet the same error.
        if (running === 0 && (await backlog().catch(() => 0)) === 0) return false;
        const left = deadline - Date.now();
        if (left <= 0) return true;
        await nextFinishOr(Math.min(pollMs, left));
      }
    },
    get running() {
      return running;
    },
  };
}
