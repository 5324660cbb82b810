export { startPipeline, type Pipeline, type PipelineConfig } from './app.js';
export { PipelineConfigSchema } from './config.js';
