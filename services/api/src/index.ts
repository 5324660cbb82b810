export { buildApi, startApi, type ApiDeps, type ApiService, type ApiOverrides } from './app.js';
export { ApiConfigSchema, ApiServiceConfigSchema, TsdbDeleteApi, type ApiConfig } from './config.js';
export { runShardsCli, SHARDS_USAGE } from './cli/shards-cli.js';
