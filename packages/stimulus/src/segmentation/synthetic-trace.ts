/*
 * Synthetic barbell traces with known truth, for the segmenter's tests, its benchmark and device
 * simulators. Deterministic given the injected PRNG (the core has no Math.random).
 *
 * The true bar velocity is jerk-limited: a polyline through knots (constant acceleration between
 * them) whose corners are rounded (constant jerk), so acceleration is continuous, as when muscles
 * drive the bar with a finite rate of force development. A set is a chain of movements (eccentric and
 * concentric phases) and rests: a movement accelerates to its peak velocity, cruises (slowing, with a
 * sticking dip when grinding) and brakes to a stop (lockout rounded over 40–100 ms); a paused start
 * rounds over 50–150 ms; a touch-and-go turnaround runs the braking straight into the next
 * acceleration, so v passes through zero with a finite acceleration.
 *
 * The truth is read from the exact trajectory, with the segmenter's phase definition: a concentric
 * phase is a maximal interval with v > +threshold (0.03 m/s), its ROM the displacement over it, its
 * mean velocity ROM ÷ duration. The measured position adds a slow drift (≤ ~1 mm/s) and uniform noise
 * (±noiseM) to the true position.
 */
import type { SamplesBlock } from './types.js';

/** A deterministic source of numbers in [0, 1). */
export type Prng = () => number;

/** mulberry32: a small, fast, deterministic PRNG (32-bit state) for tests and simulations. */
export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const STANDARD_GRAVITY = 9.81;

export interface SyntheticTraceOptions {
  /** Sample rate, Hz. */
  readonly hz: number;
  /** Epoch ms of the first sample (an integer, as on the wire). */
  readonly t0?: number;
  /** Number of reps (partial ones included); default 3–12 at random. */
  readonly reps?: number;
  /** Nominal ROM of a full rep, m; default 0.30–0.70 at random. */
  readonly romM?: number;
  readonly loadKg?: number;
  /** Mean concentric velocity of the first rep, m/s; default 0.35–1.20 at random. */
  readonly firstVelocity?: number;
  /** Uniform position noise amplitude, m (±noiseM); default 0.002. */
  readonly noiseM?: number;
  /** Slow drift of the position reading (≤ ~1 mm/s); default true. */
  readonly drift?: boolean;
  /** How many partial reps (never the first two); default 0–⌊(reps − 1)/3⌋ at random. */
  readonly partialReps?: number;
  /** The last rep grinds (mean velocity 0.15–0.25 m/s, a sticking point mid-way); default true. */
  readonly grindLastRep?: boolean;
  /** 'top': squat/bench style, each rep is eccentric then concentric; 'bottom': deadlift style. Default 'top'. */
  readonly startAt?: 'top' | 'bottom';
  /** Include a load-cell channel: load·(a + g) plus ±0.5 % noise. Default false. */
  readonly withForce?: boolean;
  /**
   * The truth's phase threshold, m/s (default 0.03, the segmenter's): a concentric phase is a
   * maximal interval with v > +threshold, an eccentric one with v < −threshold.
   */
  readonly phaseThresholdMps?: number;
  /** Range of the concentric braking limit, in g (default [0.6, 1.3]; above 1 the rep has a braking phase for MPV). */
  readonly concentricBrakingG?: readonly [number, number];
}

/** The truth of one rep of a synthetic trace. */
export interface TruthRep {
  readonly repIndex: number;
  /** Epoch ms (fractional) of the start and end of the concentric phase (v = +threshold at both). */
  readonly concentricStart: number;
  readonly concentricEnd: number;
  readonly rom: number;
  readonly meanVelocity: number;
  readonly peakVelocity: number;
  /** Mean velocity from the concentric start until a first falls below −g after peak velocity (the whole concentric if never). */
  readonly meanPropulsiveVelocity: number;
  /** Duration of the eccentric phase before this concentric; absent when there is none (deadlift-style first rep). */
  readonly eccentricMs?: number;
  /** Planned partial (ROM 40–70 % of nominal). */
  readonly partial: boolean;
  readonly grind: boolean;
}

export interface SyntheticTrace {
  readonly t0: number;
  readonly hz: number;
  readonly loadKg: number;
  readonly position: number[];
  readonly force?: number[];
  readonly truth: readonly TruthRep[];
  /** Descriptive: the features the trace contains. */
  readonly features: {
    readonly touchAndGoBottom: number;
    readonly pausedBottom: number;
    readonly pausedTop: number;
    readonly touchAndGoTop: number;
    readonly partial: number;
    readonly grind: boolean;
  };
}

const uniform = (prng: Prng, lo: number, hi: number) => lo + (hi - lo) * prng();

/** A stretch of the velocity curve: v(t) = v0 + a0·τ + j·τ²/2 for τ = t − t0 in [0, duration]; p0 = position at t0. */
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
  private readonly knots: Array<{ t: number; v: number; round: number }> = [];
  private pieces: Piece[] = [];

  constructor(private readonly startPosition: number) {
    this.knots.push({ t: 0, v: 0, round: 0 });
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

interface MovementPlan {
  /** +1 concentric (up), −1 eccentric (down). */
  readonly sign: 1 | -1;
  readonly displacement: number;
  readonly duration: number;
  readonly grind: boolean;
  /** Braking limit range, g. */
  readonly brakingG: readonly [number, number];
}

/**
 * Knots [dt, velocity, rounding] of one movement from rest to rest (after its starting zero knot):
 * acceleration to the peak velocity, a declining cruise (with a sticking dip when grinding), braking
 * to zero; scaled so the polyline covers the planned displacement. Physical limits: the bar
 * accelerates at most ~0.8–2 g and brakes at most ~0.6–1.3 g by default (more than g only when the lifter pulls
 * a light bar down; the braking phase of MPV); the phases are lengthened until the limits hold.
 */
function movementKnots(prng: Prng, plan: MovementPlan): Array<[number, number, number]> {
  const T = plan.duration;
  const g = STANDARD_GRAVITY;
  const maxAccel = plan.sign === 1 ? uniform(prng, 0.8, 2) * g : uniform(prng, 0.4, 0.8) * g;
  const maxBrake = uniform(prng, plan.brakingG[0], plan.brakingG[1]) * g;
  let accelShare = plan.grind ? uniform(prng, 0.12, 0.2) : uniform(prng, 0.25, 0.4);
  let brakeShare = plan.grind ? uniform(prng, 0.15, 0.22) : uniform(prng, 0.15, 0.3);
  const cruiseEnd = uniform(prng, 0.6, 0.95);
  const stick = uniform(prng, 0.3, 0.45);
  const stickAt = uniform(prng, 0.45, 0.55);
  let shape: Array<[number, number]> = [];
  let scale = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    shape = plan.grind
      ? [[accelShare * T, 1], [stickAt * T, stick], [(1 - brakeShare) * T, cruiseEnd], [T, 0]]
      : [[accelShare * T, 1], [(1 - brakeShare) * T, cruiseEnd], [T, 0]];
    let area = 0;
    let prevT = 0;
    let prevV = 0;
    for (const [t, v] of shape) {
      area += ((prevV + v) / 2) * (t - prevT);
      prevT = t;
      prevV = v;
    }
    scale = plan.displacement / area;
    const accel = scale / (accelShare * T);
    const brake = (cruiseEnd * scale) / (brakeShare * T);
    if (accel <= maxAccel && brake <= maxBrake) break;
    if (accel > maxAccel && accelShare < 0.45) accelShare *= 1.08;
    if (brake > maxBrake && brakeShare < 0.4) brakeShare *= 1.08;
    if (accelShare >= 0.45 && brakeShare >= 0.4) break; // as good as this duration allows
  }
  const knots: Array<[number, number, number]> = [];
  let prevT = 0;
  shape.forEach(([t, v], i) => {
    // Stopping (lockout / catch): rounded over 40–100 ms; interior corners 50–150 ms.
    const round = i === shape.length - 1 ? uniform(prng, 0.04, 0.1) : uniform(prng, 0.05, 0.15);
    knots.push([t - prevT, plan.sign * v * scale, round]);
    prevT = t;
  });
  return knots;
}

/**
 * Generates one set. Every rep is a full or partial concentric preceded (squat style) or followed
 * (deadlift style) by an eccentric; bottoms are touch-and-go (~40 %) or paused 0.3–1.5 s; tops are
 * paused 0.3–2.5 s (~80 %) or touch-and-go; the set starts and ends with 0.8–2 s of rest. Movements
 * from rest start with 50–150 ms of force development (rounded corner) and stop within 40–100 ms.
 */
export function generateSyntheticTrace(prng: Prng, options: SyntheticTraceOptions): SyntheticTrace {
  const hz = options.hz;
  const t0 = options.t0 ?? 1_793_032_880_000;
  const n = options.reps ?? 3 + Math.floor(prng() * 10);
  const rom0 = options.romM ?? uniform(prng, 0.3, 0.7);
  const loadKg = options.loadKg ?? Math.round(uniform(prng, 20, 200));
  const v1 = options.firstVelocity ?? uniform(prng, 0.35, 1.2);
  const fatigue = uniform(prng, 0, 0.4);
  const noiseM = options.noiseM ?? 0.002;
  const grindLast = options.grindLastRep ?? true;
  const startAt = options.startAt ?? 'top';
  const upBraking = options.concentricBrakingG ?? [0.6, 1.3];
  const downBraking: [number, number] = [0.8, 1.5];
  const maxPartial = Math.max(0, Math.floor((n - 1) / 3));
  const partialCount = Math.min(maxPartial, Math.max(0, options.partialReps ?? Math.floor(prng() * (maxPartial + 1))));

  // Which reps are partial: never the first two, never the grinding last one.
  const candidates: number[] = [];
  for (let i = 2; i < n - (grindLast ? 1 : 0); i++) candidates.push(i);
  const partial = new Set<number>();
  while (partial.size < partialCount && candidates.length > 0) {
    const pick = Math.floor(prng() * candidates.length);
    partial.add(candidates.splice(pick, 1)[0] ?? 0);
  }

  const traj = new JerkLimitedTrajectory(uniform(prng, 0.2, 1.5));
  const features = { touchAndGoBottom: 0, pausedBottom: 0, pausedTop: 0, touchAndGoTop: 0, partial: partial.size, grind: grindLast && n > 0 };
  const grindFlags: boolean[] = [];

  // The knot ending a rest rounds the next start: 50–150 ms of force development.
  const rest = (seconds: number) => traj.push(seconds, 0, uniform(prng, 0.05, 0.15));
  /** Appends a movement; `joinPrevious` drops the zero knot before it (touch-and-go turnaround). */
  const move = (plan: MovementPlan, joinPrevious: boolean) => {
    const knots = movementKnots(prng, plan);
    if (joinPrevious) {
      // The previous braking ramp runs on into this acceleration: v passes through zero with a
      // finite acceleration; the turnaround corner is rounded over 50–120 ms.
      traj.push(traj.pop(), 0, uniform(prng, 0.05, 0.12));
    }
    for (const [dt, v, round] of knots) traj.push(dt, v, round);
  };

  rest(uniform(prng, 0.8, 2));
  let touchPrev = false;
  for (let i = 0; i < n; i++) {
    const isGrind = grindLast && i === n - 1;
    grindFlags.push(isGrind);
    const rom = partial.has(i) ? Math.max(0.12, rom0 * uniform(prng, 0.4, 0.7)) : rom0 * uniform(prng, 0.97, 1.03);
    let mcv = isGrind ? uniform(prng, 0.15, 0.25) : v1 * (1 - (fatigue * i) / Math.max(1, n - 1));
    let concentricS = rom / mcv;
    if (concentricS < 0.3) {
      concentricS = 0.3;
      mcv = rom / concentricS;
    }
    const eccentricS = uniform(prng, 0.7, 2);
    const touchBottom = !isGrind && prng() < 0.4;
    const touchTop = i < n - 1 && prng() < 0.2;
    if (startAt === 'top') {
      move({ sign: -1, displacement: rom, duration: eccentricS, grind: false, brakingG: downBraking }, touchPrev);
      if (touchBottom) features.touchAndGoBottom++;
      else {
        features.pausedBottom++;
        rest(uniform(prng, 0.3, 1.5));
      }
      move({ sign: 1, displacement: rom, duration: concentricS, grind: isGrind, brakingG: upBraking }, touchBottom);
      if (touchTop) features.touchAndGoTop++;
      else {
        features.pausedTop++;
        rest(i === n - 1 ? uniform(prng, 0.8, 2) : uniform(prng, 0.3, 2.5));
      }
      touchPrev = touchTop;
    } else {
      move({ sign: 1, displacement: rom, duration: concentricS, grind: isGrind, brakingG: upBraking }, touchPrev);
      if (touchTop) features.touchAndGoTop++;
      else {
        features.pausedTop++;
        rest(uniform(prng, 0.3, 2));
      }
      move({ sign: -1, displacement: rom, duration: eccentricS, grind: false, brakingG: downBraking }, touchTop);
      if (touchBottom && i < n - 1) {
        features.touchAndGoBottom++;
        touchPrev = true;
      } else {
        features.pausedBottom++;
        rest(i === n - 1 ? uniform(prng, 0.8, 2) : uniform(prng, 0.3, 1.5));
        touchPrev = false;
      }
    }
  }
  traj.build();

  // Truth from the exact trajectory.
  const threshold = options.phaseThresholdMps ?? 0.03;
  const ups = traj.phases(1, threshold);
  const downs = traj.phases(-1, threshold);
  const truth: TruthRep[] = ups.map(([start, end], index) => {
    const p0 = traj.at(start)[0];
    const rom = traj.at(end)[0] - p0;
    let peak = 0;
    let peakAt = start;
    let hint = traj.pieceAt(start);
    for (let t = start; t <= end; t += 0.0002) {
      hint = traj.pieceAt(t, hint);
      const v = traj.at(t, hint)[1];
      if (v > peak) {
        peak = v;
        peakAt = t;
      }
    }
    let propulsiveEnd = end;
    for (let t = peakAt; t <= end; t += 0.0002) {
      hint = traj.pieceAt(t, hint);
      if (traj.at(t, hint)[2] < -STANDARD_GRAVITY) {
        propulsiveEnd = t;
        break;
      }
    }
    const previousUpEnd = index === 0 ? -Infinity : (ups[index - 1]?.[1] ?? -Infinity);
    const eccentric = downs.filter(([s, e]) => s >= previousUpEnd && e <= start + 1e-9).at(-1);
    return {
      repIndex: index + 1,
      concentricStart: t0 + start * 1000,
      concentricEnd: t0 + end * 1000,
      rom,
      meanVelocity: rom / (end - start),
      peakVelocity: peak,
      meanPropulsiveVelocity: (traj.at(propulsiveEnd)[0] - p0) / (propulsiveEnd - start),
      ...(eccentric ? { eccentricMs: (eccentric[1] - eccentric[0]) * 1000 } : {}),
      partial: partial.has(index),
      grind: grindFlags[index] ?? false,
    };
  });

  // Sampling: true position + drift + uniform noise.
  const count = Math.floor(traj.end * hz) + 1;
  const driftRate = options.drift === false ? 0 : uniform(prng, -0.0005, 0.0005);
  const driftAmp = options.drift === false ? 0 : uniform(prng, 0, 0.002);
  const driftPeriod = uniform(prng, 20, 40);
  const driftPhase = uniform(prng, 0, 2 * Math.PI);
  const position: number[] = new Array<number>(count);
  const force: number[] | undefined = options.withForce ? new Array<number>(count) : undefined;
  let hint = 0;
  for (let i = 0; i < count; i++) {
    const time = i / hz;
    hint = traj.pieceAt(time, hint);
    const [p, , a] = traj.at(time, hint);
    const drift = driftRate * time + driftAmp * Math.sin((2 * Math.PI * time) / driftPeriod + driftPhase);
    position[i] = p + drift + (2 * prng() - 1) * noiseM;
    if (force) force[i] = loadKg * (a + STANDARD_GRAVITY) * (1 + (2 * prng() - 1) * 0.005);
  }

  return { t0, hz, loadKg, position, ...(force ? { force } : {}), truth, features };
}

/**
 * Splits a trace into contiguous blocks as equipment would publish them: sizes uniform in
 * [minSize, maxSize], t0 = the first sample's time rounded to the millisecond.
 */
export function splitIntoBlocks(trace: SyntheticTrace, prng: Prng, minSize = 1, maxSize = 2000): SamplesBlock[] {
  const blocks: SamplesBlock[] = [];
  const period = 1000 / trace.hz;
  for (let start = 0; start < trace.position.length; ) {
    const size = Math.min(trace.position.length - start, minSize + Math.floor(prng() * (maxSize - minSize + 1)));
    blocks.push({
      t0: Math.round(trace.t0 + start * period),
      hz: trace.hz,
      loadKg: trace.loadKg,
      position: trace.position.slice(start, start + size),
      ...(trace.force ? { force: trace.force.slice(start, start + size) } : {}),
    });
    start += size;
  }
  return blocks;
}

/**
 * A delivery order in which no block arrives after more than `maxLateSamples` samples of later blocks
 * (what the segmenter tolerates with maxWaitSamples ≥ maxLateSamples): the blocks are cut into
 * consecutive windows of fewer than that many samples and shuffled within each window.
 */
export function shuffleBlocks<B extends { readonly position: readonly unknown[] }>(blocks: readonly B[], prng: Prng, maxLateSamples: number): B[] {
  const out: B[] = [];
  let window: B[] = [];
  let windowSamples = 0;
  const flush = () => {
    for (let i = window.length - 1; i > 0; i--) {
      const j = Math.floor(prng() * (i + 1));
      [window[i], window[j]] = [window[j]!, window[i]!];
    }
    out.push(...window);
    window = [];
    windowSamples = 0;
  };
  for (const block of blocks) {
    if (window.length > 0 && windowSamples + block.position.length > maxLateSamples) flush();
    window.push(block);
    windowSamples += block.position.length;
  }
  flush();
  return out;
}

/** Each block delivered again with probability `rate` (QoS 1 redelivery), a little later (0–3 blocks on). */
export function redeliverBlocks<B>(blocks: readonly B[], prng: Prng, rate: number): B[] {
  const out: B[] = [...blocks];
  for (let i = blocks.length - 1; i >= 0; i--) {
    if (prng() >= rate) continue;
    const at = Math.min(out.length, out.indexOf(blocks[i]!) + 1 + Math.floor(prng() * 4));
    out.splice(at, 0, blocks[i]!);
  }
  return out;
}
