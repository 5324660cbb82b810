/* Reading a synthetic set's truth from its exact trajectory, and sampling it as a sensor would. */
import { uniform, type Prng } from './prng.js';
import { STANDARD_GRAVITY } from './synthetic-movement.js';
import type { SetPlan } from './synthetic-set.js';
import type { TruthRep } from './synthetic-types.js';

/** The truth, with the segmenter's phase definition (v > +threshold); t0 = epoch ms of time 0. */
export function readTruth(plan: SetPlan, t0: number, threshold: number): TruthRep[] {
  const { traj, partial, grindFlags } = plan;
  const ups = traj.phases(1, threshold);
  const downs = traj.phases(-1, threshold);
  return ups.map(([start, end], index): TruthRep => {
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
}

/** Samples at `hz` from time 0 to the trajectory's end: true position + drift + uniform noise (±noiseM). */
export function sampleTrace(
  prng: Prng,
  plan: SetPlan,
  options: { readonly hz: number; readonly noiseM: number; readonly drift: boolean; readonly withForce: boolean },
): { position: number[]; force?: number[] } {
  const { traj, loadKg } = plan;
  const { hz, noiseM } = options;
  const count = Math.floor(traj.end * hz) + 1;
  const driftRate = options.drift ? uniform(prng, -0.0005, 0.0005) : 0;
  const driftAmp = options.drift ? uniform(prng, 0, 0.002) : 0;
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
  return { position, ...(force ? { force } : {}) };
}
