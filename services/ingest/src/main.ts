import { createLogger, createRegistry, loadConfig, runMain, serveAlone } from '@neurolift/platform';
import { startIngest } from './app.js';
import { IngestConfigSchema } from './config.js';

runMain(async () => {
  const config = loadConfig('ingest', IngestConfigSchema, process.env);
  const logger = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const service = await startIngest(config, logger, { registry });
  const metrics = await serveAlone(service, { port: config.METRICS_PORT, registry, logger });
  logger.info({ metrics }, 'ingest started');
});
