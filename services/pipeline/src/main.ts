import { createLogger, exitOnSignals, loadConfig, runMain } from '@neurolift/platform';
import { startPipeline } from './app.js';
import { PipelineConfigSchema } from './config.js';

runMain(async () => {
  const config = loadConfig('pipeline', PipelineConfigSchema, process.env);
  const logger = createLogger({ name: 'pipeline', level: config.LOG_LEVEL });
  const pipeline = await startPipeline(config, logger);
  exitOnSignals(pipeline, logger);
  logger.info({ api: pipeline.apiUrl }, 'pipeline started');
});
