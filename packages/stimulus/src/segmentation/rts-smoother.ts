/*
 * Fixed-interval Rauch–Tung–Striebel smoother of evenly spaced position samples (boundary-refiner.ts
 * runs it on a short window around each concentric boundary; it is too slow for every sample).
 *
 * State model: n states (position, velocity, acceleration, …) of a polynomial whose highest state is
 * driven by white noise of spectral density q — n = 4 is a constant-jerk model driven by white snap.
 * Measurement: the position plus white noise of variance r. Small n×n matrices in flat row-major arrays.
 */

export interface SmootherOptions {
  /** Number of states n ≥ 2 (4: position, velocity, acceleration, jerk). */
  readonly order: number;
  /** Spectral density of the white noise driving the highest state (m²/s^(2n−1)). */
  readonly q: number;
  /** Measurement noise variance, m². */
  readonly r: number;
  /** Prior standard deviations of states 1 … n−1 at the first sample (the position's prior is diffuse). */
  readonly priorSd: readonly number[];
  /** Optional multiplier of q for the step from sample k − 1 to k (index k; a small value: the model is nearly rigid there). */
  readonly qScale?: ArrayLike<number>;
  /**
   * Optional release of states 1 … n−1 at sample `at`: their variance grows by sd² there (where the
   * model's assumption changes, e.g. the end of a nearly rigid stretch: whatever the bar is doing
   * then is not known from before).
   */
  readonly release?: { readonly at: number; readonly sd: readonly number[] };
}

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));

/** Transition over dt: F_ij = dt^(j−i)/(j−i)! for j ≥ i. */
export function transitionMatrix(n: number, dt: number): Float64Array {
  const F = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) F[i * n + j] = Math.pow(dt, j - i) / factorial(j - i);
  return F;
}

/** Process noise over dt per unit q: Q_ij = dt^e / (e·(n−1−i)!·(n−1−j)!), e = 2n − 1 − i − j. */
export function processNoiseMatrix(n: number, dt: number): Float64Array {
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = 2 * n - 1 - i - j;
      Q[i * n + j] = Math.pow(dt, e) / (e * factorial(n - 1 - i) * factorial(n - 1 - j));
    }
  }
  return Q;
}

/** out = a·b (n×n; out distinct from a and b). */
function multiply(n: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      out[i * n + j] = s;
    }
  }
}

/** out = a⁻¹ for a symmetric positive-definite a (Gauss–Jordan; the diagonal stays positive, no pivoting). */
function invert(n: number, a: Float64Array, work: Float64Array, out: Float64Array): void {
  work.set(a);
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    const d = 1 / work[c * n + c]!;
    for (let k = 0; k < n; k++) {
      work[c * n + k]! *= d;
      out[c * n + k]! *= d;
    }
    for (let r = 0; r < n; r++) {
      const f = work[r * n + c]!;
      if (r === c || f === 0) continue;
      for (let k = 0; k < n; k++) {
        work[r * n + k]! -= f * work[c * n + k]!;
        out[r * n + k]! -= f * out[c * n + k]!;
      }
    }
  }
}

/**
 * The gains of the smoother over N samples: with a linear Gaussian model they do not depend on the
 * data, so a caller smoothing many windows of the same model computes them once.
 */
export interface SmootherGains {
  readonly order: number;
  readonly length: number;
  readonly F: Float64Array;
  /** Kalman gains, n per sample. */
  readonly K: Float64Array;
  /** Smoother gains Cₖ = Pₖ|ₖ Fᵀ Pₖ₊₁|ₖ⁻¹, n×n per sample (the last unused). */
  readonly C: Float64Array;
}

/** The gains for N samples dt seconds apart (see SmootherGains). */
export function smootherGains(N: number, dt: number, o: SmootherOptions): SmootherGains {
  const n = o.order;
  const nn = n * n;
  const F = transitionMatrix(n, dt);
  const Ft = new Float64Array(nn);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Ft[j * n + i] = F[i * n + j]!;
  const Q = processNoiseMatrix(n, dt);
  const K = new Float64Array(N * n);
  const C = new Float64Array(N * nn);
  const PFilt = new Float64Array(N * nn);
  const PPred = new Float64Array(N * nn);
  const P = new Float64Array(nn);
  const tmp = new Float64Array(nn);
  P[0] = 1e4 * o.r; // diffuse: the first sample sets the position
  for (let i = 1; i < n; i++) P[i * n + i] = (o.priorSd[i - 1] ?? 1) ** 2;
  for (let k = 0; k < N; k++) {
    if (k > 0) {
      multiply(n, F, PFilt.subarray((k - 1) * nn, k * nn), tmp);
      multiply(n, tmp, Ft, P);
      const q = o.q * (o.qScale ? o.qScale[k]! : 1);
      for (let i = 0; i < nn; i++) P[i]! += q * Q[i]!;
      if (o.release?.at === k) for (let i = 1; i < n; i++) P[i * n + i]! += (o.release.sd[i - 1] ?? 0) ** 2;
    }
    PPred.set(P, k * nn);
    // Update with the position measurement (H = [1, 0, …]): K = P·Hᵀ / (H·P·Hᵀ + r).
    const s = P[0] + o.r;
    for (let i = 0; i < n; i++) K[k * n + i] = P[i * n]! / s;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) PFilt[k * nn + i * n + j] = P[i * n + j]! - (P[i * n]! * P[j]!) / s;
  }
  const inv = new Float64Array(nn);
  const work = new Float64Array(nn);
  for (let k = 0; k + 1 < N; k++) {
    multiply(n, PFilt.subarray(k * nn, (k + 1) * nn), Ft, tmp);
    invert(n, PPred.subarray((k + 1) * nn, (k + 2) * nn), work, inv);
    multiply(n, tmp, inv, C.subarray(k * nn, (k + 1) * nn));
  }
  return { order: n, length: N, F, K, C };
}

/**
 * The smoothed states of y with precomputed gains (y.length = gains.length): states[s][k] is state s
 * (0 position, 1 velocity, 2 acceleration, …) at sample k, given all of y. The prior mean is the
 * first sample at rest.
 */
export function applySmoother(y: ArrayLike<number>, g: SmootherGains): Float64Array[] {
  const n = g.order;
  const nn = n * n;
  const N = g.length;
  const { F, K, C } = g;
  const xPred = new Float64Array(N * n);
  const xs = new Float64Array(N * n);
  // Forward (Kalman) pass.
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      if (k === 0) s = i === 0 ? y[0]! : 0;
      else for (let j = 0; j < n; j++) s += F[i * n + j]! * xs[(k - 1) * n + j]!;
      xPred[k * n + i] = s;
    }
    const innovation = y[k]! - xPred[k * n]!;
    for (let i = 0; i < n; i++) xs[k * n + i] = xPred[k * n + i]! + K[k * n + i]! * innovation;
  }
  // Backward pass: x̂ₖ = xₖ|ₖ + Cₖ (x̂ₖ₊₁ − xₖ₊₁|ₖ).
  for (let k = N - 2; k >= 0; k--) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += C[k * nn + i * n + j]! * (xs[(k + 1) * n + j]! - xPred[(k + 1) * n + j]!);
      xs[k * n + i]! += s;
    }
  }
  const states: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const col = new Float64Array(N);
    for (let k = 0; k < N; k++) col[k] = xs[k * n + i]!;
    states.push(col);
  }
  return states;
}

/** The smoothed states of samples y taken dt seconds apart (see applySmoother). */
export function rtsSmooth(y: ArrayLike<number>, dt: number, o: SmootherOptions): Float64Array[] {
  return applySmoother(y, smootherGains(y.length, dt, o));
}
