import { createLogger, exitOnSignals, loadConfig, runMain } from '@neurolift/platform';
import { startApi } from './app.js';
import { ApiServiceConfigSchema } from './config.js';

runMain(async () => {
  const config = loadConfig('api', ApiServiceConfigSchema, process.env);
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
  const api = await startApi(config, logger);
  exitOnSignals(api, logger);
});
