/**
 * The Neurotrophic Stimulus Index (NSI) model, version `nsi-1` with the heart-rate part of `nsi-1.1`
 * (spec: /work/shared/design/stimulus-model.md).
 * A heuristic stimulus-dose index — not a measured or predicted BDNF level.
 */
export * from './constants.js';
export * from './time.js';
export * from './e1rm.js';
export * from './set-model.js';
export * from './session.js';
export * from './exposure.js';
export * from './acute.js';
export * from './heart-rate.js';
export * from './heart-rate-aerobic.js';
export * from './heart-rate-set.js';
