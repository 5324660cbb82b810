/*
 * Where "up" is in the sensor's frame, sample by sample, and the specific force along it.
 *
 * With a gyro (complementary filter, Mahony-style on the one direction that matters): "up" is a
 * world-fixed vector seen from a rotating sensor, so it turns by −ω (du/dt = u × ω), ω corrected by
 * the gyro bias learnt while still. The accelerometer's direction pulls it back: firmly while still
 * (where the specific force is gravity alone), gently while moving and only when the specific force is
 * near g (otherwise it is mostly the lift's own acceleration, not gravity).
 *
 * Accelerometer only: during a lift the bar moves nearly vertically, so the specific force points
 * along "up" (or down, braking harder than g) with only the sway's horizontal acceleration beside it.
 * "Up" follows its direction (sign kept) through a short low-pass that averages the sway out, trusted
 * most when the specific force is near g (then the lift, and with it the sway, accelerates least) and
 * not at all under g/2; a lag behind the bar's roll costs only g·(1 − cos δ), second order in the lag.
 *
 * The gyro bias is a running mean over still samples. The accelerometer's bias is a vector b in the
 * sensor frame: at rest the specific force along "up" reads g + b·u. A bar rolls as it moves, so the
 * sensor rests in different orientations (top and bottom of a paused rep); a least-squares fit of
 * g + b·u to all still samples (g nominal, a small ridge for the directions never seen) then gives b in
 * the plane "up" turns in, and b·u is removed along the whole lift, not only the bias at the last rest.
 * (A local g off the nominal one looks like a bias along every "up" seen: a constant the zero-velocity
 * updates remove anyway.)
 */
import type { ImuOwnParams } from './imu-params.js';

/** The tracker's state between blocks (plain numbers). */
export interface UpState {
  /** Unit "up" in the sensor frame. */
  readonly up: readonly [number, number, number];
  /** Gyro bias, rad/s. */
  readonly bias: readonly [number, number, number];
  /** Accelerometer bias estimate (sensor frame, m/s²): the least-squares fit of the still samples. */
  readonly accelBias: readonly [number, number, number];
  /** Σ u·uᵀ (xx, xy, xz, yy, yz, zz) and Σ (f·u − g)·u over still samples (the fit's normal equations). */
  readonly normal: readonly [number, number, number, number, number, number, number, number, number];
  /**
   * Still samples not yet in the fit, [Σux, Σuy, Σuz, Σ(f·u), raw samples]: the chunk before the
   * current one and the current one (a chunk is fitted once the chunk after it is complete, so the
   * samples just before the bar starts to move never are).
   */
  readonly chunks: readonly [number, number, number, number, number, number, number, number, number, number];
  /** Still samples averaged into the gyro bias so far (capped: the mean becomes exponential). */
  readonly stillSamples: number;
}

export const freshUp = (): UpState => ({ up: [0, 0, 1], bias: [0, 0, 0], accelBias: [0, 0, 0], normal: [0, 0, 0, 0, 0, 0, 0, 0, 0], chunks: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], stillSamples: 0 });

export class UpTracker {
  /** Unit "up" in the sensor frame (read by the stream for the bias fit; written only here). */
  ux: number;
  uy: number;
  uz: number;
  private bx: number;
  private by: number;
  private bz: number;
  private cx: number;
  private cy: number;
  private cz: number;
  private readonly normal: number[];
  private readonly chunks: number[];
  private n: number;
  private readonly g: number;
  /** The last sample's bias-corrected angular rate, rad/s (0 without a gyro), and specific force along "up", m/s². */
  rate = 0;
  s = 0;
  private readonly kStill: number;
  private readonly kMove: number;
  private readonly kAccel: number;
  private readonly nCap: number;

  constructor(
    state: UpState,
    private readonly dt: number,
    params: ImuOwnParams & { readonly gravity: number },
  ) {
    [this.ux, this.uy, this.uz] = state.up;
    [this.bx, this.by, this.bz] = state.bias;
    [this.cx, this.cy, this.cz] = state.accelBias;
    this.normal = state.normal.slice();
    this.chunks = state.chunks.slice();
    this.n = state.stillSamples;
    this.g = params.gravity;
    this.kStill = Math.min(1, params.stillCorrectionPerS * dt);
    this.kMove = Math.min(1, params.movingCorrectionPerS * dt);
    this.kAccel = Math.min(1, dt / params.accelOnlyTimeConstantS);
    this.nCap = Math.max(1, Math.round(params.biasTimeConstantS / dt));
  }

  /** The stream's first sample: at rest, "up" is the specific force's direction and the reference its size. */
  start(ax: number, ay: number, az: number): void {
    const fn = Math.sqrt(ax * ax + ay * ay + az * az);
    if (fn === 0) return;
    this.ux = ax / fn;
    this.uy = ay / fn;
    this.uz = az / fn;
    // Until a still moment is fitted: the whole excess along this "up".
    this.cx = (fn - this.g) * this.ux;
    this.cy = (fn - this.g) * this.uy;
    this.cz = (fn - this.g) * this.uz;
  }

  /** Has a still moment been fitted yet? */
  get fitted(): boolean {
    return this.normal[0]! + this.normal[3]! + this.normal[5]! > 0;
  }

  /**
   * A still (internal) sample: Σ "up" (sx, sy, sz) and Σ specific force along it `sf` over `weight`
   * raw samples. It joins the fit of the accelerometer bias one chunk (`chunk` raw samples) later, if
   * the bar is still still then: a slow start stays under the quiet limit for tens of ms, and those
   * samples would bias the fit.
   */
  addStill(sx: number, sy: number, sz: number, sf: number, weight: number, chunk: number): void {
    const c = this.chunks;
    c[5]! += sx;
    c[6]! += sy;
    c[7]! += sz;
    c[8]! += sf;
    c[9]! += weight;
    if (c[9]! < chunk) return;
    if (c[4]! > 0) this.fit(c[0]! / c[4]!, c[1]! / c[4]!, c[2]! / c[4]!, c[3]! / c[4]!, c[4]!);
    for (let i = 0; i < 5; i++) {
      c[i] = c[i + 5]!;
      c[i + 5] = 0;
    }
  }

  /** The bar moves: the still samples not yet fitted are dropped. */
  dropPending(): void {
    if (this.chunks[4] !== 0 || this.chunks[9] !== 0) this.chunks.fill(0);
  }

  private fit(ux: number, uy: number, uz: number, s: number, weight: number): void {
    const e = (s - this.g) * weight;
    const m = this.normal;
    m[0]! += ux * ux * weight;
    m[1]! += ux * uy * weight;
    m[2]! += ux * uz * weight;
    m[3]! += uy * uy * weight;
    m[4]! += uy * uz * weight;
    m[5]! += uz * uz * weight;
    m[6]! += e * ux;
    m[7]! += e * uy;
    m[8]! += e * uz;
    this.fitBias();
  }

  /** Solves the ridge-regularised normal equations for the accelerometer bias. */
  private fitBias(): void {
    const [xx, xy, xz, yy, yz, zz, bx, by, bz] = this.normal as [number, number, number, number, number, number, number, number, number];
    const ridge = 1e-3 * (xx + yy + zz) + 1e-9;
    const a = xx + ridge;
    const d = yy + ridge;
    const f = zz + ridge;
    // Symmetric 3×3 [a xy xz; xy d yz; xz yz f] by cofactors.
    const c00 = d * f - yz * yz;
    const c01 = xz * yz - xy * f;
    const c02 = xy * yz - xz * d;
    const c11 = a * f - xz * xz;
    const c12 = xy * xz - a * yz;
    const c22 = a * d - xy * xy;
    const det = a * c00 + xy * c01 + xz * c02;
    if (!(Math.abs(det) > 0)) return;
    this.cx = (c00 * bx + c01 * by + c02 * bz) / det;
    this.cy = (c01 * bx + c11 * by + c12 * bz) / det;
    this.cz = (c02 * bx + c12 * by + c22 * bz) / det;
  }

  /** One sample; returns the vertical acceleration (specific force along "up" − g − b·u), m/s². `still`: the sample lies in a still moment. */
  step(ax: number, ay: number, az: number, gx: number, gy: number, gz: number, hasGyro: boolean, still: boolean): number {
    let ux = this.ux;
    let uy = this.uy;
    let uz = this.uz;
    const fn = Math.sqrt(ax * ax + ay * ay + az * az);
    if (hasGyro) {
      const wx = gx - this.bx;
      const wy = gy - this.by;
      const wz = gz - this.bz;
      this.rate = Math.sqrt(wx * wx + wy * wy + wz * wz);
      const dt = this.dt;
      const nx = ux + dt * (uy * wz - uz * wy);
      const ny = uy + dt * (uz * wx - ux * wz);
      const nz = uz + dt * (ux * wy - uy * wx);
      ux = nx;
      uy = ny;
      uz = nz;
      const k = still ? this.kStill : Math.abs(fn - this.g) < 0.5 ? this.kMove : 0;
      if (k > 0 && fn > 0) {
        ux += k * (ax / fn - ux);
        uy += k * (ay / fn - uy);
        uz += k * (az / fn - uz);
      }
    } else if (fn > 0.5 * this.g) {
      this.rate = 0;
      const sign = ax * ux + ay * uy + az * uz >= 0 ? 1 : -1;
      // The sway's horizontal acceleration goes with the lift's own (and the direction is steadiest
      // when there is little of either): trust the specific force's direction most when its size is
      // near g, little during hard accelerating or braking, not at all under g/2.
      const off = (fn - this.g) / 2;
      const k = still ? Math.max(this.kAccel, this.kStill) : this.kAccel / (1 + off * off);
      ux += k * ((sign * ax) / fn - ux);
      uy += k * ((sign * ay) / fn - uy);
      uz += k * ((sign * az) / fn - uz);
    }
    const norm = Math.sqrt(ux * ux + uy * uy + uz * uz);
    ux /= norm;
    uy /= norm;
    uz /= norm;
    this.ux = ux;
    this.uy = uy;
    this.uz = uz;
    const s = ax * ux + ay * uy + az * uz;
    this.s = s;
    if (still && hasGyro) {
      if (this.n < this.nCap) this.n++;
      const alpha = 1 / this.n;
      this.bx += alpha * (gx - this.bx);
      this.by += alpha * (gy - this.by);
      this.bz += alpha * (gz - this.bz);
    }
    return s - this.g - (this.cx * ux + this.cy * uy + this.cz * uz);
  }

  toState(): UpState {
    const m = this.normal;
    const c = this.chunks;
    return {
      up: [this.ux, this.uy, this.uz],
      bias: [this.bx, this.by, this.bz],
      accelBias: [this.cx, this.cy, this.cz],
      normal: [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!],
      chunks: [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!],
      stillSamples: this.n,
    };
  }
}
