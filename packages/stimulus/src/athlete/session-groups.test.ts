import { describe, expect, it } from 'vitest';
import { athleteSetKey, type AthleteSet } from './athlete-set.js';
import { laterSetInSession, orderSets, sessionGroups } from './session-groups.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);

/** A set of `reps` reps 3 s apart from `start`. */
function set(id: string, start: number, reps = 3, station = 'st-1'): AthleteSet {
  return {
    key: athleteSetKey(station, id),
    gymId: 'gym-01',
    stationId: station,
    setId: id,
    exercise: 'back_squat',
    reps: Array.from({ length: reps }, (_, i) => ({ repIndex: i + 1, ts: start + i * 3_000, loadKg: 100, meanVelocity: 0.6 })),
  };
}

describe('orderSets', () => {
  it('orders by last rep then key, keeps the later of two entries with one key, drops sets without reps', () => {
    const b = set('b', T0, 5); // ends at T0 + 12 s
    const c = set('c', T0 + 4_000, 5); // ends at T0 + 16 s
    const d = set('d', T0 + 10_000); // ends at T0 + 16 s too: after c by key
    const a = set('a', T0); // replaced below
    const empty = set('e', T0, 0);
    const aAgain = set('a', T0 + 20_000); // ends at T0 + 26 s
    const ordered = orderSets([a, d, b, c, empty, aAgain]);
    expect(ordered.map(({ set: s }) => s.key)).toEqual(['st-1.b', 'st-1.c', 'st-1.d', 'st-1.a']);
    expect(ordered[3]).toMatchObject({ firstTs: T0 + 20_000, lastTs: T0 + 26_000 });
  });
});

describe('sessionGroups and laterSetInSession', () => {
  const gap = 2 * HOUR;
  // s1 and s2 20 min apart; s3 starts exactly 2 h after s2's last rep (stays); s4 2 h + 1 ms after s3's (splits).
  const s1 = set('s1', T0);
  const s2 = set('s2', T0 + 20 * 60_000, 3, 'st-2');
  const s3 = set('s3', s2.reps[2]!.ts + gap);
  const s4 = set('s4', s3.reps[2]!.ts + gap + 1);
  const sets = [s4, s2, s1, s3];

  it('splits where a set starts more than the gap after the previous one ends', () => {
    const groups = sessionGroups(orderSets(sets), gap);
    expect(groups.map((g) => g.map(({ set: s }) => s.setId))).toEqual([['s1', 's2', 's3'], ['s4']]);
  });

  it('is true for every set of a session but its last, false for the last, a lone set and an unknown key', () => {
    expect(laterSetInSession(sets, s1.key, gap)).toBe(true);
    expect(laterSetInSession(sets, s2.key, gap)).toBe(true);
    expect(laterSetInSession(sets, s3.key, gap)).toBe(false);
    expect(laterSetInSession(sets, s4.key, gap)).toBe(false);
    expect(laterSetInSession(sets, 'st-9.nope', gap)).toBe(false);
    expect(laterSetInSession([s1], s1.key, gap)).toBe(false);
  });

  it('a set without reps is no later set; a set stored again with later reps is', () => {
    expect(laterSetInSession([s1, set('x', T0 + HOUR, 0)], s1.key, gap)).toBe(false);
    expect(laterSetInSession([s1, s2, set('s2', T0 - HOUR, 3, 'st-2')], s1.key, gap)).toBe(false); // s2 now ends before s1
  });
});
