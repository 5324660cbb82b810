import { ConfigError, createLogger, createRegistry, loadConfig, runMain, serveAlone } from '@neurolift/platform';
import { readFileSync } from 'node:fs';
import { startStimulusWorker } from './app.js';
import { WorkerConfigSchema } from './config.js';
import { modelSettings, type ModelSettings } from '@neurolift/storage';

/** Model constants from MODEL_CONSTANTS_FILE; a bad file stops the worker naming the setting. */
function loadModel(file: string | undefined): ModelSettings {
  try {
    return modelSettings(file === undefined ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as unknown));
  } catch (error) {
    throw new ConfigError('stimulus worker', [{ setting: 'MODEL_CONSTANTS_FILE', message: error instanceof Error ? error.message : String(error) }]);
  }
}

runMain(async () => {
  const config = loadConfig('stimulus worker', WorkerConfigSchema, process.env);
  const logger = createLogger({ name: 'stimulus', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const model = loadModel(config.MODEL_CONSTANTS_FILE);
  const worker = await startStimulusWorker(config, logger, { registry, model });
  const metrics = await serveAlone(worker, { port: config.METRICS_PORT, registry, logger });
  logger.info({ model: model.modelId, metrics }, 'stimulus worker started');
});
