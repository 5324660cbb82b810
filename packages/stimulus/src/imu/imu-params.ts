/* Tunables of the imu segmenter: the samples segmenter's (phases, validity, waiting) plus its own. */
import { resolveSegmenterParams, type SegmenterParams } from '../segmentation/params.js';

export interface ImuOwnParams {
  /** A sample is quiet when its vertical specific force is within this of the gravity reference, m/s². */
  readonly stillAccelMps2: number;
  /** … and (with a gyro) its bias-corrected angular rate is under this, rad/s. */
  readonly stillGyroRadS: number;
  /** A still moment (zero velocity) is this long a run of quiet samples, ms … */
  readonly stillMs: number;
  /** … whose mean vertical acceleration is under this, m/s² … */
  readonly stillMeanAccelMps2: number;
  /**
   * … and the velocity integrated since the last still moment under this plus stillDriftMpsPerS per
   * second since then, m/s (a bar grinding or cruising at constant speed is quiet but not still).
   */
  readonly stillVelocityMps: number;
  readonly stillDriftMpsPerS: number;
  /** A run of quiet samples this long is a still moment whatever the velocity (a rest, after a wrong still moment: longer than any grind can be quiet), ms. */
  readonly stillRecoveryMs: number;
  /** Gyro mode: pull of "up" towards the accelerometer's direction while still, 1/s. */
  readonly stillCorrectionPerS: number;
  /** Gyro mode: the same pull while moving (only while the specific force is near g), 1/s. */
  readonly movingCorrectionPerS: number;
  /** Accelerometer only: time constant of "up" following the specific force's direction, s. */
  readonly accelOnlyTimeConstantS: number;
  /** Gyro bias: running mean over still samples, then an exponential average over this long, s. */
  readonly biasTimeConstantS: number;
  /** Longest stretch without a still moment kept for drift removal, s; older samples are integrated forward. */
  readonly maxStretchS: number;
}

export type ImuSegmenterParams = SegmenterParams & ImuOwnParams;

export const DEFAULT_IMU_OWN_PARAMS: ImuOwnParams = {
  stillAccelMps2: 0.15,
  stillGyroRadS: 0.05,
  stillMs: 100,
  stillMeanAccelMps2: 0.04,
  stillVelocityMps: 0.03,
  stillDriftMpsPerS: 0.005,
  stillRecoveryMs: 6000,
  stillCorrectionPerS: 5,
  movingCorrectionPerS: 0.5,
  accelOnlyTimeConstantS: 0.03,
  biasTimeConstantS: 2,
  maxStretchS: 60,
};

/**
 * Defaults of the samples segmenter the imu path changes. The position it is given is integrated from
 * acceleration, so it carries no sample-to-sample noise to filter out: a 12 Hz cut-off (6–10 Hz for
 * `samples`) rounds starts and lockouts less (MCV error SD at 100 Hz 0.0040 → 0.0021 m/s on the
 * accuracy seeds, paused sets; README).
 */
export const IMU_SEGMENTER_DEFAULTS: Partial<SegmenterParams> = { cutoffHz: 12 };

const DEFAULT_IMU_PARAMS: ImuSegmenterParams = { ...resolveSegmenterParams(IMU_SEGMENTER_DEFAULTS), ...DEFAULT_IMU_OWN_PARAMS };

export function resolveImuParams(overrides: Partial<ImuSegmenterParams> | undefined): ImuSegmenterParams {
  if (overrides === undefined) return DEFAULT_IMU_PARAMS;
  const segmenterKeys: Partial<SegmenterParams> = { ...IMU_SEGMENTER_DEFAULTS };
  const own: Record<string, number> = { ...DEFAULT_IMU_OWN_PARAMS };
  for (const [key, value] of Object.entries<number | undefined>(overrides ?? {})) {
    if (value === undefined) continue;
    if (key in DEFAULT_IMU_OWN_PARAMS) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`imu segmenter parameter ${key} must be a finite number > 0 (got ${String(value)})`);
      own[key] = value;
    } else (segmenterKeys as Record<string, number>)[key] = value;
  }
  return { ...resolveSegmenterParams(segmenterKeys), ...(own as unknown as ImuOwnParams) };
}
