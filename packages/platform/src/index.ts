export * from './config.js';
export * from './logger.js';
export * from './metrics.js';
export * from './errors.js';
export * from './shutdown.js';
export * from './health-server.js';
export * from './run-service.js';
