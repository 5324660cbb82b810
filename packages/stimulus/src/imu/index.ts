/** Streaming rep segmentation from `imu` blocks (device protocol v1.1): pure core, JSON-safe state. */
export type { Axes, ImuBlock, ImuMount } from './types.js';
export { DEFAULT_IMU_OWN_PARAMS, resolveImuParams, type ImuOwnParams, type ImuSegmenterParams } from './imu-params.js';
export type { ImuStreamState, PendingImuBlock } from './imu-stream.js';
export type { UpState } from './orientation.js';
export type { ZuptState } from './zupt-integrator.js';
export * from './imu-segmenter.js';
export {
  generateSyntheticImuTrace,
  planImuSet,
  shuffleImuBlocks,
  splitImuIntoBlocks,
  withoutGyro,
  type ImuRepKind,
  type ImuSetOptions,
  type SyntheticImuOptions,
  type SyntheticImuTrace,
} from './synthetic-imu.js';
