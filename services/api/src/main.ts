import { ConfigError, createLogger, exitOnSignals, loadConfig } from '@neurolift/platform';
import { startApi } from './app.js';
import { ApiConfigSchema } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig('api', ApiConfigSchema, process.env);
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
  const api = await startApi(config, logger);
  exitOnSignals(api, logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
