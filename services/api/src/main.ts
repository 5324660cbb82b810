import { createLogger, exitOnSignals, loadConfig, runMain } from '@neurolift/platform';
import { startApi } from './app.js';
import { ApiConfigSchema } from './config.js';

runMain(async () => {
  const config = loadConfig('api', ApiConfigSchema, process.env);
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
  const api = await startApi(config, logger);
  exitOnSignals(api, logger);
});
