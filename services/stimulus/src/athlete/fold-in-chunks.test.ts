import { describe, expect, it } from 'vitest';
import { athleteSetKey, foldSets, lvpEntry, type AthleteSet, type LvpHistoryEntry } from '@neurolift/stimulus';
import { foldInChunks } from './fold-in-chunks.js';

const T0 = Date.UTC(2026, 10, 2, 23, 0, 0);
const MIN = 60_000;

/** Sets 3 to 150 minutes apart (sessions split and cross midnight), three loads so a profile forms. */
const SETS: AthleteSet[] = Array.from({ length: 23 }, (_, i) => {
  const start = T0 + i * (i % 5 === 4 ? 150 : 3) * MIN;
  const load = [60, 80, 100][i % 3] as number;
  return {
    key: athleteSetKey('st-1', `s${String(i).padStart(2, '0')}`),
    gymId: 'gym',
    stationId: 'st-1',
    setId: `s${i}`,
    exercise: 'back_squat',
    reps: [0, 1, 2].map((r) => ({ repIndex: r + 1, ts: start + r * 3_000, loadKg: load, meanVelocity: 1.3 - 0.007 * load - 0.02 * r })),
  };
}).sort((a, b) => a.reps[2]!.ts - b.reps[2]!.ts);

const history = new Map<string, LvpHistoryEntry[]>([['back_squat', SETS.map(lvpEntry)]]);

describe('foldInChunks', () => {
  it('gives what one foldSets call gives, whatever the chunk and where the outputs start', async () => {
    for (const emitFrom of [undefined, SETS[0]?.key, SETS[7]?.key, SETS[22]?.key]) {
      const input = { start: {}, sets: SETS, history, profile: { bodyMassKg: 80 }, emitFrom };
      const whole = foldSets(input);
      for (const chunk of [1, 3, 8, 22]) expect(await foldInChunks(input, chunk)).toEqual(whole);
    }
  });
});
