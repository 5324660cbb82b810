// Cost of one session-end alert check's judgement, with and without the times-only shortcut: modelling
// the athlete's whole history to find the set's session, against `laterSetInSession` (which lets the
// check of every set but a session's last skip the model). An athlete with 12 sessions of 20 sets (3 min
// apart, 8 reps each) over four weeks; the set checked is the fifth-last. Median of 7 runs, µs per check.
//
//   npx tsc -b test && node test/dist/bench/bench-session-end-check.js
import { athleteHistory, sessionsOf } from '@neurolift/alerts';
import { DEFAULT_CONSTANTS, athleteSetKey, laterSetInSession, type AthleteSet } from '@neurolift/stimulus';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 9, 1, 8);
const sets: AthleteSet[] = [];
for (let session = 0; session < 12; session++) {
  for (let k = 0; k < 20; k++) {
    const start = T0 + session * 2.3 * DAY_MS + k * 180_000;
    const setId = `s${session}-${k}`;
    const reps = Array.from({ length: 8 }, (_, i) => ({ repIndex: i + 1, ts: start + i * 3_000, loadKg: 120, meanVelocity: 0.7 - 0.03 * i }));
    sets.push({ key: athleteSetKey('st-1', setId), gymId: 'gym-01', stationId: 'st-1', setId, exercise: 'back_squat', reps });
  }
}
const key = sets[sets.length - 5]!.key;

/** Median over 7 runs of the mean time of `fn` over `n` calls, µs. */
function medianMicros(fn: () => unknown, n: number): number {
  const runs: number[] = [];
  for (let run = 0; run < 7; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    runs.push(Number(process.hrtime.bigint() - start) / n / 1_000);
  }
  return runs.sort((a, b) => a - b)[3]!;
}

const modelled = medianMicros(() => sessionsOf(athleteHistory({ sets, profile: {}, constants: DEFAULT_CONSTANTS })).find((s) => s.sets.some((e) => e.set.key === key)), 50);
const shortcut = medianMicros(() => laterSetInSession(sets, key, DEFAULT_CONSTANTS.sessionGapMs), 2_000);
console.log(`${sets.length} stored sets: modelling the history ${modelled.toFixed(0)} µs per check; laterSetInSession ${shortcut.toFixed(1)} µs (${(modelled / shortcut).toFixed(0)}×)`);
