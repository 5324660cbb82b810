import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_TENANT, parseDeviceMessage, type RepRecord } from '@neurolift/contracts';
import { buildCommit, toDeadLetter, type Received } from './commit-builder.js';

/*
 * Inputs are the device protocol v1 example payloads (/work/shared/contract/device-protocol-v1.md),
 * validated by the real parser, exactly as ingest receives them.
 */

const NOW = 1_793_032_890_000; // a few seconds after the examples' timestamps
const GYM = 'gym-01';
const STATION = 'station_7';
const LIMIT = 4096;

const REP = {
  v: 1,
  ts: 1793032889123,
  athleteId: 'a-7f3c',
  setId: 's-0007',
  exercise: 'back_squat',
  repIndex: 3,
  loadKg: 100,
  meanVelocity: 0.62,
  peakVelocity: 1.05,
  rom: 0.58,
  concentricMs: 820,
  eccentricMs: 1650,
};
const SAMPLES = {
  v: 1,
  t0: 1793032889000,
  hz: 100,
  athleteId: 'a-7f3c',
  setId: 's-0007',
  exercise: 'back_squat',
  loadKg: 100,
  position: [0.0, 0.001, 0.003],
  force: [981.0, 990.2, 1012.7],
};
const SET_START = { v: 1, event: 'start', ts: 1793032880000, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', loadKg: 100 };
const STATUS = { v: 1, online: true, ts: 1793032880000, firmware: '2.4.1', model: 'rack-pro' };
const LAST_WILL = '{"v":1,"online":false}';

const encoder = new TextEncoder();

function received(
  channel: string,
  payload: object | string | Uint8Array,
  receivedAt = NOW,
  station = STATION,
): Received {
  const topic = `gym/v1/${GYM}/${station}/${channel}`;
  const bytes = payload instanceof Uint8Array ? payload : encoder.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return { topic, payload: bytes, receivedAt, outcome: parseDeviceMessage(topic, bytes, { now: receivedAt }) };
}

function accepted(message: Received): Received {
  if (!message.outcome.ok) expect.fail(`fixture rejected: ${message.outcome.reason}: ${message.outcome.detail}`);
  return message;
}

describe('buildCommit', () => {
  it('turns a valid rep into a rep record (source device, no v) and a rep op', () => {
    const commit = buildCommit([accepted(received('rep', REP))], NOW + 5, LIMIT);
    const { v, ...fields } = REP;
    expect(v).toBe(1);
    const expected: RepRecord = { gymId: GYM, stationId: STATION, ...fields, source: 'device' };
    expect(commit.reps).toEqual([expected]);
    expect(commit.reps[0]).not.toHaveProperty('v');
    expect(commit.ops).toEqual([{ kind: 'rep', rep: expected }]);
    expect(commit.samples).toEqual([]);
    expect(commit.deadLetters).toEqual([]);
    expect(commit.now).toBe(NOW + 5);
  });

  it('keeps only the fields the protocol knows (unknown extras are not stored)', () => {
    const commit = buildCommit([accepted(received('rep', { ...REP, firmwareHint: 'x', debug: { a: 1 } }))], NOW, LIMIT);
    expect(Object.keys(commit.reps[0] ?? {}).sort()).toEqual(
      ['gymId', 'stationId', 'ts', 'athleteId', 'setId', 'exercise', 'repIndex', 'loadKg', 'meanVelocity', 'peakVelocity', 'rom', 'concentricMs', 'eccentricMs', 'source'].sort(),
    );
  });

  it('a rep with only the required fields has no optional keys', () => {
    const minimal = { v: 1, ts: REP.ts, athleteId: 'a-1', setId: 's-1', exercise: 'bench_press', repIndex: 1, loadKg: 60, meanVelocity: 0.5 };
    const commit = buildCommit([accepted(received('rep', minimal))], NOW, LIMIT);
    expect(commit.reps).toEqual([
      { gymId: GYM, stationId: STATION, ts: REP.ts, athleteId: 'a-1', setId: 's-1', exercise: 'bench_press', repIndex: 1, loadKg: 60, meanVelocity: 0.5, source: 'device' },
    ]);
  });

  it('turns set start and end into ops (loadKg only when sent)', () => {
    const end = { v: 1, event: 'end', ts: 1793032889500, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat' };
    const commit = buildCommit([accepted(received('set', SET_START)), accepted(received('set', end))], NOW, LIMIT);
    expect(commit.ops).toEqual([
      { kind: 'start', gymId: GYM, stationId: STATION, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', ts: 1793032880000, loadKg: 100 },
      { kind: 'end', gymId: GYM, stationId: STATION, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', ts: 1793032889500 },
    ]);
    expect(commit.ops[1]).not.toHaveProperty('loadKg');
    expect(commit.reps).toEqual([]);
  });

  it('turns a status into an op with its own ts, firmware and model', () => {
    const commit = buildCommit([accepted(received('status', STATUS))], NOW, LIMIT);
    expect(commit.ops).toEqual([
      { kind: 'status', gymId: GYM, stationId: STATION, online: true, ts: 1793032880000, firmware: '2.4.1', model: 'rack-pro' },
    ]);
  });

  it('lists offline statuses (with their time) for the alerts service, online ones not', () => {
    const commit = buildCommit([accepted(received('status', STATUS)), accepted(received('status', LAST_WILL, NOW + 7))], NOW + 10, LIMIT);
    expect(commit.offline).toEqual([{ gymId: GYM, stationId: STATION, ts: NOW + 7 }]);
  });

  it('a last will (status without ts) gets the time it was received', () => {
    const receivedAt = NOW + 12_345;
    const commit = buildCommit([accepted(received('status', LAST_WILL, receivedAt))], NOW + 20_000, LIMIT);
    expect(commit.ops).toEqual([{ kind: 'status', gymId: GYM, stationId: STATION, online: false, ts: receivedAt }]);
    expect(commit.ops[0]).not.toHaveProperty('firmware');
    expect(commit.ops[0]).not.toHaveProperty('model');
  });

  it('turns samples into a samples job and a start op that keeps the set open (no rep)', () => {
    const message = accepted(received('samples', SAMPLES));
    const commit = buildCommit([message], NOW, LIMIT);
    // The inbox gets the payload's own text, not the parsed block written out again.
    expect(commit.samples).toEqual([{ gymId: GYM, stationId: STATION, block: SAMPLES, text: JSON.stringify(SAMPLES) }]);
    expect(commit.ops).toEqual([
      { kind: 'start', gymId: GYM, stationId: STATION, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', loadKg: 100, ts: SAMPLES.t0 },
    ]);
    expect(commit.reps).toEqual([]);
  });

  it('dead-letters a rejected message with topic, reason, detail, payload, size and ISO time', () => {
    const text = '{"v":1,"ts":';
    const message = received('rep', text, NOW + 250);
    if (message.outcome.ok) return expect.fail('malformed JSON must be rejected');
    const commit = buildCommit([message], NOW + 300, LIMIT);
    expect(commit.deadLetters).toEqual([
      {
        topic: `gym/v1/${GYM}/${STATION}/rep`,
        reason: 'malformed_json',
        detail: message.outcome.detail,
        payload: text,
        payloadBytes: text.length,
        truncated: false,
        receivedAt: new Date(NOW + 250).toISOString(),
        tenant: DEFAULT_TENANT,
      },
    ]);
    expect(commit.deadLetters[0]?.receivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(commit.ops).toEqual([]);
    expect(commit.reps).toEqual([]);
  });

  it('dead-letters schema violations, unknown channels and bad topics with their reasons', () => {
    const batch = [
      received('rep', { ...REP, meanVelocity: 0 }),
      received('telemetry', REP),
      received('rep', REP, NOW, 'bad station'),
    ];
    const commit = buildCommit(batch, NOW, LIMIT);
    expect(commit.deadLetters.map((letter) => letter.reason)).toEqual(['schema', 'unknown_channel', 'bad_topic']);
    for (const [i, letter] of commit.deadLetters.entries()) {
      const outcome = batch[i]?.outcome;
      expect(outcome?.ok).toBe(false);
      if (outcome && !outcome.ok) expect(letter.detail).toBe(outcome.detail);
      expect(letter.topic).toBe(batch[i]?.topic);
    }
  });

  it('cuts a long payload to the limit, marks it truncated and keeps the original size', () => {
    const text = `{"v":1,"junk":"${'x'.repeat(500)}"`; // malformed: missing }
    const message = received('rep', text);
    const commit = buildCommit([message], NOW, 100);
    const letter = commit.deadLetters[0];
    expect(letter?.payload).toBe(text.slice(0, 100));
    expect(letter?.truncated).toBe(true);
    expect(letter?.payloadBytes).toBe(encoder.encode(text).byteLength);
  });

  it('a payload exactly at the limit is not truncated', () => {
    const text = 'x'.repeat(100);
    const commit = buildCommit([received('rep', text)], NOW, 100);
    expect(commit.deadLetters[0]).toMatchObject({ payload: text, truncated: false, payloadBytes: 100 });
  });

  it('an oversized payload (> 64 KiB) is dead-lettered with a bounded payload', () => {
    const bytes = new Uint8Array(64 * 1024 + 1).fill(0x41);
    const commit = buildCommit([received('rep', bytes)], NOW, LIMIT);
    expect(commit.deadLetters[0]).toMatchObject({ reason: 'oversize', truncated: true, payloadBytes: 64 * 1024 + 1 });
    expect(commit.deadLetters[0]?.payload).toBe('A'.repeat(LIMIT));
  });

  it('an invalid UTF-8 payload still yields a string payload', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]); // {"\xff\xfe\xc3"}
    const message = received('rep', bytes);
    expect(message.outcome.ok).toBe(false);
    const letter = buildCommit([message], NOW, LIMIT).deadLetters[0];
    expect(typeof letter?.payload).toBe('string');
    expect(letter?.payload.startsWith('{"')).toBe(true);
    expect(letter?.payload).toContain('\uFFFD');
    expect(letter?.payloadBytes).toBe(7);
  });

  it('cutting inside a multi-byte character still yields a string', () => {
    const text = 'é'.repeat(10); // 20 bytes
    const letter = toDeadLetter(received('rep', text), 'malformed_json', 'test', 5);
    expect(typeof letter.payload).toBe('string');
    expect(letter.payload.startsWith('éé')).toBe(true);
    expect(letter.truncated).toBe(true);
    expect(letter.payloadBytes).toBe(20);
  });

  it('keeps ops in arrival order across channels', () => {
    const rep1 = { ...REP, repIndex: 1 };
    const rep2 = { ...REP, repIndex: 2, ts: REP.ts + 100 };
    const end = { v: 1, event: 'end', ts: REP.ts + 200, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat' };
    const batch = [
      received('set', SET_START),
      received('rep', rep1),
      received('samples', SAMPLES),
      received('status', LAST_WILL),
      received('rep', '{oops'),
      received('rep', rep2),
      received('set', end),
    ];
    const commit = buildCommit(batch, NOW, LIMIT);
    expect(commit.ops.map((op) => (op.kind === 'rep' ? `rep${op.rep.repIndex}` : op.kind))).toEqual(['start', 'rep1', 'start', 'status', 'rep2', 'end']);
    expect(commit.reps.map((r) => r.repIndex)).toEqual([1, 2]);
    expect(commit.samples).toHaveLength(1);
    expect(commit.deadLetters.map((l) => l.reason)).toEqual(['malformed_json']);
  });

  it('accounts for every message exactly once', () => {
    const kinds = ['rep', 'set', 'status', 'samples', 'bad'] as const;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { maxLength: 30 }), (sequence) => {
        const batch = sequence.map((kind, i): Received => {
          switch (kind) {
            case 'rep':
              return received('rep', { ...REP, repIndex: i + 1 });
            case 'set':
              return received('set', { ...SET_START, ts: SET_START.ts + i });
            case 'status':
              return received('status', LAST_WILL, NOW + i);
            case 'samples':
              return received('samples', { ...SAMPLES, t0: SAMPLES.t0 + i });
            case 'bad':
              return received('rep', `not json ${i}`);
          }
        });
        const commit = buildCommit(batch, NOW, LIMIT);
        const count = (kind: (typeof kinds)[number]) => sequence.filter((k) => k === kind).length;
        expect(commit.reps).toHaveLength(count('rep'));
        expect(commit.samples).toHaveLength(count('samples'));
        expect(commit.deadLetters).toHaveLength(count('bad'));
        expect(commit.ops.map((op) => op.kind)).toEqual(
          sequence.filter((k) => k !== 'bad').map((k) => (k === 'set' || k === 'samples' ? 'start' : k)),
        );
        expect(commit.ops.filter((op) => op.kind === 'status').map((op) => op.ts)).toEqual(
          sequence.flatMap((k, i) => (k === 'status' ? [NOW + i] : [])),
        );
      }),
    );
  });
});
