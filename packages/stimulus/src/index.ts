export * from './velocity-loss.js';
export * from './set-metrics.js';
