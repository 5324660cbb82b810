import { describe, it, expect } from 'vitest';
import { estimateE1rm, type LvpHistoryEntry } from './e1rm.js';
import { computeSetModel, type ModelRep, type SetModel } from './set-model.js';
import { computeSessions, type SessionModel } from './session.js';

/*
 * Worked examples of the model spec (/work/shared/design/stimulus-model.md, "Worked examples") and of the research
 * table (/work/shared/research/stimulus-model.md §5.7): 80-kg athlete, squat 1RM 140 kg and bench 1RM 100 kg
 * entered in the profile (so the e1RM source is `profile`).
 *
 * | session                       | VL   | B   | λ_peak | D    | NSI |
 * | back squat 4×4 @ 90 %, 3′     | 20 % | 6.1 | 4.8    | 2.50 | 86  |
 * | back squat 4×11 @ 70 %, 1′    | 44 % | 2.2 | 12.4   | 3.04 | 90  |
 * | back squat 5×5 @ 75 %, 2′     | 16 % | 0.5 | 4.8    | 1.08 | 54  |
 * | bench 4×10 @ 70 %, 1.5′       | 56 % | 0.6 | 9.1    | 1.97 | 79  |
 * | back squat 3×3 @ 60 %, 3′     |  4 % | 0.0 | 0.8    | 0.17 | 3   |
 *
 * The reference simulator's velocities are unknown, so the fixture builds them (see `setVelocities`):
 *  - first rep velocity from the generic curve at the set's %1RM (squat: Conceição 2016, 0.29 + 0.0132·(100 − %);
 *    bench: González-Badillo & Sánchez-Medina 2010 inverted), the same for every set;
 *  - a "linear-ish" fatigue curve v_i = v_1·(1 − VL·((i − 1)/(n − 1))^1.3): the velocity falls slightly faster
 *    towards the end of the set, as near failure, and reaches VL exactly at the last rep. The one shape exponent
 *    1.3 is shared by all examples (1.0 = straight line gives B 5–35 % above the table, 1.5 up to 15 % below; 1.3 puts every B within 5 %);
 *  - a rep every 4 s; the rest is the time from one set's last rep to the next set's first rep.
 * VL per set is the table's value except 5×5 (15.5 % for "≈ 16 %") and 3×3 (4.25 % for "≈ 4 %"); see the
 * notes at those rows.
 */

const T0 = 1_793_030_400_000; // 2026-10-26T16:00:00Z, an arbitrary fixed time
const BODY_MASS_KG = 80;
const REP_PERIOD_MS = 4000;
const FATIGUE_EXPONENT = 1.3;

type Lift = 'back_squat' | 'bench_press';

interface Example {
  readonly name: string;
  readonly exercise: Lift;
  readonly oneRmKg: number;
  readonly pct: number;
  readonly sets: number;
  readonly reps: number;
  readonly restMin: number;
  /** VL of every set in the fixture, a fraction. */
  readonly fixtureVl: number;
  readonly expected: { readonly vl: number; readonly b: number; readonly lactatePeak: number; readonly dose: number; readonly nsi: number };
}

/** Mean velocity at a %1RM from the generic curves (the first rep of a fresh set). */
function firstRepVelocity(exercise: Lift, pct: number): number {
  if (exercise === 'back_squat') return 0.29 + 0.0132 * (100 - pct);
  // Invert %1RM = 8.4326·v² − 73.501·v + 112.33 on its falling branch.
  const [a, b, c] = [8.4326, -73.501, 112.33 - pct];
  return (-b - Math.sqrt(b * b - 4 * a * c)) / (2 * a);
}

/** Velocities of one set: v_i = v_1·(1 − VL·((i − 1)/(n − 1))^1.3), so VL_n = VL (v_1 is the fastest rep). */
function setVelocities(v1: number, reps: number, velocityLoss: number): number[] {
  return Array.from({ length: reps }, (_, k) => v1 * (1 - velocityLoss * Math.pow(k / (reps - 1), FATIGUE_EXPONENT)));
}

interface Run {
  readonly sets: SetModel[];
  readonly session: SessionModel;
}

/** Runs the whole model over an example session: e1RM per set (with the earlier sets as history), set model, session. */
function runExample(example: Example): Run {
  const loadKg = (example.oneRmKg * example.pct) / 100;
  const v1 = firstRepVelocity(example.exercise, example.pct);
  const history: LvpHistoryEntry[] = [];
  const sets: SetModel[] = [];
  let start = T0;
  for (let s = 0; s < example.sets; s++) {
    const setId = `set-${s + 1}`;
    const reps: ModelRep[] = setVelocities(v1, example.reps, example.fixtureVl).map((meanVelocity, k) => ({
      repIndex: k + 1,
      ts: start + k * REP_PERIOD_MS,
      loadKg,
      meanVelocity,
      concentricMs: 1000,
      eccentricMs: 2000,
    }));
    const e1rm = estimateE1rm({
      exercise: example.exercise,
      setId,
      setTs: start,
      setLoadKg: loadKg,
      reps: reps.length,
      firstRepVelocity: v1,
      history,
      coachOneRepMaxKg: example.oneRmKg,
    });
    const set = computeSetModel({ reps, exercise: example.exercise, bodyMassKg: BODY_MASS_KG, e1rm });
    if (set === undefined) throw new Error('a set with reps has a model');
    sets.push(set);
    history.push({ setId, ts: set.lastTs, loadKg, bestVelocity: set.bestVelocity });
    start = set.lastTs + example.restMin * 60_000;
  }
  const sessions = computeSessions(sets.map((set, s) => ({ ...set, setId: `set-${s + 1}` })));
  expect(sessions).toHaveLength(1);
  return { sets, session: sessions[0] as SessionModel };
}

const EXAMPLES: readonly Example[] = [
  {
    name: 'back squat 4×4 @ 90 %, 3 min rest (Church "HI")',
    exercise: 'back_squat', oneRmKg: 140, pct: 90, sets: 4, reps: 4, restMin: 3, fixtureVl: 0.2,
    expected: { vl: 0.2, b: 6.1, lactatePeak: 4.8, dose: 2.5, nsi: 86 },
  },
  {
    name: 'back squat 4×11 @ 70 %, 1 min rest (Church "HV")',
    exercise: 'back_squat', oneRmKg: 140, pct: 70, sets: 4, reps: 11, restMin: 1, fixtureVl: 0.44,
    expected: { vl: 0.44, b: 2.2, lactatePeak: 12.4, dose: 3.04, nsi: 90 },
  },
  {
    // At D ≈ 1 the Hill curve is steepest (dNSI/dD ≈ 50), so ±3 % of NSI 54 allows only ±0.15 mmol/L of λ_peak.
    // VL exactly 16 % on all five sets gives λ_peak ≈ 5.11 and NSI ≈ 57.0 (+5.5 %); the table's λ_peak 4.8 needs
    // VL ≈ 15–15.5 %, so the simulator's "≈ 16 %" was a rounded ~15.5 %.
    name: 'back squat 5×5 @ 75 %, 2 min rest (VL20 style)',
    exercise: 'back_squat', oneRmKg: 140, pct: 75, sets: 5, reps: 5, restMin: 2, fixtureVl: 0.155,
    expected: { vl: 0.16, b: 0.5, lactatePeak: 4.8, dose: 1.08, nsi: 54 },
  },
  {
    name: 'bench press 4×10 @ 70 %, 1.5 min rest (research table)',
    exercise: 'bench_press', oneRmKg: 100, pct: 70, sets: 4, reps: 10, restMin: 1.5, fixtureVl: 0.56,
    expected: { vl: 0.56, b: 0.6, lactatePeak: 9.1, dose: 1.97, nsi: 79 },
  },
  {
    // The published NSI "3" is an integer; the table's own D = 0.17 gives 100·D²/(1 + D²) = 2.81 (D ∈ [0.165, 0.175)
    // → NSI 2.65–2.97). VL exactly 4 % gives λ_peak 0.82, D 0.165, NSI 2.66 (−11 % of 3); within 3 % of 3 needs
    // D ≥ 0.172, i.e. VL ≈ 4.25 % (λ_peak 0.87).
    name: 'back squat 3×3 @ 60 %, 3 min rest (easy)',
    exercise: 'back_squat', oneRmKg: 140, pct: 60, sets: 3, reps: 3, restMin: 3, fixtureVl: 0.0425,
    expected: { vl: 0.04, b: 0.0, lactatePeak: 0.8, dose: 0.17, nsi: 3 },
  },
];

const relativeError = (actual: number, expected: number): number => Math.abs(actual / expected - 1);

describe('worked examples of the spec and research table', () => {
  for (const example of EXAMPLES) {
    describe(example.name, () => {
      const run = runExample(example);
      const last = run.session.points[run.session.points.length - 1];

      it('uses the coach-entered 1RM (no load–velocity profile from a single load)', () => {
        for (const set of run.sets) {
          expect(set.e1rmSource).toBe('profile');
          expect(set.e1rmKg).toBe(example.oneRmKg);
          expect(set.relIntensity).toBeCloseTo(example.pct / 100, 12);
        }
      });

      it('has the table velocity loss per set within 2 points', () => {
        for (const set of run.sets) expect(Math.abs(set.velocityLoss - example.expected.vl)).toBeLessThanOrEqual(0.02);
      });

      it('reproduces the NSI within 3 %', () => {
        expect(relativeError(run.session.nsi, example.expected.nsi)).toBeLessThanOrEqual(0.03);
        expect(last?.nsi).toBe(run.session.nsi);
        expect(run.session.points).toHaveLength(example.sets);
      });

      it('has B, λ_peak and D near the research table (loose: the simulator velocities are unknown)', () => {
        if (example.expected.b > 0) expect(relativeError(run.session.points.at(-1)?.impulseSum ?? 0, example.expected.b)).toBeLessThanOrEqual(0.15);
        else expect(last?.impulseSum).toBeLessThan(0.05); // "0.0" at one decimal
        expect(relativeError(last?.lactatePeak ?? 0, example.expected.lactatePeak)).toBeLessThanOrEqual(0.15);
        expect(relativeError(last?.dose ?? 0, example.expected.dose)).toBeLessThanOrEqual(0.05);
      });
    });
  }

  it('ranks the sessions as the spec does: 4×11 > 4×4 > bench 4×10 > 5×5 > 3×3', () => {
    const nsi = EXAMPLES.map((example) => runExample(example).session.nsi);
    const [hi, hv, vl20, bench, easy] = nsi as [number, number, number, number, number];
    expect(hv).toBeGreaterThan(hi);
    expect(hi).toBeGreaterThan(bench);
    expect(bench).toBeGreaterThan(vl20);
    expect(vl20).toBeGreaterThan(easy);
  });
});

