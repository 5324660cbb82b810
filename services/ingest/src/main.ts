import { createLogger, createRegistry, exitOnSignals, loadConfig, startHealthServer, ConfigError } from '@neurolift/platform';
import { startIngest } from './app.js';
import { IngestConfigSchema } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig('ingest', IngestConfigSchema, process.env);
  const logger = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const service = await startIngest(config, logger, { registry });
  const health = config.METRICS_PORT > 0
    ? await startHealthServer({ port: config.METRICS_PORT, registry, checks: { live: () => true, ready: () => service.ready() } })
    : undefined;
  exitOnSignals({ close: async () => { await health?.close(); await service.close(); } }, logger);
  logger.info({ metrics: health?.url }, 'ingest started');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
