import { ConfigError, createLogger, createRegistry, exitOnSignals, loadConfig, startHealthServer } from '@neurolift/platform';
import { startStimulusWorker } from './app.js';
import { WorkerConfigSchema } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig('stimulus worker', WorkerConfigSchema, process.env);
  const logger = createLogger({ name: 'stimulus', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const worker = await startStimulusWorker(config, logger, { registry });
  const health = config.METRICS_PORT > 0
    ? await startHealthServer({ port: config.METRICS_PORT, registry, checks: { live: () => true, ready: () => worker.ready() } })
    : undefined;
  exitOnSignals({ close: async () => { await health?.close(); await worker.close(); } }, logger);
  logger.info({ metrics: health?.url }, 'stimulus worker started');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
