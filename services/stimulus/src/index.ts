export { startStimulusWorker, type StimulusWorker, type WorkerOverrides } from './app.js';
export { WorkerConfigSchema, type WorkerConfig } from './config.js';
export { repLine, setLine } from './points.js';
export { athleteLines } from './athlete/athlete-lines.js';
export { processSet, type SetJobDeps, type SetJobResult } from './process-set.js';
export { createRedisSetStore } from './adapters/redis-set-store.js';
export { processHeartRate, type HeartRateJobDeps } from './heart-rate/process-heart-rate.js';
export { writeLiveHeartRate } from './heart-rate/live-heart-rate.js';
