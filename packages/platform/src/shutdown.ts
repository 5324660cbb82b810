import type { Logger } from 'pino';

export interface Closeable {
  close(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT: close the service (which stops intake, drains, flushes and disconnects in
 * reverse order of opening), then exit 0; exit 1 if closing fails or exceeds `timeoutMs`.
 */
export function exitOnSignals(service: Closeable, logger: Logger, timeoutMs = 30_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    service.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Runs closers in order, all of them even if one fails; rethrows the first failure. Idempotent per list. */
export async function closeAll(closers: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let first: unknown;
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first instanceof Error ? first : new Error(`close failed: ${JSON.stringify(first)}`);
}

/** Wraps a close function so that calling it twice returns the same promise. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | undefined;
  return () => (promise ??= close());
}
