export * from './athlete-set.js';
export * from './plan-athlete-update.js';
export { laterSetInSession, orderSets, type OrderedSet } from './session-groups.js';
export * from './athlete-fold.js';
export * from './aerobic-minute.js';
export { modelBasis } from './model-basis.js';
