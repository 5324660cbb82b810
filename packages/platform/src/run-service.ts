import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigError } from './config.js';
import { startHealthServer } from './health-server.js';
import { exitOnSignals } from './shutdown.js';

/**
 * Runs a service's `main`. A configuration error prints its message (every bad setting, one per line);
 * any other start failure prints the error. Either way the process exits 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}

/**
 * For a service running alone: serves /healthz, /readyz and /metrics on `port` (0: none) and, on
 * SIGTERM, closes that server and then the service. Returns the health server's URL.
 */
export async function serveAlone(
  service: { ready(): boolean; close(): Promise<void> },
  options: { port: number; registry: Registry; logger: Logger },
): Promise<string | undefined> {
  const health =
    options.port > 0
      ? await startHealthServer({ port: options.port, registry: options.registry, checks: { live: () => true, ready: () => service.ready() } })
      : undefined;
  exitOnSignals({ close: async () => { await health?.close(); await service.close(); } }, options.logger);
  return health?.url;
}
