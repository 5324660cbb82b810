// The queue checker on hand-made histories: each class of outcome, and the dead-letter reader.
import { describe, expect, it } from 'vitest';
import { checkQueue, fieldValue, repMessageId, repPoint, setMessageId, setPoint, type PublishedMessage } from './checker.js';
import { deadLetteredIds } from './dead-letter-ids.js';
import type { RecordedPoint } from './recording-proxy.js';

const TAGS = { athlete: 'ath-1', exercise: 'back_squat', gym: 'g', station: 'st-1' };

function rep(repIndex: number, ts: number, fields: Record<string, string> = {}, tags: Record<string, string> = TAGS): RecordedPoint {
  return {
    measurement: 'rep',
    tags,
    fields: { set_id: '"s-1"', rep_index: `${repIndex}i`, load_kg: '100', mean_velocity: '0.5', source: '"device"', ...fields },
    ts,
    ackedAt: 0,
  };
}

const published = (repIndex: number, ts: number, acked = true): PublishedMessage => ({
  id: repMessageId('g', 'st-1', 's-1', repIndex, ts),
  acked,
  expected: { mean_velocity: 0.5, load_kg: 100, rep_index: repIndex, set_id: 's-1' },
});

const check = (messages: PublishedMessage[], points: RecordedPoint[], deadLettered: string[] = [], mutableFields: string[] = []) =>
  checkQueue({ published: messages, points: points.map(repPoint), deadLettered, mutableFields });

describe('checkQueue', () => {
  it('a point written once, or rewritten with the same values, is stored once', () => {
    const result = check([published(1, 1000), published(2, 2000)], [rep(1, 1000), rep(2, 2000), rep(2, 2000)]);
    expect(result.counts).toMatchObject({ 'stored-once': 2, duplicated: 0, lost: 0, unexpected: 0, published: 2, acked: 2, points: 3 });
  });

  it('a rewrite with other values is a duplicate unless the field may change', () => {
    const points = [rep(1, 1000, { velocity_loss_pct: '0' }), rep(1, 1000, { velocity_loss_pct: '12.5' })];
    const strict = check([published(1, 1000)], points);
    expect(strict.counts.duplicated).toBe(1);
    expect(strict.examples.duplicated[0]).toContain('velocity_loss_pct written as 0 then 12.5');
    expect(check([published(1, 1000)], points, [], ['velocity_loss_pct']).counts['stored-once']).toBe(1);
  });

  it('two distinct points for one message (other tags) are a duplicate', () => {
    const result = check([published(1, 1000)], [rep(1, 1000), rep(1, 1000, {}, { ...TAGS, athlete: 'ath-2' })]);
    expect(result.counts.duplicated).toBe(1);
    expect(result.examples.duplicated[0]).toContain('2 distinct points');
  });

  it('an acknowledged message found nowhere is lost; an unacknowledged one is only indeterminate', () => {
    const result = check([published(1, 1000), published(2, 2000, false), published(3, 3000, false)], [rep(3, 3000)]);
    expect(result.counts).toMatchObject({ lost: 1, unacknowledged: 1, 'stored-once': 1, acked: 1 });
    expect(result.outcomeOf.get(repMessageId('g', 'st-1', 's-1', 1, 1000))).toBe('lost');
  });

  it('a dead-lettered message is not lost; one both stored and dead-lettered counts as stored', () => {
    const id1 = repMessageId('g', 'st-1', 's-1', 1, 1000);
    const id2 = repMessageId('g', 'st-1', 's-1', 2, 2000);
    const result = check([published(1, 1000), published(2, 2000)], [rep(2, 2000)], [id1, id2]);
    expect(result.counts).toMatchObject({ 'dead-lettered': 1, 'stored-once': 1, lost: 0 });
    expect(result.storedAndDeadLettered).toBe(1);
  });

  it('a point nobody published is unexpected; a stored value other than the published one is altered', () => {
    const result = check([published(1, 1000)], [rep(1, 1000, { mean_velocity: '0.45' }), rep(9, 9000)]);
    expect(result.counts).toMatchObject({ altered: 1, unexpected: 1 });
    expect(result.examples.altered[0]).toContain('mean_velocity stored as 0.45, published 0.5');
  });

  it('keeps a bounded number of examples', () => {
    const messages = Array.from({ length: 20 }, (_, i) => published(i + 1, (i + 1) * 1000));
    const result = checkQueue({ published: messages, points: [], deadLettered: [], maxExamples: 3 });
    expect(result.counts.lost).toBe(20);
    expect(result.examples.lost).toHaveLength(3);
  });

  it('maps set points to the set’s end message', () => {
    const point: RecordedPoint = { measurement: 'set', tags: TAGS, fields: { set_id: '"s-1"', reps: '12i' }, ts: 5000, ackedAt: 0 };
    const result = checkQueue({ published: [{ id: setMessageId('g', 'st-1', 's-1'), acked: true, expected: { reps: 12 } }], points: [setPoint(point)], deadLettered: [] });
    expect(result.counts['stored-once']).toBe(1);
  });

  it('reads line-protocol field values', () => {
    expect([fieldValue('"a \\"b\\""'), fieldValue('12i'), fieldValue('-3i'), fieldValue('0.5'), fieldValue('true')]).toEqual(['a "b"', '12', '-3', '0.5', 'true']);
  });
});

describe('deadLetteredIds', () => {
  const repRecord = (repIndex: number) => ({ gymId: 'g', stationId: 'st-1', athleteId: 'a', setId: 's-1', exercise: 'back_squat', repIndex, ts: repIndex * 1000, loadKg: 100, meanVelocity: 0.5, source: 'device' });

  it('names device messages, every rep of a refused rep job and the set of a refused set job', () => {
    const items = [
      { topic: 'gym/v1/g/st-1/rep', reason: 'invalid_payload', payload: JSON.stringify({ v: 1, setId: 's-1', repIndex: 7, ts: 7000 }) },
      { topic: 'gym/v1/g/st-1/set', reason: 'time_out_of_window', payload: JSON.stringify({ v: 1, event: 'end', setId: 's-2', ts: 1 }) },
      { topic: 'queue/reps/42', reason: 'tsdb_rejected', payload: JSON.stringify({ v: 1, reps: [repRecord(1), repRecord(2)] }) },
      { topic: 'queue/sets/set.g.st-1.s-3', reason: 'tsdb_rejected', payload: JSON.stringify({ v: 1, gymId: 'g', stationId: 'st-1', setId: 's-3', revision: 0, closedBy: 'end' }) },
      { topic: 'queue/alerts/abc', reason: 'retries_exhausted', payload: '{}' },
    ];
    const { ids, truncated, unreadable } = deadLetteredIds(items);
    expect([...ids].sort()).toEqual(
      [repMessageId('g', 'st-1', 's-1', 7, 7000), setMessageId('g', 'st-1', 's-2'), repMessageId('g', 'st-1', 's-1', 1, 1000), repMessageId('g', 'st-1', 's-1', 2, 2000), setMessageId('g', 'st-1', 's-3')].sort(),
    );
    expect({ truncated, unreadable }).toEqual({ truncated: 0, unreadable: 0 });
  });

  it('reads the complete reps of a cut job payload and says it was cut', () => {
    const full = JSON.stringify({ v: 1, reps: [repRecord(1), repRecord(2), repRecord(3)] });
    const cut = full.slice(0, full.lastIndexOf('{') + 20);
    const { ids, truncated } = deadLetteredIds([{ topic: 'queue/reps/43', reason: 'tsdb_rejected', payload: cut, truncated: true }]);
    expect([...ids]).toEqual([repMessageId('g', 'st-1', 's-1', 1, 1000), repMessageId('g', 'st-1', 's-1', 2, 2000)]);
    expect(truncated).toBe(1);
  });
});
