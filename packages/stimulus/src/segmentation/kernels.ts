/*
 * Zero-phase FIR kernels: a Blackman-windowed sinc low-pass h(t) and its first and second time
 * derivatives, sampled at the internal rate. Convolving the positions with them gives the filtered
 * position, velocity and acceleration of the same smooth interpolant, with no phase lag: the output
 * at sample i uses samples i−L … i+L (L samples of look-ahead).
 *
 * A windowed sinc has a flat pass band, so its low moments vanish: polynomials of low degree pass
 * unchanged, and a turnaround (a smooth extremum of position) keeps its height and its time.
 */

export interface FilterKernels {
  /** Half-length L: the output needs L samples before and L after. */
  readonly half: number;
  /** Position weights w[0..L]; p̂ᵢ = w₀xᵢ + Σⱼ wⱼ(xᵢ₊ⱼ + xᵢ₋ⱼ). Σ = 1. */
  readonly position: Float64Array;
  /** Velocity weights d[0..L] (d₀ = 0); v̂ᵢ = Σⱼ dⱼ(xᵢ₊ⱼ − xᵢ₋ⱼ), m/s for x in m. Exact on ramps. */
  readonly velocity: Float64Array;
  /** Acceleration weights c[0..L]; âᵢ = c₀xᵢ + Σⱼ cⱼ(xᵢ₊ⱼ + xᵢ₋ⱼ), m/s². Zero on constants, exact on parabolas. */
  readonly acceleration: Float64Array;
  /** The internal rate they were designed for, Hz, and the cut-off used (clamped below Nyquist). */
  readonly rateHz: number;
  readonly cutoffHz: number;
}

const cache = new Map<string, FilterKernels>();

/** Kernels for `rateHz` (the internal, decimated rate), memoised. */
export function filterKernels(rateHz: number, cutoffHz: number, lengthFactor: number): FilterKernels {
  const key = `${rateHz}|${cutoffHz}|${lengthFactor}`;
  let kernels = cache.get(key);
  if (kernels === undefined) {
    kernels = designKernels(rateHz, cutoffHz, lengthFactor);
    if (cache.size > 256) cache.clear();
    cache.set(key, kernels);
  }
  return kernels;
}

function designKernels(rateHz: number, requestedCutoffHz: number, lengthFactor: number): FilterKernels {
  // Keep the cut-off well below Nyquist at very low sample rates.
  const fc = Math.min(requestedCutoffHz, 0.35 * rateHz);
  const L = Math.max(2, Math.ceil((lengthFactor * rateHz) / fc));
  const windowHalf = (L + 1) / rateHz; // the window reaches zero one sample beyond the last tap
  const h = (t: number): number => {
    const x = t / windowHalf;
    if (Math.abs(x) >= 1) return 0;
    const window = 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
    const arg = 2 * Math.PI * fc * t;
    const sinc = arg === 0 ? 1 : Math.sin(arg) / arg;
    return sinc * window;
  };
  const delta = 1e-3 / rateHz; // numerical derivative step (the functions are smooth)
  const position = new Float64Array(L + 1);
  const velocity = new Float64Array(L + 1);
  const acceleration = new Float64Array(L + 1);
  for (let j = 0; j <= L; j++) {
    const t = j / rateHz;
    position[j] = h(t);
    velocity[j] = -(h(t + delta) - h(t - delta)) / (2 * delta);
    acceleration[j] = (h(t + delta) - 2 * h(t) + h(t - delta)) / (delta * delta);
  }
  velocity[0] = 0;

  // Position: unit DC gain.
  let sum = position[0]!;
  for (let j = 1; j <= L; j++) sum += 2 * position[j]!;
  for (let j = 0; j <= L; j++) position[j] = position[j]! / sum;

  // Velocity: exact on a unit ramp x_m = m/r, i.e. Σ dⱼ·2j/r = 1.
  let ramp = 0;
  for (let j = 1; j <= L; j++) ramp += (velocity[j]! * 2 * j) / rateHz;
  for (let j = 1; j <= L; j++) velocity[j] = velocity[j]! / ramp;

  // Acceleration: zero on constants (Σ = 0), exact on x_m = (m/r)²/2, i.e. Σ_{j≥1} cⱼ j²/r² = 1.
  let tail = 0;
  for (let j = 1; j <= L; j++) tail += 2 * acceleration[j]!;
  acceleration[0] = -tail;
  let parabola = 0;
  for (let j = 1; j <= L; j++) parabola += (acceleration[j]! * j * j) / (rateHz * rateHz);
  for (let j = 0; j <= L; j++) acceleration[j] = acceleration[j]! / parabola;

  return { half: L, position, velocity, acceleration, rateHz, cutoffHz: fc };
}
