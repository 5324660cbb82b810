export * from './athlete-set.js';
export * from './plan-athlete-update.js';
export { laterSetInSession } from './session-groups.js';
