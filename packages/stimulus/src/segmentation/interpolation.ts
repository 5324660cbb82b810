/* Interpolation between two filtered samples, for the phase detector's threshold crossings. */

/** Cubic Hermite position at fraction θ between two samples dtS seconds apart. */
export function hermite(p0: number, v0: number, p1: number, v1: number, dtS: number, theta: number): number {
  const t2 = theta * theta;
  const t3 = t2 * theta;
  return (2 * t3 - 3 * t2 + 1) * p0 + (t3 - 2 * t2 + theta) * dtS * v0 + (-2 * t3 + 3 * t2) * p1 + (t3 - t2) * dtS * v1;
}

/**
 * Where the velocity crosses `level` between two samples: the root in [0, 1] of the cubic Hermite
 * through (v0, a0) and (v1, a1) (a in m/s², dtS in s). The cubic follows a smooth start from rest
 * (v ∝ t²) far better than a straight line. Requires v0 − level and v1 − level of opposite signs (or zero).
 */
export function crossingFraction(v0: number, a0: number, v1: number, a1: number, dtS: number, level: number): number {
  const y0 = v0 - level;
  const y1 = v1 - level;
  const m0 = a0 * dtS;
  const m1 = a1 * dtS;
  let lo = 0;
  let hi = 1;
  const rising = y1 > y0;
  for (let i = 0; i < 24; i++) {
    const t = (lo + hi) / 2;
    const t2 = t * t;
    const t3 = t2 * t;
    const y = (2 * t3 - 3 * t2 + 1) * y0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * y1 + (t3 - t2) * m1;
    if (y > 0 === rising) hi = t;
    else lo = t;
  }
  return (lo + hi) / 2;
}
