import { ConfigError, createLogger, exitOnSignals, loadConfig } from '@neurolift/platform';
import { startPipeline } from './app.js';
import { PipelineConfigSchema } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig('pipeline', PipelineConfigSchema, process.env);
  const logger = createLogger({ name: 'pipeline', level: config.LOG_LEVEL });
  const pipeline = await startPipeline(config, logger);
  exitOnSignals(pipeline, logger);
  logger.info({ api: pipeline.apiUrl }, 'pipeline started');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
