// How well can any estimator time a rep from these samples? Two lower bounds of each rep's mean
// concentric velocity error on the accuracy test's synthetic traces (same seeds), set beside what the
// segmenter measures on the same traces.
//
// The model is the generator's own family, which both bounds are allowed to know: a jerk-limited velocity
// polyline (knot times, velocities and corner roundings unknown; velocity exactly 0 at rests and
// turnarounds), a cubic polynomial for the start position and the slow drift, white noise of the
// sensor's variance ((2 mm)²/3). Each rep's mean velocity (ROM ÷ time between the +0.03 m/s crossings)
// is a function of those parameters, g its gradient and F the Fisher information of the samples (both
// by central differences at the true trajectory).
// - Unbiased (Cramér–Rao): a locally unbiased estimator's variance is at least gᵀF⁻¹g, for Gaussian
//   noise of that variance (uniform noise has no finite Fisher information: there the bound holds for
//   linear unbiased estimators).
// - With the corners known (an approximate Bayesian bound, Van Trees style, F taken at the truth): an
//   estimator that also knows how long each corner takes to the generator's own spread — force
//   development from rest 50–150 ms, lockout 40–100 ms, turnaround 50–120 ms, inner corners 50–150 ms,
//   taken as Gaussian priors of the same SD, on the roundings only — has a mean squared error over
//   those priors of at least about gᵀ(F + P)⁻¹g, P the priors' precisions.
// From a bound σ, an estimator with unbiased Gaussian errors of that σ lands within target (3 % of the
// truth and 0.02 m/s) with probability erf(limit ÷ σ√2); the mean over the reps is the share such an
// estimator can expect. An approximation, not a ceiling: the bounds limit the variance, not the error's
// shape. Checked by Monte Carlo at small noise (README).
//
// --monte-carlo N checks the computation: N noise realisations at 1 % of the sensor noise (Gaussian),
// each estimated by one step of linearised least squares from the truth, each rep's mean velocity read
// off the estimated trajectory; the SD of its error ÷ 0.01 should match the unbiased bound σ (the model
// is close to linear at that noise; at the full noise it is not, and the bound is valid, not attained).
//
//   npx tsc -b test && node test/dist/bench/segmenter-bound.js [--rates 50,100,200] [--traces 40] [--seed-offset 0] [--monte-carlo 0]
import { parseArgs } from 'node:util';
import {
  JerkLimitedTrajectory,
  generateSyntheticTrace,
  mulberry32,
  planSyntheticSet,
  segmentBlocks,
  splitIntoBlocks,
  type TrajectoryKnot,
} from '@neurolift/stimulus';

const THRESHOLD = 0.03;
const NOISE_VAR = (0.002 * 0.002) / 3;
const STEP = 1e-6;
const DRIFT_DEGREE = 3;

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,100,200' },
    traces: { type: 'string', default: '40' },
    'seed-offset': { type: 'string', default: '0' },
    'monte-carlo': { type: 'string', default: '0' },
  },
  strict: true,
});
const rates = args.rates.split(',').map(Number);
const traces = Number(args.traces);
const seedOffset = Number(args['seed-offset']);
const monteCarloRuns = Number(args['monte-carlo']);
if (rates.some((r) => !(r > 0)) || !(traces > 0) || !(seedOffset >= 0) || !(monteCarloRuns >= 0)) {
  console.error('--rates must be positive numbers, --traces positive, --seed-offset and --monte-carlo ≥ 0');
  process.exit(2);
}

/** Positions at the sample times. */
function sampled(traj: JerkLimitedTrajectory, hz: number, count: number): Float64Array {
  const out = new Float64Array(count);
  let hint = 0;
  for (let i = 0; i < count; i++) {
    hint = traj.pieceAt(i / hz, hint);
    out[i] = traj.at(i / hz, hint)[0];
  }
  return out;
}

/** Each rep's mean concentric velocity, with the truth's definition. */
function meanVelocities(traj: JerkLimitedTrajectory): number[] {
  return traj.phases(1, THRESHOLD).map(([start, end]) => (traj.at(end)[0] - traj.at(start)[0]) / (end - start));
}

/** x ↦ A⁻¹x for a symmetric positive-definite A (row-major m × m), by Cholesky. */
function choleskySolver(a: Float64Array, m: number): (b: Float64Array) => Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= l[i * m + k]! * l[j * m + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error(`Fisher information not positive definite at parameter ${i}`);
        l[i * m + i] = Math.sqrt(s);
      } else l[i * m + j] = s / l[j * m + j]!;
    }
  }
  return (b) => {
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = b[i]!;
      for (let k = 0; k < i; k++) s -= l[i * m + k]! * y[k]!;
      y[i] = s / l[i * m + i]!;
    }
    const x = new Float64Array(m);
    for (let i = m - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * x[k]!;
      x[i] = s / l[i * m + i]!;
    }
    return x;
  };
}

/** SD of a uniform spread [lo, hi], s. */
const spread = (lo: number, hi: number) => (hi - lo) / Math.sqrt(12);

/** The generator's spread of a knot's corner rounding, by what the corner is (synthetic-set.ts, synthetic-movement.ts). */
function cornerSd(knots: readonly TrajectoryKnot[], k: number): number {
  const [before, knot, after] = [knots[k - 1]!, knots[k]!, knots[k + 1]];
  if (knot.v !== 0) return spread(0.05, 0.15); // inner corner of a movement
  if (before.v === 0) return spread(0.05, 0.15); // the end of a rest: force development
  if (after === undefined || after.v === 0) return spread(0.04, 0.1); // a stop: lockout or catch
  return spread(0.05, 0.12); // touch-and-go turnaround
}

/** erf, Abramowitz & Stegun 7.1.26 (|error| < 1.5e−7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** The tolerance for a rep whose true mean velocity is `truth`: 3 % of it and 0.02 m/s. */
const targetLimit = (truth: number) => Math.min(0.03 * truth, 0.02);
const withinTarget = (estimate: number, truth: number) => Math.abs(estimate - truth) <= targetLimit(truth);

interface Bound {
  readonly sd: number;
  readonly pWithin: number;
}

interface RepBound {
  readonly seed: number;
  readonly rep: number;
  readonly meanVelocity: number;
  readonly unbiased: Bound;
  readonly cornersKnown: Bound;
}

/** One trace's linearised model: a column of sample sensitivities and a gradient entry per parameter. */
interface TraceModel {
  readonly startPosition: number;
  readonly knots: readonly TrajectoryKnot[];
  readonly count: number;
  /** Each rep's true mean velocity. */
  readonly truth: readonly number[];
  /** The knot field of each parameter; the drift polynomial's follow, without one. */
  readonly params: ReadonlyArray<{ readonly k: number; readonly field: keyof TrajectoryKnot }>;
  readonly columns: readonly Float64Array[];
  /** Prior precision of each parameter (0: none). */
  readonly priors: readonly number[];
  /** Per rep: ∂(mean velocity)/∂(parameter). */
  readonly gradients: readonly Float64Array[];
  /** Fisher information, row-major. */
  readonly fisher: Float64Array;
}

/** The trajectory with `delta[i]` added to the knot field of `params[i]` (entries of `delta` past them, the drift's, are ignored). */
function withChanges(
  startPosition: number,
  knots: readonly TrajectoryKnot[],
  params: ReadonlyArray<{ readonly k: number; readonly field: keyof TrajectoryKnot }>,
  delta: ArrayLike<number>,
): JerkLimitedTrajectory {
  const changed = knots.map((knot) => ({ ...knot }));
  params.forEach(({ k, field }, i) => {
    changed[k] = { ...changed[k]!, [field]: changed[k]![field] + delta[i]! };
  });
  return JerkLimitedTrajectory.fromKnots(startPosition, changed);
}

function traceModel(seed: number, hz: number, options: Parameters<typeof planSyntheticSet>[1]): TraceModel {
  const { traj } = planSyntheticSet(mulberry32(seed), options);
  const knots = traj.knotList();
  const count = Math.floor(traj.end * hz) + 1;
  const truth = meanVelocities(traj);
  const params: Array<{ k: number; field: keyof TrajectoryKnot }> = [];
  const columns: Float64Array[] = [];
  const priors: number[] = [];
  const gradients: number[][] = truth.map(() => []);
  const perturbed = (k: number, field: keyof TrajectoryKnot, delta: number) => withChanges(traj.startPosition, knots, [{ k, field }], [delta]);
  for (let k = 1; k < knots.length; k++) {
    // Rests and turnarounds are at exactly zero velocity: the bound knows it.
    const fields: Array<keyof TrajectoryKnot> = knots[k]!.v === 0 ? ['t', 'round'] : ['t', 'v', 'round'];
    for (const field of fields) {
      const plus = perturbed(k, field, STEP);
      const minus = perturbed(k, field, -STEP);
      const [sp, sm] = [sampled(plus, hz, count), sampled(minus, hz, count)];
      const column = sp.map((p, i) => (p - sm[i]!) / (2 * STEP));
      // A rounding capped by its neighbours' spacing has no effect: not a parameter.
      if (column.every((d) => Math.abs(d) < 1e-9)) continue;
      const [vp, vm] = [meanVelocities(plus), meanVelocities(minus)];
      if (vp.length !== truth.length || vm.length !== truth.length) throw new Error(`seed ${seed}: a perturbation changed the rep count`);
      params.push({ k, field });
      columns.push(column);
      priors.push(field === 'round' ? cornerSd(knots, k) ** -2 : 0);
      truth.forEach((_, r) => gradients[r]!.push((vp[r]! - vm[r]!) / (2 * STEP)));
    }
  }
  for (let degree = 0; degree <= DRIFT_DEGREE; degree++) {
    columns.push(Float64Array.from({ length: count }, (_, i) => ((2 * i) / (count - 1) - 1) ** degree));
    priors.push(0);
    for (const g of gradients) g.push(0);
  }
  const m = columns.length;
  const fisher = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = 0;
      const [ca, cb] = [columns[a]!, columns[b]!];
      for (let i = 0; i < count; i++) sum += ca[i]! * cb[i]!;
      fisher[a * m + b] = fisher[b * m + a] = sum / NOISE_VAR;
    }
  }
  return { startPosition: traj.startPosition, knots, count, truth, params, columns, priors, gradients: gradients.map((g) => Float64Array.from(g)), fisher };
}

/** Both bounds for every rep of one trace. */
function repBounds(model: TraceModel, seed: number): RepBound[] {
  const m = model.columns.length;
  const unbiased = choleskySolver(model.fisher, m);
  const cornersKnown = choleskySolver(
    model.fisher.map((f, i) => (i % (m + 1) === 0 ? f + model.priors[i / (m + 1)]! : f)),
    m,
  );
  return model.truth.map((meanVelocity, r) => {
    const g = model.gradients[r]!;
    const limit = targetLimit(meanVelocity);
    const bound = (solve: (b: Float64Array) => Float64Array): Bound => {
      const x = solve(g);
      const sd = Math.sqrt(g.reduce((sum, gi, i) => sum + gi * x[i]!, 0));
      return { sd, pWithin: erf(limit / (sd * Math.SQRT2)) };
    };
    return { seed, rep: r + 1, meanVelocity, unbiased: bound(unbiased), cornersKnown: bound(cornersKnown) };
  });
}

/** Per rep: SD of the mean-velocity error ÷ scale over `runs` realisations of noise at `scale` × the sensor's (see the header). */
function monteCarloSd(model: TraceModel, runs: number, scale: number, seed: number): number[] {
  const m = model.columns.length;
  const solve = choleskySolver(model.fisher, m);
  const prng = mulberry32(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - prng())) * Math.cos(2 * Math.PI * prng());
  const sumSq = model.truth.map(() => 0);
  const noiseSd = scale * Math.sqrt(NOISE_VAR);
  for (let run = 0; run < runs; run++) {
    const noise = Float64Array.from({ length: model.count }, () => noiseSd * gaussian());
    // One Gauss–Newton step from the truth: δ = F⁻¹ Jᵀ ε / σ².
    const delta = solve(Float64Array.from(model.columns, (column) => column.reduce((sum, c, i) => sum + c * noise[i]!, 0) / NOISE_VAR));
    const estimated = meanVelocities(withChanges(model.startPosition, model.knots, model.params, delta));
    if (estimated.length !== model.truth.length) throw new Error(`Monte Carlo run ${run} changed the rep count at ${scale} × the noise`);
    estimated.forEach((v, r) => (sumSq[r]! += (v - model.truth[r]!) ** 2));
  }
  return sumSq.map((s) => Math.sqrt(s / runs) / scale);
}

for (const hz of rates) {
  const bounds: RepBound[] = [];
  let measuredWithin = 0;
  let measuredReps = 0;
  for (let s = 0; s < traces; s++) {
    const seed = 1000 * hz + seedOffset + s;
    const options = { hz, withForce: s % 2 === 0, startAt: s % 5 === 4 ? ('bottom' as const) : ('top' as const) };
    const model = traceModel(seed, hz, options);
    const repBoundsOfTrace = repBounds(model, seed);
    bounds.push(...repBoundsOfTrace);
    if (monteCarloRuns > 0) {
      const empirical = monteCarloSd(model, monteCarloRuns, 0.01, seed);
      const ratios = empirical.map((sd, r) => sd / repBoundsOfTrace[r]!.unbiased.sd);
      console.log(`       Monte Carlo, seed ${seed}: empirical SD ÷ unbiased bound per rep ${ratios.map((x) => x.toFixed(3)).join(' ')}`);
    }
    // The segmenter on the same trace, as the accuracy test runs it.
    const prng = mulberry32(seed);
    const trace = generateSyntheticTrace(prng, options);
    const reps = segmentBlocks(splitIntoBlocks(trace, prng, 1, 2000));
    if (reps.length !== trace.truth.length) continue;
    reps.forEach((rep, i) => {
      measuredReps++;
      if (withinTarget(rep.meanVelocity, trace.truth[i]!.meanVelocity)) measuredWithin++;
    });
  }
  const share = (pick: (b: RepBound) => Bound) => {
    const expected = bounds.reduce((sum, b) => sum + pick(b).pWithin, 0);
    return `${((100 * expected) / bounds.length).toFixed(1)} % (${(bounds.length - expected).toFixed(1)} misses)`;
  };
  console.log(
    `${String(hz).padStart(4)} Hz | reps ${bounds.length} | expected within 3 %/0.02 m/s: unbiased bound ${share((b) => b.unbiased)}, ` +
      `corners known ${share((b) => b.cornersKnown)} | segmenter measured ${((100 * measuredWithin) / measuredReps).toFixed(1)} % of ${measuredReps}`,
  );
  const hardest = bounds.sort((a, b) => a.cornersKnown.pWithin - b.cornersKnown.pWithin).slice(0, 3);
  for (const b of hardest) {
    console.log(
      `       hardest: seed ${b.seed} rep ${b.rep}: ${b.meanVelocity.toFixed(3)} m/s, limit ${(1000 * targetLimit(b.meanVelocity)).toFixed(1)} mm/s, ` +
        `bound σ ${(1000 * b.unbiased.sd).toFixed(1)} mm/s unbiased, ${(1000 * b.cornersKnown.sd).toFixed(1)} mm/s corners known`,
    );
  }
}
