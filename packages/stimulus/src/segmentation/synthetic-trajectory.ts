/* The exact bar trajectory of a synthetic trace (see synthetic-trace.ts). */

/** A stretch of the velocity curve: v(t) = v0 + a0·τ + j·τ²/2 for τ = t − t0 in [0, duration]; p0 = position at t0. */
/** A knot of the velocity polyline: absolute time (s), velocity (m/s), rounding of its corner (s). */
export interface TrajectoryKnot {
  readonly t: number;
  readonly v: number;
  readonly round: number;
}

interface Piece {
  readonly t0: number;
  readonly duration: number;
  readonly p0: number;
  readonly v0: number;
  readonly a0: number;
  readonly j: number;
}

/**
 * A jerk-limited velocity curve: a polyline through knots (t_k, v_k) — constant acceleration between
 * knots — whose corners are rounded over τ_k (constant jerk), so acceleration is continuous and
 * piecewise linear, like a bar driven by muscles with a finite rate of force development. Position,
 * velocity, acceleration and the zero crossings of v have closed forms.
 */
export class JerkLimitedTrajectory {
  private readonly knots: TrajectoryKnot[] = [];
  private pieces: Piece[] = [];

  constructor(readonly startPosition: number) {
    this.knots.push({ t: 0, v: 0, round: 0 });
  }

  /** A built trajectory through `knots` (the zero knot first, as `knotList` gives them). */
  static fromKnots(startPosition: number, knots: readonly TrajectoryKnot[]): JerkLimitedTrajectory {
    const traj = new JerkLimitedTrajectory(startPosition);
    for (const knot of knots.slice(1)) traj.push(knot.t - traj.end, knot.v, knot.round);
    traj.build();
    return traj;
  }

  /** A copy of the knots, the zero knot first (to rebuild a perturbed trajectory, as the accuracy bound does). */
  knotList(): TrajectoryKnot[] {
    return this.knots.map((knot) => ({ ...knot }));
  }

  get end(): number {
    return this.knots[this.knots.length - 1]?.t ?? 0;
  }

  /** Appends a knot `dt` after the last; the corner there is rounded over `round` seconds. */
  push(dt: number, v: number, round: number): void {
    this.knots.push({ t: this.end + dt, v, round });
  }

  /** Drops the last knot; returns the time step it had (to join two movements touch-and-go). */
  pop(): number {
    const last = this.knots.pop();
    return (last?.t ?? 0) - this.end;
  }

  /** Builds the pieces (call once, after the last push). */
  build(): void {
    const k = this.knots;
    const n = k.length;
    const slopes: number[] = [];
    for (let i = 0; i + 1 < n; i++) slopes.push((k[i + 1]!.v - k[i]!.v) / (k[i + 1]!.t - k[i]!.t));
    const aIn = (i: number) => (i > 0 ? slopes[i - 1]! : 0);
    const aOut = (i: number) => (i < n - 1 ? slopes[i]! : 0);
    // Corner half-widths, limited so neighbouring roundings never overlap.
    const half = k.map((knot, i) => {
      if (aIn(i) === aOut(i)) return 0;
      const before = i > 0 ? knot.t - k[i - 1]!.t : Infinity;
      const after = i < n - 1 ? k[i + 1]!.t - knot.t : Infinity;
      return Math.min(knot.round / 2, 0.45 * before, 0.45 * after);
    });
    const raw: Array<Omit<Piece, 'p0'>> = [];
    for (let i = 0; i < n; i++) {
      const knot = k[i]!;
      const h = half[i]!;
      if (h > 0) raw.push({ t0: knot.t - h, duration: 2 * h, v0: knot.v - aIn(i) * h, a0: aIn(i), j: (aOut(i) - aIn(i)) / (2 * h) });
      if (i < n - 1) {
        const from = knot.t + h;
        const to = k[i + 1]!.t - half[i + 1]!;
        if (to > from) raw.push({ t0: from, duration: to - from, v0: knot.v + slopes[i]! * h, a0: slopes[i]!, j: 0 });
      }
    }
    let p = this.startPosition;
    this.pieces = raw.map((piece) => {
      const out = { ...piece, p0: p };
      const d = piece.duration;
      p += piece.v0 * d + (piece.a0 * d * d) / 2 + (piece.j * d * d * d) / 6;
      return out;
    });
  }

  pieceAt(time: number, hint = 0): number {
    const pieces = this.pieces;
    let i = Math.max(0, Math.min(hint, pieces.length - 1));
    while (i > 0 && (pieces[i]?.t0 ?? 0) > time) i--;
    while (i < pieces.length - 1 && (pieces[i + 1]?.t0 ?? Infinity) <= time) i++;
    return i;
  }

  /** [position, velocity, acceleration] at `time` (seconds from the start). */
  at(time: number, hint = 0): [number, number, number] {
    const piece = this.pieces[this.pieceAt(time, hint)];
    if (piece === undefined) return [this.startPosition, 0, 0];
    if (time < piece.t0) return [piece.p0, 0, 0];
    const tau = Math.min(time - piece.t0, piece.duration);
    const extra = time - piece.t0 - tau; // after the last piece: constant velocity
    const v = piece.v0 + piece.a0 * tau + (piece.j * tau * tau) / 2;
    const a = extra > 0 ? 0 : piece.a0 + piece.j * tau;
    const p = piece.p0 + piece.v0 * tau + (piece.a0 * tau * tau) / 2 + (piece.j * tau * tau * tau) / 6 + v * extra;
    return [p, v, a];
  }

  /** Maximal intervals [start, end] (seconds) where sign·v > level. */
  phases(sign: 1 | -1, level: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let start: number | undefined;
    // Within 1e-12 m/s of the level counts as on it (rests are exactly 0, roundings end at 0 up to rounding error).
    const vAt = (piece: Piece, tau: number) => {
      const y = sign * (piece.v0 + piece.a0 * tau + (piece.j * tau * tau) / 2) - level;
      return Math.abs(y) < 1e-12 ? 0 : y;
    };
    for (const piece of this.pieces) {
      // Sub-divide and bisect: a piece is a parabola, so 8 sub-intervals cannot hide two crossings
      // that matter here (the curve is monotone near its zeros).
      const steps = 8;
      for (let s = 0; s < steps; s++) {
        let lo = (piece.duration * s) / steps;
        let hi = (piece.duration * (s + 1)) / steps;
        const a = vAt(piece, lo);
        const b = vAt(piece, hi);
        const rising = a <= 0 && b > 0;
        const falling = a > 0 && b <= 0;
        if (!rising && !falling) continue;
        for (let it = 0; it < 80; it++) {
          const mid = (lo + hi) / 2;
          if ((vAt(piece, mid) > 0) === rising) hi = mid;
          else lo = mid;
        }
        const t = piece.t0 + (rising ? hi : lo);
        if (rising && start === undefined) start = t;
        else if (falling && start !== undefined) {
          out.push([start, t]);
          start = undefined;
        }
      }
    }
    return out;
  }
}
