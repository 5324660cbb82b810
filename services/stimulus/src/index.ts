export { startStimulusWorker, type StimulusWorker, type WorkerOverrides } from './app.js';
export { WorkerConfigSchema, type WorkerConfig } from './config.js';
export { classifyWriteError, parseRetryAfter } from './adapters/influx-point-sink.js';
export { line } from './line-protocol.js';
export { repLine, setLine } from './points.js';
