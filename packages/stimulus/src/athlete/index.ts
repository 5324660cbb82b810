export * from './athlete-set.js';
export * from './plan-athlete-update.js';
