/** Set bookkeeping in Redis shared by ingest (device messages) and the worker (segmented reps). */
export { toLuaArgs, type SetOp } from './set-ops.js';
export { APPLY_SET_OPS, CLOSE_IDLE_SETS, HOLD_LOCK, REMOVE_CLOSING_IF_OWNER } from './set-state-scripts.js';
