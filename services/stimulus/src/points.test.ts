import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { RepRecord } from '@neurolift/contracts';
import { computeSetModel, type SetModel } from '@neurolift/stimulus';
import { repLine, setLine } from './points.js';

/*
 * The points the product promises (dashboards and alerts depend on them):
 *   rep: tags gym, station, athlete, exercise; fields set_id (string), rep_index (int), load_kg,
 *        mean_velocity, peak_velocity, rom, concentric_ms, eccentric_ms, velocity_loss_pct,
 *        source (string); time = the rep's ts.
 *   set: same tags; fields set_id, reps (int), load_kg, volume_kg, mean_velocity, best_velocity,
 *        velocity_loss_pct, tut_ms, and the model's e1rm_kg, e1rm_source (string), rel_intensity,
 *        rir_last, impulse, lactate_increment, model (string); time = the last rep's ts.
 */

type Field = { readonly str: string } | { readonly int: number } | { readonly float: number };

interface Point {
  readonly measurement: string;
  readonly tags: Record<string, string>;
  readonly fields: Record<string, Field>;
  readonly time: number;
}

/** Minimal line-protocol reader: ids in tags (no escapes needed), quoted strings with \" and \\ escapes. */
function parsePoint(text: string): Point {
  const match = /^([^, ]+)((?:,[^, =]+=[^, ]+)*) (.+) (-?\d+)$/.exec(text);
  if (!match) throw new Error(`not a line: ${text}`);
  const [, measurement = '', tagText = '', fieldText = '', time = ''] = match;
  const tags = Object.fromEntries(
    tagText
      .split(',')
      .slice(1)
      .map((pair) => pair.split('=') as [string, string]),
  );
  const fields: Record<string, Field> = {};
  const fieldPattern = /([a-z0-9_]+)=("(?:[^"\\]|\\.)*"|[^,]+)(?:,|$)/gy;
  let consumed = 0;
  for (const [whole, key = '', raw = ''] of fieldText.matchAll(fieldPattern)) {
    consumed += whole.length;
    if (raw.startsWith('"')) fields[key] = { str: raw.slice(1, -1).replace(/\\(["\\])/g, '$1') };
    else if (raw.endsWith('i')) fields[key] = { int: Number(raw.slice(0, -1)) };
    else fields[key] = { float: Number(raw) };
  }
  if (consumed !== fieldText.length) throw new Error(`unparsed fields: ${fieldText}`);
  return { measurement, tags, fields, time: Number(time) };
}

const REP: RepRecord = {
  gymId: 'gym-01',
  stationId: 'station_7',
  athleteId: 'a-7f3c',
  setId: 's-0007',
  exercise: 'back_squat',
  repIndex: 3,
  ts: 1793032889123,
  loadKg: 100,
  meanVelocity: 0.62,
  peakVelocity: 1.05,
  rom: 0.58,
  concentricMs: 820,
  eccentricMs: 1650,
  source: 'device',
};

const TAGS = { gym: 'gym-01', station: 'station_7', athlete: 'a-7f3c', exercise: 'back_squat' };

describe('repLine', () => {
  it('writes exactly the promised tags and fields, at the rep ts', () => {
    const point = parsePoint(repLine(REP, 12.5));
    expect(point.measurement).toBe('rep');
    expect(point.tags).toEqual(TAGS);
    expect(point.fields).toEqual({
      set_id: { str: 's-0007' },
      rep_index: { int: 3 },
      load_kg: { float: 100 },
      mean_velocity: { float: 0.62 },
      peak_velocity: { float: 1.05 },
      rom: { float: 0.58 },
      concentric_ms: { float: 820 },
      eccentric_ms: { float: 1650 },
      velocity_loss_pct: { float: 12.5 },
      source: { str: 'device' },
    });
    expect(point.time).toBe(REP.ts);
  });

  it('leaves out optional fields and an unknown velocity loss', () => {
    const minimal: RepRecord = { ...REP, source: 'samples' };
    delete (minimal as Partial<RepRecord>).peakVelocity;
    delete (minimal as Partial<RepRecord>).rom;
    delete (minimal as Partial<RepRecord>).concentricMs;
    delete (minimal as Partial<RepRecord>).eccentricMs;
    const point = parsePoint(repLine(minimal, undefined));
    expect(Object.keys(point.fields).sort()).toEqual(['load_kg', 'mean_velocity', 'rep_index', 'set_id', 'source']);
    expect(point.fields['source']).toEqual({ str: 'samples' });
  });

  it('keeps a negative velocity loss (rep faster than the reference) and a zero one', () => {
    expect(parsePoint(repLine(REP, -3.25)).fields['velocity_loss_pct']).toEqual({ float: -3.25 });
    expect(parsePoint(repLine(REP, 0)).fields['velocity_loss_pct']).toEqual({ float: 0 });
  });
});

describe('setLine', () => {
  const velocities = [0.8, 0.82, 0.78, 0.7, 0.6];
  const reps: RepRecord[] = velocities.map((meanVelocity, i) => ({
    ...REP,
    repIndex: i + 1,
    ts: REP.ts + i * 3000,
    meanVelocity,
    peakVelocity: meanVelocity + 0.4,
  }));
  const model = computeSetModel({ reps, exercise: 'back_squat', bodyMassKg: 80, e1rm: { e1rmKg: 140, source: 'profile' } }) as SetModel;
  const owner = { gymId: REP.gymId, stationId: REP.stationId, athleteId: REP.athleteId, exercise: REP.exercise, setId: REP.setId };

  it('writes exactly the promised fields and tags, at the last rep ts', () => {
    const point = parsePoint(setLine(owner, model, 'nsi-1'));
    expect(point.measurement).toBe('set');
    expect(point.tags).toEqual(TAGS);
    expect(Object.keys(point.fields).sort()).toEqual(
      [
        'best_velocity', 'load_kg', 'mean_velocity', 'reps', 'set_id', 'tut_ms', 'velocity_loss_pct', 'volume_kg',
        'e1rm_kg', 'e1rm_source', 'rel_intensity', 'rir_last', 'impulse', 'lactate_increment', 'model',
      ].sort(),
    );
    expect(point.fields['set_id']).toEqual({ str: 's-0007' });
    expect(point.fields['reps']).toEqual({ int: 5 });
    expect(point.fields['e1rm_source']).toEqual({ str: 'profile' });
    expect(point.fields['model']).toEqual({ str: 'nsi-1' });
    expect(point.time).toBe(REP.ts + 4 * 3000);
  });

  it('carries the spec values of the worked set', () => {
    const fields = parsePoint(setLine(owner, model, 'nsi-1')).fields;
    const value = (key: string): number => {
      const field = fields[key];
      if (!field || !('float' in field)) return expect.fail(`${key} is not a float field`);
      return field.float;
    };
    expect(value('load_kg')).toBeCloseTo(100, 9);
    expect(value('volume_kg')).toBeCloseTo(500, 9);
    expect(value('mean_velocity')).toBeCloseTo(0.74, 9);
    expect(value('best_velocity')).toBe(0.82);
    expect(value('velocity_loss_pct')).toBeCloseTo((1 - 0.6 / 0.82) * 100, 9);
    expect(value('tut_ms')).toBe(5 * (820 + 1650));
    expect(value('e1rm_kg')).toBe(140);
    expect(value('rel_intensity')).toBeCloseTo(100 / 140, 9);
    // Δλ = k_λ·M·VL_set with k_λ = 8 mmol/L and M = 1.0 for the back squat.
    expect(value('lactate_increment')).toBeCloseTo(8 * (1 - 0.6 / 0.82), 9);
  });

  it('can write the points of every contract-valid set (tiny first velocities, fast fourth rep)', () => {
    const extreme: RepRecord[] = [1e-309, 1e-309, 1e-309, 5].map((meanVelocity, i) => ({
      ...REP,
      repIndex: i + 1,
      ts: REP.ts + i,
      meanVelocity,
      peakVelocity: Math.max(meanVelocity, 1.05),
    }));
    const m = computeSetModel({ reps: extreme, exercise: 'back_squat', e1rm: { e1rmKg: 140, source: 'profile' } }) as SetModel;
    expect(() => setLine(owner, m, 'nsi-1')).not.toThrow();
    for (const rep of m.perRep) expect(() => repLine(REP, rep.velocityLoss * 100)).not.toThrow();
  });
});

// ---- property ----

const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const repArb: fc.Arbitrary<RepRecord> = fc.record(
  {
    gymId: idArb,
    stationId: idArb,
    athleteId: idArb,
    setId: idArb,
    exercise: idArb,
    repIndex: fc.integer({ min: 1, max: 1000 }),
    ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    loadKg: finite(0, 1000),
    meanVelocity: finite(Number.MIN_VALUE, 5),
    peakVelocity: finite(0, 10),
    rom: finite(Number.MIN_VALUE, 3),
    concentricMs: fc.integer({ min: 1, max: 60_000 }),
    eccentricMs: fc.integer({ min: 0, max: 60_000 }),
    source: fc.constantFrom('device' as const, 'samples' as const),
  },
  { requiredKeys: ['gymId', 'stationId', 'athleteId', 'setId', 'exercise', 'repIndex', 'ts', 'loadKg', 'meanVelocity', 'source'] },
);

describe('points: property', () => {
  it('a rep point parses back to its tags and fields', () => {
    fc.assert(
      fc.property(repArb, fc.option(finite(-1e6, 100), { nil: undefined }), (rep, loss) => {
        const point = parsePoint(repLine(rep, loss));
        expect(point.measurement).toBe('rep');
        expect(point.tags).toEqual({ gym: rep.gymId, station: rep.stationId, athlete: rep.athleteId, exercise: rep.exercise });
        const optional = (key: string, value: number | undefined) => (value === undefined ? {} : { [key]: { float: value } });
        expect(point.fields).toEqual({
          set_id: { str: rep.setId },
          rep_index: { int: rep.repIndex },
          load_kg: { float: rep.loadKg },
          mean_velocity: { float: rep.meanVelocity },
          ...optional('peak_velocity', rep.peakVelocity),
          ...optional('rom', rep.rom),
          ...optional('concentric_ms', rep.concentricMs),
          ...optional('eccentric_ms', rep.eccentricMs),
          ...optional('velocity_loss_pct', loss),
          source: { str: rep.source },
        });
        expect(point.time).toBe(rep.ts);
      }),
    );
  });

  it('a set point parses back to its tags and the model of any contract-valid set', () => {
    fc.assert(
      fc.property(repArb, fc.array(finite(0.01, 5), { minLength: 1, maxLength: 30 }), finite(1, 1000), (rep, velocities, e1rmKg) => {
        const reps = velocities.map((meanVelocity, i) => ({ ...rep, repIndex: i + 1, ts: rep.ts + i, meanVelocity }));
        const m = computeSetModel({ reps, exercise: rep.exercise, e1rm: { e1rmKg, source: 'epley' } }) as SetModel;
        const owner = { gymId: rep.gymId, stationId: rep.stationId, athleteId: rep.athleteId, exercise: rep.exercise, setId: rep.setId };
        const point = parsePoint(setLine(owner, m, 'nsi-1'));
        expect(point.tags).toEqual({ gym: rep.gymId, station: rep.stationId, athlete: rep.athleteId, exercise: rep.exercise });
        expect(point.fields['reps']).toEqual({ int: velocities.length });
        expect(point.fields['impulse']).toEqual({ float: m.impulse });
        expect(point.fields['velocity_loss_pct']).toEqual({ float: m.velocityLoss * 100 });
        expect(point.time).toBe(m.lastTs);
      }),
    );
  });
});
