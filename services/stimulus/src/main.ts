import { ConfigError, createLogger, createRegistry, exitOnSignals, loadConfig, startHealthServer } from '@neurolift/platform';
import { readFileSync } from 'node:fs';
import { startStimulusWorker } from './app.js';
import { WorkerConfigSchema } from './config.js';
import { modelSettings, type ModelSettings } from './model-settings.js';

/** Model constants from MODEL_CONSTANTS_FILE; a bad file stops the worker naming the setting. */
function loadModel(file: string | undefined): ModelSettings {
  try {
    return modelSettings(file === undefined ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as unknown));
  } catch (error) {
    throw new ConfigError('stimulus worker', [{ setting: 'MODEL_CONSTANTS_FILE', message: error instanceof Error ? error.message : String(error) }]);
  }
}

async function main(): Promise<void> {
  const config = loadConfig('stimulus worker', WorkerConfigSchema, process.env);
  const logger = createLogger({ name: 'stimulus', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const model = loadModel(config.MODEL_CONSTANTS_FILE);
  const worker = await startStimulusWorker(config, logger, { registry, model });
  logger.info({ model: model.modelId }, 'model');
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
