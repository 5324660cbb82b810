import { createLogger, createRegistry, loadConfig, runMain, serveAlone } from '@neurolift/platform';
import { startAlerts } from './app.js';
import { AlertsConfigSchema } from './config.js';

runMain(async () => {
  const config = loadConfig('alerts', AlertsConfigSchema, process.env);
  const logger = createLogger({ name: 'alerts', level: config.LOG_LEVEL });
  const registry = createRegistry();
  const alerts = await startAlerts(config, logger, { registry });
  const metrics = await serveAlone(alerts, { port: config.METRICS_PORT, registry, logger });
  logger.info({ metrics }, 'alerts service started');
});
