/*
 * Drift control within a stretch with no still moment in it (touch-and-go reps): the bar turns
 * around at the same height as it started from. A stretch starting at rest and going down started at
 * a lockout, so each later top (a maximum between an ascent and a descent of the bar) is at a lockout
 * again; one starting upwards started on the floor or a bottom stop, so each later bottom is there. A
 * locked-out joint, the floor, the pins: a hard stop, the same height to within millimetres (the
 * depth of a bottom without a stop varies far more, so only the starting kind of turnaround is used).
 * The residual acceleration error is taken as linear in time between consecutive turnarounds; those
 * lines are the least-squares fit (ridge-regularised) of: each turnaround at the starting height
 * (±1 cm), the end at it too if the stretch ends at the same kind of stop, and zero velocity at the end.
 * Without such turnarounds (a paused rep's stretch) this is exactly the linear velocity ramp.
 */

/** Turnarounds count only after the bar has moved faster than this each way, m/s (noise wiggles do not). */
const EPISODE_MPS = 0.1;
/** … and at least this far from the starting height between them, m. */
const MIN_EXCURSION_M = 0.1;
/** A turnaround further than this from the starting height is not at the same stop (re-racking, a step): not used, m. */
const MAX_MISMATCH_M = 0.5;
/** After the fit, a height further than this from it is not at the same stop either, m. */
const OUTLIER_M = 0.04;
const SIGMA_HEIGHT_M = 0.01;
const SIGMA_VELOCITY_MPS = 0.001;
const SIGMA_BIAS_MPS2 = 0.05;

/**
 * Per-sample acceleration corrections (to subtract) for accelerations a[0..n), sampled every dt from
 * rest at the stretch's start (velocity 0 before a[0]); `atRest`: the stretch is still at sample n − 1
 * (otherwise the samples stopped while it moved: only the turnarounds are levelled).
 * Returns null when there is nothing to level (no turnaround of the starting kind): the caller's linear
 * ramp does the same then.
 */
export function levelTurnarounds(a: readonly number[], n: number, dt: number, atRest = true): Float64Array | null {
  if (n < 4) return null;
  const h = dt / 2;
  // Uncorrected velocity and position (relative to the start).
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  let vi = 0;
  let pi = 0;
  let prevA = 0;
  for (let i = 0; i < n; i++) {
    const nv = vi + (prevA + a[i]!) * h;
    pi += (vi + nv) * h;
    vi = nv;
    prevA = a[i]!;
    v[i] = vi;
    p[i] = pi;
  }
  // Turnarounds are found on the velocity and position with the drift taken as a linear ramp.
  const ramp = atRest ? v[n - 1]! / n : 0;
  const pc = new Float64Array(n);
  for (let i = 0; i < n; i++) pc[i] = p[i]! - ramp * (i + 1) * (i + 2) * h;
  let start = 0; // −1: the stretch starts downwards (from a lockout), +1: upwards (from the floor)
  let direction = 0;
  let extreme = -1;
  let farthest = 0; // from the starting height, the other way, since the last turnaround
  const turns: number[] = [];
  for (let i = 0; i < n; i++) {
    const vc = v[i]! - ramp * (i + 1);
    if (start === 0) {
      if (Math.abs(vc) > EPISODE_MPS) start = direction = vc > 0 ? 1 : -1;
      continue;
    }
    if (start * pc[i]! > farthest) farthest = start * pc[i]!;
    if (direction === -start) {
      // Moving back towards the starting height: follow the extreme, a turnaround once it reverses.
      if (extreme < 0 || -start * (pc[i]! - pc[extreme]!) > 0) extreme = i;
      if (vc * start > EPISODE_MPS) {
        if (farthest > MIN_EXCURSION_M && Math.abs(pc[extreme]!) < MAX_MISMATCH_M) turns.push(extreme);
        direction = start;
        farthest = 0;
      }
    } else if (vc * start < -EPISODE_MPS) {
      direction = -start;
      extreme = -1;
    }
  }
  if (turns.length === 0) return null;
  const ends = atRest && direction === -start && farthest > MIN_EXCURSION_M && Math.abs(pc[n - 1]!) < MAX_MISMATCH_M;

  // Segments [s_j, e_j) between the turnarounds; on each, a correction c_j + d_j·(t − s_j)/(e_j − s_j)
  // (piecewise linear: the least-energy correction of a random-walk velocity error is).
  const bounds = [0, ...turns.map((i) => i + 1), n];
  const K = 2 * (bounds.length - 1);
  const rows: Row[] = [];
  /** Velocity (order 1) or position (order 2) at time t due to a unit constant / unit ramp on each segment. */
  const response = (t: number, order: 1 | 2): Float64Array => {
    const coef = new Float64Array(K);
    for (let j = 0; 2 * j < K; j++) {
      const s0 = bounds[j]! * dt;
      const L = bounds[j + 1]! * dt - s0;
      const x = Math.min(Math.max(t - s0, 0), L);
      const after = Math.max(0, t - s0 - L);
      if (order === 1) {
        coef[2 * j] = x;
        coef[2 * j + 1] = (x * x) / (2 * L);
      } else {
        coef[2 * j] = (x * x) / 2 + L * after;
        coef[2 * j + 1] = (x * x * x) / (6 * L) + (L / 2) * after;
      }
    }
    return coef;
  };
  for (const i of turns) rows.push({ coef: response((i + 1) * dt, 2), y: p[i]!, w: 1 / SIGMA_HEIGHT_M ** 2, height: true });
  const T = n * dt;
  if (ends) rows.push({ coef: response(T, 2), y: p[n - 1]!, w: 1 / SIGMA_HEIGHT_M ** 2, height: true });
  if (atRest) rows.push({ coef: response(T, 1), y: v[n - 1]!, w: 1 / SIGMA_VELOCITY_MPS ** 2, height: false });

  // Fit; a height that the others disagree with by more than OUTLIER_M is not at the same stop: drop
  // the worst such and fit again.
  let x = solve(rows, K);
  for (;;) {
    if (x === null) return null;
    let worst = -1;
    let worstRes = OUTLIER_M;
    rows.forEach((row, r) => {
      if (!row.height) return;
      const res = Math.abs(row.y - dot(row.coef, x!));
      if (res > worstRes) {
        worst = r;
        worstRes = res;
      }
    });
    if (worst < 0) break;
    rows.splice(worst, 1);
    x = solve(rows, K);
  }
  const out = new Float64Array(n);
  for (let j = 0; 2 * j < K; j++) {
    const c = x[2 * j]!;
    const d = x[2 * j + 1]!;
    const s0 = bounds[j]!;
    const L = bounds[j + 1]! - s0;
    // Sample i holds the mean acceleration over (i − 1, i]: the ramp at its middle.
    for (let i = s0; i < s0 + L; i++) out[i] = c + (d * (i - s0 + 0.5)) / L;
  }
  return out;
}

interface Row {
  readonly coef: Float64Array;
  readonly y: number;
  readonly w: number;
  /** A height (the starting one) rather than the end velocity. */
  readonly height: boolean;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};

/** Ridge least squares: (AᵀWA + I/σ²) x = AᵀWy by Gaussian elimination (K is small). */
function solve(rows: readonly Row[], K: number): Float64Array | null {
  const A = Array.from({ length: K }, () => new Float64Array(K + 1));
  for (let j = 0; j < K; j++) A[j]![j]! += 1 / SIGMA_BIAS_MPS2 ** 2;
  for (const { coef, y, w } of rows) {
    for (let j = 0; j < K; j++) {
      const cj = coef[j]! * w;
      if (cj === 0) continue;
      for (let k = 0; k < K; k++) A[j]![k]! += cj * coef[k]!;
      A[j]![K]! += cj * y;
    }
  }
  for (let col = 0; col < K; col++) {
    let pivot = col;
    for (let r = col + 1; r < K; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[pivot]![col]!)) pivot = r;
    [A[col], A[pivot]] = [A[pivot]!, A[col]!];
    const d = A[col]![col]!;
    if (d === 0) return null;
    for (let r = 0; r < K; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / d;
      if (f === 0) continue;
      for (let k = col; k <= K; k++) A[r]![k]! -= f * A[col]![k]!;
    }
  }
  const x = new Float64Array(K);
  for (let j = 0; j < K; j++) x[j] = A[j]![K]! / A[j]![j]!;
  return x;
}
