export { startIngest, type IngestService, type IngestOverrides } from './app.js';
export { IngestConfigSchema, type IngestConfig } from './config.js';
