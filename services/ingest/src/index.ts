export { startIngest, type IngestService, type IngestOverrides } from './app.js';
export { IngestConfigSchema, type IngestConfig } from './config.js';
export { createRedisIntakeStore } from './adapters/redis-intake-store.js';
export { buildCommit } from './commit-builder.js';
