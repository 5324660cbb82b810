/* An `imu` block as the segmenter needs it (device protocol v1.1; an ImuMessage minus its ids fits). */

export type ImuMount = 'bar' | 'forearm' | 'wrist' | 'hip';

/** Three equal-length arrays, one per sensor axis. */
export interface Axes {
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly z: readonly number[];
}

export interface ImuBlock {
  /** Epoch ms of the first sample. */
  readonly t0: number;
  /** Sample rate, Hz (protocol: 50–1000). */
  readonly hz: number;
  /** External load, kg. */
  readonly loadKg: number;
  readonly mount: ImuMount;
  /** Specific force in the sensor's own frame, m/s², gravity included (≈ 9.81 along "up" at rest). */
  readonly accel: Axes;
  /** Angular rate in the sensor frame, rad/s, same length as accel. */
  readonly gyro?: Axes | undefined;
}
