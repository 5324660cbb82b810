export * from './velocity-loss.js';
export * from './set-metrics.js';
export * from './model/index.js';
export * from './athlete/index.js';
export * from './segmentation/index.js';
export * from './imu/index.js';
