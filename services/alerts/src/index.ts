export { startAlerts, type AlertsService, type AlertsOverrides } from './app.js';
export { AlertsConfigSchema, type AlertsConfig } from './config.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, ALERT_ID_HEADER } from './webhook-signature.js';
export { alertLine } from './alert-line.js';
export { runCheck, type CheckDeps } from './checks/run-check.js';
export { createRedisAlertState } from './adapters/redis-alert-state.js';
export { createAlertQueues } from './adapters/bullmq-alert-queues.js';
