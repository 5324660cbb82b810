/** Streaming rep segmentation from raw `samples` blocks (issue 4): pure core, JSON-safe state. */
export * from './types.js';
export * from './params.js';
export { filterKernels, type FilterKernels } from './kernels.js';
export type { PhaseState, StreamState } from './stream-state.js';
export * from './segmenter.js';
export * from './synthetic-trace.js';
