import { createLogger, createRegistry, loadConfig, runMain, serveAlone } from '@neurolift/platform';
import { startStimulusWorker } from './app.js';
import { WorkerConfigSchema } from './config.js';
import { loadModelSettings } from '@neurolift/storage';

runMain(async () => {
  const config = loadConfig('stimulus worker', WorkerConfigSchema, process.env);
  const logger = createLogger({ name: 'stimulus', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const model = loadModelSettings(config.MODEL_CONSTANTS_FILE, 'stimulus worker');
  const worker = await startStimulusWorker(config, logger, { registry, model });
  const metrics = await serveAlone(worker, { port: config.METRICS_PORT, registry, logger });
  logger.info({ model: model.modelId, metrics }, 'stimulus worker started');
});
