import { describe, expect, it } from 'vitest';
import { MEASUREMENTS } from '@neurolift/contracts';
import { athleteSetKey, foldSets, lvpEntry, MODEL_VERSION, type AthleteSet } from '@neurolift/stimulus';
import { athleteLines } from './athlete-lines.js';

/*
 * The athlete's series follow the athlete, not the gym (decision 0018):
 *   neurotrophic_stimulus: tag athlete; fields session_id, gym (the set's gym), nsi, dose, … model.
 *   neurotrophic_exposure: tag athlete; fields daily_load, a7, c28, ratio, model (no gym).
 *   neurotrophic_acute: tag athlete; field level (no gym).
 *   set: tags gym, station, athlete, exercise, as before.
 */

const ATHLETE = 'ath-1';
/** 2026-11-02 07:00 UTC: a morning at gym A, an afternoon (7 h later, another session) at gym B. */
const MORNING = Date.UTC(2026, 10, 2, 7, 0, 0);
const AFTERNOON = MORNING + 7 * 3600_000;

function set(gymId: string, stationId: string, setId: string, start: number, loadKg: number): AthleteSet {
  return {
    key: athleteSetKey(stationId, setId),
    gymId,
    stationId,
    setId,
    exercise: 'back_squat',
    reps: [0, 1, 2, 3].map((r) => ({ repIndex: r + 1, ts: start + r * 3_000, loadKg, meanVelocity: 0.7 - 0.04 * r })),
  };
}

const SETS = [
  set('gym-a', 'st-a', 'a1', MORNING, 100),
  set('gym-a', 'st-a', 'a2', MORNING + 4 * 60_000, 110),
  set('gym-b', 'st-b', 'b1', AFTERNOON, 100),
  set('gym-b', 'st-b', 'b2', AFTERNOON + 4 * 60_000, 110),
];

interface Point {
  readonly measurement: string;
  readonly tags: Record<string, string>;
  readonly fields: Record<string, string>;
  readonly ts: number;
}

/** The worker's own lines: ids in tags (no escapes), string fields quoted without commas or spaces here. */
function parse(text: string): Point {
  const [head = '', fieldText = '', ts = ''] = text.split(' ');
  const [measurement = '', ...tagPairs] = head.split(',');
  const pairs = (items: string[]) => Object.fromEntries(items.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { measurement, tags: pairs(tagPairs), fields: pairs(fieldText.split(',')), ts: Number(ts) };
}

const ATHLETE_SERIES: readonly string[] = [MEASUREMENTS.stimulus, MEASUREMENTS.exposure, MEASUREMENTS.acute];

describe('athleteLines', () => {
  const { update } = foldSets({ start: {}, sets: SETS, history: new Map([['back_squat', SETS.map(lvpEntry)]]), profile: { bodyMassKg: 80 } });
  const points = athleteLines(ATHLETE, update, MODEL_VERSION).map(parse);
  const of = (measurement: string) => points.filter((p) => p.measurement === measurement);

  it('tags the session, exposure and acute points by athlete only', () => {
    for (const measurement of ATHLETE_SERIES) {
      expect(of(measurement).length, measurement).toBeGreaterThan(0);
      for (const point of of(measurement)) expect(point.tags, measurement).toEqual({ athlete: ATHLETE });
    }
    // One series each, whatever the places.
    const series = new Set(points.filter((p) => ATHLETE_SERIES.includes(p.measurement)).map((p) => `${p.measurement},${JSON.stringify(p.tags)}`));
    expect(series.size).toBe(3);
  });

  it('a day at two gyms is one exposure point, without a gym', () => {
    const exposure = of(MEASUREMENTS.exposure);
    expect(exposure).toHaveLength(1);
    expect(exposure[0]?.fields).not.toHaveProperty('gym');
    // The day's load is both sessions'.
    const sessionEnds = of(MEASUREMENTS.stimulus).filter((p) => p.fields.sets === '2i');
    expect(sessionEnds).toHaveLength(2);
    const load = sessionEnds.reduce((sum, p) => sum + Number(p.fields.nsi), 0);
    expect(Number(exposure[0]?.fields.daily_load)).toBeCloseTo(load, 9);
  });

  it('gives each session point the gym of its set as a string field', () => {
    const stimulus = of(MEASUREMENTS.stimulus);
    expect(stimulus.map((p) => p.fields.gym)).toEqual(['"gym-a"', '"gym-a"', '"gym-b"', '"gym-b"']);
    expect(new Set(stimulus.map((p) => p.fields.session_id)).size).toBe(2);
  });

  it('names no gym in the acute curve', () => {
    for (const point of of(MEASUREMENTS.acute)) expect(Object.keys(point.fields)).toEqual(['level']);
  });

  it('keeps the gym tag on the set points', () => {
    const sets = of(MEASUREMENTS.set);
    expect(sets.map((p) => p.tags.gym)).toEqual(['gym-a', 'gym-a', 'gym-b', 'gym-b']);
    for (const point of sets) expect(point.tags).toMatchObject({ athlete: ATHLETE, exercise: 'back_squat' });
  });
});
