import { describe, expect, it } from 'vitest';
import { aerobicMinute, athleteSetKey, foldSets, type AthleteSet, type FoldedAerobic, type FoldedSet } from '@neurolift/stimulus';
import { aerobicText, entryText, foldedSetText, packLvp, parseActivity, parseEntry, parseRecord, storedSetText, unpackLvp } from './stored-record.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

function set(id: string, start: number, loadKg: number): AthleteSet {
  return {
    key: athleteSetKey('st-1', id),
    gymId: 'gym',
    stationId: 'st-1',
    setId: id,
    exercise: 'back_squat',
    reps: [0, 1, 2].map((r) => ({ repIndex: 3 - r, ts: start + (2 - r) * 3_000, loadKg, meanVelocity: 0.6 - 0.03 * (2 - r), rom: 0.5 })),
  };
}

describe('stored athlete records', () => {
  const sets = [set('a', T0, 100), set('b', T0 + 180_000, 110)];
  const folded = foldSets({ start: {}, sets, history: new Map(), profile: {} }).folded as FoldedSet[];
  const second = folded[1]!;

  it('a set alone and a folded set read back as written', () => {
    expect(parseRecord(storedSetText(sets[0]!))).toEqual({ set: sets[0] });
    expect(parseRecord(foldedSetText(second))).toEqual({ set: second.set, folded: second });
  });

  it('refuses a record of another shape, naming what is wrong', () => {
    expect(() => parseRecord(JSON.stringify({ v: 3, ...sets[0] }))).toThrow(/v/);
    const { checkpoint: _dropped, ...noCheckpoint } = second;
    expect(() => parseRecord(foldedSetText({ ...noCheckpoint } as typeof second))).toThrow(/checkpoint/);
  });

  it('an entry holds the set before it is folded and its terms after', () => {
    const plain = parseEntry(second.set.key, entryText(second.set));
    expect(plain).toEqual({ key: second.set.key, exercise: 'back_squat', firstTs: T0 + 180_000, lastTs: T0 + 186_000, loadKg: 110, bestVelocity: 0.6, firstRepVelocity: 0.6 });
    expect(parseEntry(second.set.key, entryText(second.set, second))).toEqual({
      ...plain,
      terms: { sessionId: second.sessionId, nsi: second.point.nsi, relIntensity: second.model.relIntensity, sessionIntensityBefore: second.sessionIntensityBefore },
    });
    expect(parseEntry(folded[0]!.set.key, entryText(folded[0]!.set, folded[0])).terms).not.toHaveProperty('sessionIntensityBefore');
  });

  it('refuses an entry that is not one', () => {
    expect(() => parseEntry('k', '{"a":1}')).toThrow(/athlete entry k: not an entry/);
    expect(() => parseEntry('k', '["x",1,2,3,4,5,7,8,9,null]')).toThrow(/bad model terms/);
  });
});

describe('packed load–velocity lists', () => {
  it('read back exactly, in time order, whatever order they were given in', () => {
    const entries = [
      { setId: 'st-1.b', ts: T0 + 1, loadKg: 102.5, bestVelocity: 0.1 + 0.2 },
      { setId: 'st-1.a', ts: T0 + 1, loadKg: 100, bestVelocity: 1 / 3 },
      { setId: 'st-2.c', ts: T0, loadKg: 0, bestVelocity: 5 },
    ];
    expect(unpackLvp(packLvp(entries))).toEqual([entries[2], entries[1], entries[0]]);
    expect(unpackLvp(packLvp([]))).toEqual([]);
  });

  it('refuses a list that is not one', () => {
    expect(() => unpackLvp('1,2,x,st-1.a')).toThrow(/not an entry: 1,2,x,st-1.a/);
    expect(() => unpackLvp('1,2,3')).toThrow(/not an entry/);
  });
});

describe('stored minutes of heart rate (v3)', () => {
  const sum = { a: 1.25, counted: 42, firstCountedTs: T0 + 3_000, lastCountedTs: T0 + 59_000 };
  const minute = aerobicMinute(Math.floor(T0 / 60_000), sum);

  it('a minute alone and a folded minute read back as written; a set is not one', () => {
    expect(parseActivity(aerobicText(minute))).toEqual({ minute });
    const { folded } = foldSets({ start: {}, sets: [minute], history: new Map(), profile: {} });
    const entry = folded[0] as FoldedAerobic;
    expect(parseActivity(aerobicText(minute, entry))).toEqual({ minute, folded: entry });
    expect(() => parseRecord(aerobicText(minute))).toThrow();
    expect(parseActivity(storedSetText(set('a', T0, 100)))).toEqual({ set: set('a', T0, 100) });
  });

  it('a minute whose samples all lie in sets keeps no counted times', () => {
    const empty = aerobicMinute(minute.minute, { a: 0, counted: 0, firstCountedTs: undefined, lastCountedTs: undefined });
    expect(parseActivity(aerobicText(empty))).toEqual({ minute: empty });
  });
});
