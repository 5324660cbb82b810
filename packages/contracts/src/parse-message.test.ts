import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseDeviceMessage, REJECT_REASONS, type DeviceMessage, type ParseOptions, type ParseOutcome, type RejectReason } from './parse-message.js';
import { EXAMPLE_TEXT } from './test-fixtures.js';

/*
 * Everything below is derived from device protocol v1 (/work/shared/contract/device-protocol-v1.md):
 * example payloads, ranges, the 64 KiB limit and the 5 min / 7 day window.
 */

const KIB = 1024;
const MAX_PAYLOAD = 64 * KIB; // "at most 64 KiB"
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_FUTURE = 5 * MINUTE; // "more than 5 minutes in the future … is rejected"
const MAX_AGE = 7 * DAY; // "older than 7 days, is rejected"

// The protocol's own example payloads, verbatim: EXAMPLE_TEXT (test-fixtures.ts).
type Channel = keyof typeof EXAMPLE_TEXT;
const CHANNELS = Object.keys(EXAMPLE_TEXT) as Channel[];
const LAST_WILL = '{"v":1,"online":false}';

type Json = Record<string, unknown>;
const example = (channel: Channel): Json => JSON.parse(EXAMPLE_TEXT[channel]) as Json;

/** The receiver's clock: a few seconds after the examples' timestamps. */
const NOW = 1793032890000;
const OPTIONS: ParseOptions = { now: NOW };

// Required fields per the protocol (the rep table; the samples bullet list; set and status examples/text).
const REQUIRED: Record<Channel, readonly string[]> = {
  rep: ['v', 'ts', 'athleteId', 'setId', 'exercise', 'repIndex', 'loadKg', 'meanVelocity'],
  samples: ['v', 't0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg', 'position'],
  set: ['v', 'event', 'ts', 'setId', 'athleteId', 'exercise'],
  status: ['v', 'online'],
  imu: ['v', 't0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg', 'mount', 'accel'],
  hr: ['v', 't0', 'athleteId', 'bpm'],
};
const TIME_FIELD: Record<Channel, 'ts' | 't0'> = { rep: 'ts', samples: 't0', set: 'ts', status: 'ts', imu: 't0', hr: 't0' };

const utf8 = new TextEncoder();
const topicOf = (channel: string): string => `gym/v1/gym-01/station_7/${channel}`;
const bytes = (text: string): Uint8Array => utf8.encode(text);

function parse(channel: string, payload: string | Uint8Array | Json, options: ParseOptions = OPTIONS): ParseOutcome {
  const data = payload instanceof Uint8Array ? payload : bytes(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return parseDeviceMessage(topicOf(channel), data, options);
}

function expectAccepted(outcome: ParseOutcome): DeviceMessage {
  if (!outcome.ok) expect.fail(`expected the message to be accepted, got ${outcome.reason}: ${outcome.detail}`);
  return outcome.message;
}

/** Asserts the reason and that the detail mentions every given word (field names, limits). */
function expectRejected(outcome: ParseOutcome, reason: RejectReason, ...mentions: Array<string | RegExp>): string {
  if (outcome.ok) return expect.fail(`expected ${reason}, but the message was accepted: ${JSON.stringify(outcome.message)}`);
  expect(outcome.reason, outcome.detail).toBe(reason);
  expect(outcome.detail.length).toBeGreaterThan(0);
  for (const m of mentions) {
    if (typeof m === 'string') expect(outcome.detail).toContain(m);
    else expect(outcome.detail).toMatch(m);
  }
  return outcome.detail;
}

/** JSON text of `base` with `field` replaced by a raw JSON token (e.g. `1e400`) that JSON.stringify cannot produce. */
function withRawToken(base: Json, field: string, token: string): string {
  const marker = '__RAW_TOKEN__';
  return JSON.stringify({ ...base, [field]: marker }).replace(`"${marker}"`, token);
}

/** A valid payload padded with insignificant trailing whitespace to exactly `size` bytes. */
function paddedTo(size: number, base: Json = example('rep')): Uint8Array {
  const text = JSON.stringify(base);
  const length = bytes(text).byteLength;
  if (length > size) throw new Error('base payload larger than the target size');
  return bytes(text + ' '.repeat(size - length));
}

describe('parseDeviceMessage: the protocol examples', () => {
  it.each(CHANNELS)('accepts the %s example with its body intact', (channel) => {
    const message = expectAccepted(parse(channel, EXAMPLE_TEXT[channel]));
    expect(message.channel).toBe(channel);
    expect(message.gymId).toBe('gym-01');
    expect(message.stationId).toBe('station_7');
    // Every field of the examples is a protocol field, so nothing is dropped or changed.
    expect(message.body).toStrictEqual(example(channel));
  });

  it('accepts the status last will {"v":1,"online":false} (no ts)', () => {
    const message = expectAccepted(parse('status', LAST_WILL));
    expect(message).toStrictEqual({ gymId: 'gym-01', stationId: 'station_7', channel: 'status', body: { v: 1, online: false } });
  });

  it('accepts a status without ts whatever the clock says', () => {
    expectAccepted(parse('status', LAST_WILL, { now: 0 }));
    expectAccepted(parse('status', { v: 1, online: true, firmware: '2.4.1' }, { now: Number.MAX_SAFE_INTEGER }));
  });

  it.each(CHANNELS)('accepts the %s example with only its required fields', (channel) => {
    const full = example(channel);
    const minimal = Object.fromEntries(REQUIRED[channel].map((k) => [k, full[k]]));
    if (channel === 'status') Object.assign(minimal, { online: true });
    const message = expectAccepted(parse(channel, minimal));
    expect(message.body).toStrictEqual(minimal);
  });

  it('accepts a set end event and an exercise id outside any catalogue', () => {
    expectAccepted(parse('set', { ...example('set'), event: 'end' }));
    expectAccepted(parse('rep', { ...example('rep'), exercise: 'zercher_squat_v2' }));
  });
});

describe('parseDeviceMessage: topic', () => {
  it('rejects a topic whose ids break the id rule as bad_topic', () => {
    const outcome = parseDeviceMessage('gym/v1/gym 01/s/rep', bytes(EXAMPLE_TEXT.rep), OPTIONS);
    expectRejected(outcome, 'bad_topic', 'gymId');
  });

  it('rejects an unknown channel as unknown_channel', () => {
    expectRejected(parse('reps', EXAMPLE_TEXT.rep), 'unknown_channel', 'reps');
  });
});

describe('parseDeviceMessage: oversize', () => {
  it('rejects 65 537 bytes as oversize, naming the size and the limit', () => {
    expectRejected(parse('rep', paddedTo(MAX_PAYLOAD + 1)), 'oversize', String(MAX_PAYLOAD + 1), String(MAX_PAYLOAD));
  });

  it('accepts a valid payload of exactly 65 536 bytes', () => {
    const payload = paddedTo(MAX_PAYLOAD);
    expect(payload.byteLength).toBe(65_536);
    expect(expectAccepted(parse('rep', payload)).body).toStrictEqual(example('rep'));
  });

  it('counts bytes, not characters', () => {
    // 2-byte characters: fewer than 64 Ki characters but more than 64 KiB.
    const base = { ...example('rep'), note: 'é'.repeat(32_000) };
    const payload = paddedTo(MAX_PAYLOAD + 1, base);
    expect(new TextDecoder().decode(payload).length).toBeLessThan(MAX_PAYLOAD);
    expectRejected(parse('rep', payload), 'oversize');
  });

  it('checks size before anything else (even with a bad topic)', () => {
    const outcome = parseDeviceMessage('not/a/topic', new Uint8Array(MAX_PAYLOAD + 1), OPTIONS);
    expectRejected(outcome, 'oversize');
  });
});

describe('parseDeviceMessage: malformed JSON', () => {
  it('rejects truncated JSON', () => {
    const text = EXAMPLE_TEXT.rep;
    expectRejected(parse('rep', text.slice(0, text.length - 1)), 'malformed_json', 'JSON');
    expectRejected(parse('rep', text.slice(0, 40)), 'malformed_json', 'JSON');
  });

  it('rejects an empty payload', () => {
    expectRejected(parse('status', new Uint8Array(0)), 'malformed_json');
  });

  it('rejects a payload with a UTF-8 byte-order mark and says so', () => {
    const body = bytes(EXAMPLE_TEXT.rep);
    const payload = new Uint8Array([0xef, 0xbb, 0xbf, ...body]);
    expectRejected(parse('rep', payload), 'malformed_json', /byte-order mark|BOM/i);
  });

  it.each([
    ['a 0xFF byte', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
  ])('rejects invalid UTF-8 (%s) inside a string', (_name, bad) => {
    const text = withRawToken(example('status'), 'model', '"X"');
    const at = text.indexOf('"X"') + 1;
    const raw = bytes(text);
    const payload = new Uint8Array([...raw.subarray(0, at), ...bad, ...raw.subarray(at + 1)]);
    expectRejected(parse('status', payload), 'malformed_json', 'UTF-8');
    // The decoder is shared: a failure must not affect the next message.
    expectAccepted(parse('status', EXAMPLE_TEXT.status));
  });

  it('rejects invalid UTF-8 at the very end of the payload', () => {
    const payload = new Uint8Array([...bytes(EXAMPLE_TEXT.status), 0xc3]);
    expectRejected(parse('status', payload), 'malformed_json', 'UTF-8');
  });

  it.each(['{"v":1,}', "{'v':1}", '{v:1}', 'NaN', '{"v":1} {"v":1}', '{"v":1', 'undefined'])('rejects %j', (text) => {
    expectRejected(parse('status', text), 'malformed_json', 'JSON');
  });
});

describe('parseDeviceMessage: JSON that is not an object', () => {
  it.each(['[]', `[${EXAMPLE_TEXT.status}]`, '42', '1', 'null', 'true', '"status"'])('rejects %j', (text) => {
    expectRejected(parse('status', text), 'schema', 'object');
  });
});

describe('parseDeviceMessage: unsupported_version', () => {
  it.each<[string, Json]>([
    ['v missing', { online: false }],
    ['v: 2', { v: 2, online: false }],
    ['v: "1"', { v: '1', online: false }],
    ['v: 0', { v: 0, online: false }],
    ['v: 1.5', { v: 1.5, online: false }],
    ['v: null', { v: null, online: false }],
    ['v: true', { v: true, online: false }],
    ['v: [1]', { v: [1], online: false }],
  ])('%s', (_name, payload) => {
    expectRejected(parse('status', payload), 'unsupported_version', /\bv\b/, '1');
  });

  it('says when v is missing', () => {
    expectRejected(parse('rep', { ...example('rep'), v: undefined }), 'unsupported_version', 'missing');
  });

  it('shows the version the device sent', () => {
    expectRejected(parse('rep', { ...example('rep'), v: 2 }), 'unsupported_version', '2');
  });

  it('applies to every channel', () => {
    for (const channel of CHANNELS) expectRejected(parse(channel, { ...example(channel), v: 2 }), 'unsupported_version');
  });

  it('accepts 1.0 (the same JSON number as 1)', () => {
    expectAccepted(parse('status', '{"v":1.0,"online":true}'));
  });

  // BUG (parse-message.ts): the detail echoes JSON.stringify(v) uncut, so a device controls up to
  // 64 KiB of the dead-letter reason.
  it('keeps the detail short when v is a long string', () => {
    const detail = expectRejected(parse('status', { v: 'x'.repeat(5000), online: false }), 'unsupported_version');
    expect(detail.length).toBeLessThan(300);
  });
});

describe('parseDeviceMessage: schema violations', () => {
  describe.each(CHANNELS)('%s: each required field missing', (channel) => {
    it.each(REQUIRED[channel].filter((f) => f !== 'v'))('%s', (field) => {
      const payload = { ...example(channel) };
      delete payload[field];
      expectRejected(parse(channel, payload), 'schema', field);
    });
  });

  it.each<[Channel, string, unknown]>([
    ['rep', 'loadKg', '100'],
    ['rep', 'repIndex', '3'],
    ['rep', 'meanVelocity', '0.62'],
    ['rep', 'ts', '1793032889123'],
    ['rep', 'peakVelocity', '1.05'],
    ['samples', 'hz', '100'],
    ['samples', 't0', '1793032889000'],
    ['samples', 'position', '0.001'],
    ['set', 'loadKg', '100'],
    ['status', 'online', 'true'],
    ['status', 'ts', '1793032880000'],
    ['imu', 'hz', '200'],
    ['imu', 't0', '1793032889000'],
    ['imu', 'mount', 7],
    ['imu', 'accel', '0.12,0.10'],
    ['imu', 'gyro', '0.001'],
    ['hr', 't0', '1793032880000'],
    ['hr', 'bpm', '96'],
    ['hr', 'rr', '612'],
  ])('%s.%s as a string', (channel, field, value) => {
    expectRejected(parse(channel, { ...example(channel), [field]: value }), 'schema', field);
  });

  it.each<[Channel, string, unknown]>([
    ['rep', 'athleteId', 'a 7f3c'],
    ['rep', 'setId', ''],
    ['rep', 'exercise', 'back squat'],
    ['rep', 'athleteId', 'x'.repeat(65)],
    ['rep', 'setId', 's,0007'],
    ['samples', 'athleteId', 'a=1'],
    ['set', 'setId', 's:1'],
    ['set', 'exercise', 'squat\n'],
    ['rep', 'athleteId', 7],
    ['imu', 'athleteId', 'a 7f3c'],
    ['imu', 'setId', 's.7'],
    ['imu', 'exercise', ''],
    ['hr', 'athleteId', 'jane@example.com'],
    ['hr', 'athleteId', 'x'.repeat(65)],
  ])('%s.%s breaking the id rule: %j', (channel, field, value) => {
    expectRejected(parse(channel, { ...example(channel), [field]: value }), 'schema', field);
  });

  describe('rep ranges', () => {
    const rep = example('rep');
    it.each<[string, number]>([
      ['repIndex', 0],
      ['repIndex', 1001],
      ['repIndex', 2.5],
      ['repIndex', -1],
      ['loadKg', -1],
      ['loadKg', -0.001],
      ['loadKg', 1000.001],
      ['meanVelocity', 0],
      ['meanVelocity', -0.5],
      ['meanVelocity', 5.0001],
      ['rom', 0],
      ['rom', 3.0001],
      ['concentricMs', 0],
      ['concentricMs', 60_001],
      ['concentricMs', 820.5],
      ['eccentricMs', -1],
      ['eccentricMs', 60_001],
      ['ts', -1],
      ['ts', 1793032889123.5],
    ])('%s = %d is rejected', (field, value) => {
      const payload: Json = { ...rep, [field]: value };
      // Keep peakVelocity consistent so that only `field` is wrong.
      if (field === 'meanVelocity') payload.peakVelocity = 10;
      expectRejected(parse('rep', payload), 'schema', field);
    });

    it.each<[string, number]>([
      ['repIndex', 1],
      ['repIndex', 1000],
      ['loadKg', 0],
      ['loadKg', 1000],
      ['meanVelocity', 5],
      ['meanVelocity', Number.MIN_VALUE],
      ['rom', 3],
      ['rom', 0.0001],
      ['concentricMs', 1],
      ['concentricMs', 60_000],
      ['eccentricMs', 0],
      ['eccentricMs', 60_000],
    ])('%s = %d is accepted', (field, value) => {
      const payload: Json = { ...rep, [field]: value };
      if (field === 'meanVelocity') payload.peakVelocity = Math.max(value, 1.05);
      expect(expectAccepted(parse('rep', payload)).body).toStrictEqual(payload);
    });

    it('rejects peakVelocity < meanVelocity', () => {
      expectRejected(parse('rep', { ...rep, meanVelocity: 0.62, peakVelocity: 0.61 }), 'schema', 'peakVelocity');
    });

    it('accepts peakVelocity = meanVelocity and peakVelocity = 10', () => {
      expectAccepted(parse('rep', { ...rep, meanVelocity: 0.62, peakVelocity: 0.62 }));
      expectAccepted(parse('rep', { ...rep, meanVelocity: 5, peakVelocity: 10 }));
    });

    it('rejects peakVelocity > 10', () => {
      expectRejected(parse('rep', { ...rep, peakVelocity: 10.0001 }), 'schema', 'peakVelocity');
    });

    it('names the other problems too when there are several', () => {
      const detail = expectRejected(parse('rep', { ...rep, repIndex: 0, loadKg: -1 }), 'schema');
      expect(detail).toMatch(/repIndex|loadKg/);
      expect(detail).toMatch(/1 more/);
    });
  });

  describe('samples', () => {
    const samples = example('samples');
    it('rejects force with a different length than position', () => {
      expectRejected(parse('samples', { ...samples, force: [981.0, 990.2] }), 'schema', 'force');
      expectRejected(parse('samples', { ...samples, force: [1, 2, 3, 4] }), 'schema', 'force');
    });

    it('rejects 2001 samples and accepts 2000', () => {
      const p2000 = Array.from({ length: 2000 }, (_, i) => i / 10_000);
      expectAccepted(parse('samples', { ...samples, position: p2000, force: p2000.map(() => 981) }));
      expectRejected(parse('samples', { ...samples, position: [...p2000, 0.2], force: undefined }), 'schema', 'position', '2000');
      expectRejected(parse('samples', { ...samples, position: [...p2000, 0.2], force: [...p2000, 0.2].map(() => 981) }), 'schema', '2000');
    });

    it('rejects an empty position array', () => {
      expectRejected(parse('samples', { ...samples, position: [], force: undefined }), 'schema', 'position');
    });

    it('rejects a non-number sample', () => {
      expectRejected(parse('samples', { ...samples, position: [0, '0.1', 0.2] }), 'schema', 'position');
      expectRejected(parse('samples', { ...samples, position: [0, null, 0.2] }), 'schema', 'position');
    });

    it.each([5, 9.99, 1000.5, 0, -100])('rejects hz %d', (hz) => {
      expectRejected(parse('samples', { ...samples, hz }), 'schema', 'hz');
    });

    it.each([10, 1000])('accepts hz %d', (hz) => {
      expectAccepted(parse('samples', { ...samples, hz }));
    });

    it('rejects a negative load', () => {
      expectRejected(parse('samples', { ...samples, loadKg: -5 }), 'schema', 'loadKg');
    });
  });

  describe('set and status', () => {
    it('rejects an unknown set event', () => {
      expectRejected(parse('set', { ...example('set'), event: 'pause' }), 'schema', 'event');
    });

    it('rejects a negative set load', () => {
      expectRejected(parse('set', { ...example('set'), loadKg: -1 }), 'schema', 'loadKg');
    });

    it('rejects a status whose online is not a boolean', () => {
      expectRejected(parse('status', { v: 1, online: 1 }), 'schema', 'online');
      expectRejected(parse('status', { v: 1, online: null }), 'schema', 'online');
    });

    it('rejects a status whose firmware is not a string', () => {
      expectRejected(parse('status', { v: 1, online: true, firmware: 2.4 }), 'schema', 'firmware');
    });
  });

  describe('1e400 (Infinity after JSON.parse) in any number field', () => {
    const numberFields: Record<Channel, readonly string[]> = {
      rep: ['v', 'ts', 'repIndex', 'loadKg', 'meanVelocity', 'peakVelocity', 'rom', 'concentricMs', 'eccentricMs'],
      samples: ['v', 't0', 'hz', 'loadKg'],
      set: ['v', 'ts', 'loadKg'],
      status: ['v', 'ts'],
      imu: ['v', 't0', 'hz', 'loadKg'],
      hr: ['v', 't0'],
    };
    const cases = CHANNELS.flatMap((channel) => numberFields[channel].flatMap((field) => ['1e400', '-1e400'].map((token) => [channel, field, token] as const)));

    it.each(cases)('%s.%s = %s', (channel, field, token) => {
      const text = withRawToken(example(channel), field, token);
      expect(Math.abs((JSON.parse(text) as Json)[field] as number)).toBe(Infinity);
      expectRejected(parse(channel, text), field === 'v' ? 'unsupported_version' : 'schema', field);
    });

    it.each(['position', 'force'])('samples.%s element', (field) => {
      const text = withRawToken(example('samples'), field, '[0, 1e400, 0.003]');
      expectRejected(parse('samples', text), 'schema', field);
    });
  });
});

describe('parseDeviceMessage: time window', () => {
  const at = (channel: Channel, time: number): Json => ({ ...example(channel), [TIME_FIELD[channel]]: time });
  const timed: Channel[] = ['rep', 'samples', 'set', 'status', 'imu', 'hr'];

  it.each(timed)('%s: 5 min + 1 ms in the future is rejected, naming the field', (channel) => {
    const field = TIME_FIELD[channel];
    expectRejected(parse(channel, at(channel, NOW + MAX_FUTURE + 1)), 'out_of_window', field, 'future', String(MAX_FUTURE));
  });

  it.each(timed)('%s: exactly 5 min in the future is accepted', (channel) => {
    expectAccepted(parse(channel, at(channel, NOW + MAX_FUTURE)));
  });

  it.each(timed)('%s: 7 days + 1 ms old is rejected, naming the field', (channel) => {
    const field = TIME_FIELD[channel];
    expectRejected(parse(channel, at(channel, NOW - MAX_AGE - 1)), 'out_of_window', field, 'older', String(MAX_AGE));
  });

  it.each(timed)('%s: exactly 7 days old is accepted (late buffered upload)', (channel) => {
    expectAccepted(parse(channel, at(channel, NOW - MAX_AGE)));
  });

  it('a timestamp in seconds is rejected with a hint about seconds', () => {
    const seconds = Math.floor(NOW / 1000) - 5;
    expectRejected(parse('rep', at('rep', seconds)), 'out_of_window', 'ts', /(?<!milli)seconds/);
    expectRejected(parse('samples', at('samples', seconds)), 'out_of_window', 't0', /(?<!milli)seconds/);
  });

  it('an old millisecond timestamp gets no seconds hint', () => {
    const detail = expectRejected(parse('rep', at('rep', NOW - 30 * DAY)), 'out_of_window');
    expect(detail).not.toMatch(/(?<!milli)seconds/);
  });

  it('honours a custom window', () => {
    const window = { maxFutureMs: 1000, maxAgeMs: 60_000 };
    const options: ParseOptions = { now: NOW, window };
    expectAccepted(parse('rep', at('rep', NOW + 1000), options));
    expectRejected(parse('rep', at('rep', NOW + 1001), options), 'out_of_window', 'ts', '1000');
    expectAccepted(parse('rep', at('rep', NOW - 60_000), options));
    expectRejected(parse('rep', at('rep', NOW - 60_001), options), 'out_of_window', 'ts', '60000');
    // Accepted by the default window, rejected by the narrower one.
    expectAccepted(parse('rep', at('rep', NOW - 60 * MINUTE)));
    expectRejected(parse('rep', at('rep', NOW - 60 * MINUTE), options), 'out_of_window');
    // A wider window accepts what the default rejects.
    const wide: ParseOptions = { now: NOW, window: { maxFutureMs: DAY, maxAgeMs: 30 * DAY } };
    expectRejected(parse('rep', at('rep', NOW + MINUTE * 10)), 'out_of_window');
    expectAccepted(parse('rep', at('rep', NOW + MINUTE * 10), wide));
    expectAccepted(parse('rep', at('rep', NOW - 20 * DAY), wide));
  });

  it('accepts out-of-order messages anywhere inside the window', () => {
    for (const offset of [0, -1, -MINUTE, -DAY, -6 * DAY, MINUTE, 4 * MINUTE]) {
      expectAccepted(parse('rep', at('rep', NOW + offset)));
    }
  });
});

describe('parseDeviceMessage: fields the pipeline does not know', () => {
  it.each(CHANNELS)('%s: unknown extra fields are stripped from the body', (channel) => {
    const payload = { ...example(channel), battery: 0.87, extra: { nested: [1, 2, 3] }, firmwareBuild: 'abc', ts_local: 'x' };
    const body = expectAccepted(parse(channel, payload)).body;
    expect(body).toStrictEqual(example(channel));
    expect(Object.keys(body)).not.toContain('battery');
    expect(Object.keys(body)).not.toContain('extra');
  });

  it.each(CHANNELS)('%s: a __proto__ key changes no prototype and is not in the body', (channel) => {
    const text = EXAMPLE_TEXT[channel].replace(/\}\s*$/, ', "__proto__": {"polluted": "yes", "v": 2, "isAdmin": true} }');
    expect(Object.keys(JSON.parse(text) as object)).toContain('__proto__');
    const body: object = expectAccepted(parse(channel, text)).body;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(body, '__proto__')).toBe(false);
    expect(body).toStrictEqual(example(channel));
    expect((body as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('constructor / prototype keys are ignored', () => {
    const text = EXAMPLE_TEXT.rep.replace(/\}\s*$/, ', "constructor": {"prototype": {"polluted": "yes"}}, "prototype": {"polluted": "yes"} }');
    const body: object = expectAccepted(parse('rep', text)).body;
    expect(Object.prototype.hasOwnProperty.call(body, 'constructor')).toBe(false);
    expect(body.constructor).toBe(Object);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('a v hidden in __proto__ does not count as a version', () => {
    expectRejected(parse('status', '{"__proto__": {"v": 1}, "online": false}'), 'unsupported_version', 'missing');
  });

  it('duplicated keys: the last one wins, as with JSON.parse, without crashing', () => {
    const text = EXAMPLE_TEXT.rep.replace(/\}\s*$/, ', "loadKg": 120, "repIndex": 4 }');
    const body = expectAccepted(parse('rep', text)).body;
    expect(body).toMatchObject({ loadKg: 120, repIndex: 4 });
    expectAccepted(parse('status', '{"v":2,"v":1,"online":true,"online":false}'));
    expect(expectAccepted(parse('status', '{"v":2,"v":1,"online":true,"online":false}')).body).toStrictEqual({ v: 1, online: false });
    expectRejected(parse('status', '{"v":1,"v":2,"online":true}'), 'unsupported_version');
    expectRejected(parse('rep', EXAMPLE_TEXT.rep.replace(/\}\s*$/, ', "repIndex": 0 }')), 'schema', 'repIndex');
  });
});

/** Nested arrays / objects as deep as fit in 64 KiB. */
function deeplyNested(open: string, close: string, inner = ''): string {
  const depth = Math.floor((MAX_PAYLOAD - 200) / (open.length + close.length));
  return open.repeat(depth) + inner + close.repeat(depth);
}

describe('parseDeviceMessage: never throws on what a device can send', () => {
  // BUG (parse-message.ts): the unsupported_version detail calls JSON.stringify(v), which throws
  // RangeError (call stack) for a deeply nested v; parseDeviceMessage then throws instead of rejecting.
  it.each([
    ['v as deeply nested arrays', () => `{"v":${deeplyNested('[', ']')}}`],
    ['v as deeply nested objects', () => `{"v":${deeplyNested('{"a":', '}', '1')}}`],
  ])('%s', (_name, build) => {
    const payload = bytes(build());
    expect(payload.byteLength).toBeLessThanOrEqual(MAX_PAYLOAD);
    let outcome: ParseOutcome | undefined;
    expect(() => {
      outcome = parse('status', payload);
    }).not.toThrow();
    if (outcome !== undefined) expectRejected(outcome, 'unsupported_version');
  });

  it.each([
    ['a known field', (nested: string) => withRawToken(example('samples'), 'position', nested), 'schema'],
    ['an unknown field', (nested: string) => withRawToken(example('samples'), 'extra', nested), 'ok'],
    ['the whole payload', (nested: string) => nested, 'schema'],
  ] as const)('deep nesting in %s', (_name, build, expected) => {
    const payload = bytes(build(deeplyNested('[', ']')));
    expect(payload.byteLength).toBeLessThanOrEqual(MAX_PAYLOAD);
    const outcome = parse('samples', payload);
    if (expected === 'ok') expectAccepted(outcome);
    else expectRejected(outcome, expected);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

const ID_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'];
const protocolId = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 64 });
const inWindow = fc.integer({ min: NOW - MAX_AGE, max: NOW + MAX_FUTURE });

/** A rep within every documented range; optional fields present or absent (never undefined). */
const validRep = fc
  .double({ min: 0, max: 5, minExcluded: true, noNaN: true })
  .chain((meanVelocity) =>
    fc.record(
      {
        v: fc.constant(1),
        ts: inWindow,
        athleteId: protocolId,
        setId: protocolId,
        exercise: protocolId,
        repIndex: fc.integer({ min: 1, max: 1000 }),
        loadKg: fc.double({ min: 0, max: 1000, noNaN: true }),
        meanVelocity: fc.constant(meanVelocity),
        peakVelocity: fc.double({ min: meanVelocity, max: 10, noNaN: true }),
        rom: fc.double({ min: 0, max: 3, minExcluded: true, noNaN: true }),
        concentricMs: fc.integer({ min: 1, max: 60_000 }),
        eccentricMs: fc.integer({ min: 0, max: 60_000 }),
      },
      { requiredKeys: ['v', 'ts', 'athleteId', 'setId', 'exercise', 'repIndex', 'loadKg', 'meanVelocity'], noNullPrototype: true },
    ),
  );

const validSamples = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.record(
    {
      v: fc.constant(1),
      t0: inWindow,
      hz: fc.integer({ min: 10, max: 1000 }),
      athleteId: protocolId,
      setId: protocolId,
      exercise: protocolId,
      loadKg: fc.double({ min: 0, max: 1000, noNaN: true }),
      // JSON has no -0 (it reads back as 0), so generate +0 only.
      position: fc.array(fc.double({ min: -3, max: 3, noNaN: true }).map((x) => x + 0), { minLength: n, maxLength: n }),
      force: fc.array(fc.double({ min: -5000, max: 5000, noNaN: true }).map((x) => x + 0), { minLength: n, maxLength: n }),
    },
    { requiredKeys: ['v', 't0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg', 'position'], noNullPrototype: true },
  ),
);

/** JSON has no -0 (it reads back as 0), so generated numbers are +0 instead. */
const series = (n: number, limit: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: -limit, max: limit, noNaN: true }).map((x) => x + 0), { minLength: n, maxLength: n });
const axes = (n: number, limit: number): fc.Arbitrary<{ x: number[]; y: number[]; z: number[] }> =>
  fc.record({ x: series(n, limit), y: series(n, limit), z: series(n, limit) }, { noNullPrototype: true });

/** An imu block within every documented range (v1.1); gyro present or absent. */
const validImu = fc.integer({ min: 1, max: 200 }).chain((n) =>
  fc.record(
    {
      v: fc.constant(1),
      t0: inWindow,
      hz: fc.double({ min: 50, max: 1000, noNaN: true }),
      athleteId: protocolId,
      setId: protocolId,
      exercise: protocolId,
      loadKg: fc.double({ min: 0, max: 1000, noNaN: true }).map((x) => x + 0),
      mount: fc.constantFrom('bar', 'forearm', 'wrist', 'hip'),
      accel: axes(n, 160),
      gyro: axes(n, 35),
    },
    { requiredKeys: ['v', 't0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg', 'mount', 'accel'], noNullPrototype: true },
  ),
);

/** An hr block within every documented range (v1.1); rr present (possibly empty) or absent. */
const validHr = fc.record(
  {
    v: fc.constant(1),
    t0: inWindow,
    athleteId: protocolId,
    bpm: fc.array(fc.oneof(fc.integer({ min: 25, max: 250 }), fc.double({ min: 25, max: 250, noNaN: true })), { minLength: 1, maxLength: 600 }),
    rr: fc.array(fc.double({ min: 200, max: 2000, noNaN: true }), { maxLength: 1200 }),
  },
  { requiredKeys: ['v', 't0', 'athleteId', 'bpm'], noNullPrototype: true },
);

/** A valid imu block with one axis value, one axis, or a whole triad replaced by something arbitrary. */
const corruptedImu = fc
  .tuple(validImu, fc.constantFrom('accel', 'gyro'), fc.constantFrom('x', 'y', 'z'), fc.nat(), fc.oneof(fc.jsonValue(), fc.double(), fc.constant(undefined)), fc.nat(3))
  .map(([block, sensor, axis, i, value, where]) => {
    const copy = structuredClone(block) as Record<string, unknown>;
    const triad = (copy[sensor] ?? { x: [0], y: [0], z: [0] }) as Record<string, unknown[]>;
    const values = triad[axis] ?? [];
    if (where === 0) values[i % Math.max(1, values.length)] = value;
    else if (where === 1) triad[axis] = value as unknown[];
    else if (where === 2) values.push(value);
    else copy[sensor] = value;
    copy[sensor] ??= triad;
    return bytes(JSON.stringify(copy));
  });

/** A valid hr block with one bpm or rr value replaced, or values added past the limits. */
const corruptedHr = fc
  .tuple(validHr, fc.constantFrom('bpm', 'rr'), fc.nat(), fc.oneof(fc.jsonValue(), fc.double(), fc.integer({ min: -10, max: 3000 })), fc.boolean())
  .map(([block, field, i, value, grow]) => {
    const copy = structuredClone(block) as Record<string, unknown>;
    const values = ((copy[field] as unknown[] | undefined) ?? []).slice();
    if (grow) while (values.length <= (field === 'bpm' ? 600 : 1200)) values.push(value);
    else values[i % Math.max(1, values.length)] = value;
    copy[field] = values;
    return bytes(JSON.stringify(copy));
  });

const channelArb = fc.constantFrom(...CHANNELS);
const topicArb = fc.oneof(
  { weight: 6, arbitrary: channelArb.map(topicOf) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 400 }), channelArb).map(([s, c]) => `gym/${s}/g/s/${c}`) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 }), fc.string({ maxLength: 400 })).map(([a, b, c]) => `gym/v1/${a}/${b}/${c}`) },
);

/** Payloads of every kind: raw bytes, JSON values, arbitrary values, and valid messages with one field corrupted. */
const payloadArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.jsonValue().map((value) => bytes(JSON.stringify(value))),
  fc
    .anything({ withNullPrototype: true, withObjectString: true, maxDepth: 4 })
    .map((value) => {
      try {
        return bytes(JSON.stringify(value) ?? 'undefined');
      } catch {
        return bytes(String(typeof value));
      }
    }),
  fc.tuple(channelArb, fc.string({ maxLength: 20 }), fc.jsonValue()).map(([channel, key, value]) => bytes(JSON.stringify({ ...example(channel), [key]: value }))),
  fc
    .tuple(channelArb, fc.jsonValue(), fc.nat())
    .map(([channel, value, i]) => {
      const payload = example(channel);
      const keys = Object.keys(payload);
      const key = keys[i % keys.length] ?? 'v';
      return bytes(JSON.stringify({ ...payload, [key]: value }));
    }),
  fc.string({ maxLength: 2000 }).map((v) => bytes(JSON.stringify({ v, online: false }))),
  fc.tuple(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 5 })).map(([s, n]) => bytes(`{"v":1,"online":true,${s.repeat(n)}}`)),
  validRep.map((rep) => bytes(JSON.stringify(rep))),
  validImu.map((block) => bytes(JSON.stringify(block))),
  validHr.map((block) => bytes(JSON.stringify(block))),
  corruptedImu,
  corruptedHr,
);

function expectWellFormed(outcome: ParseOutcome): void {
  if (outcome.ok) {
    expect(CHANNELS).toContain(outcome.message.channel);
  } else {
    expect(REJECT_REASONS).toContain(outcome.reason);
    expect(typeof outcome.detail).toBe('string');
  }
}

describe('parseDeviceMessage: properties', () => {
  it('REJECT_REASONS covers what the protocol asks to count', () => {
    for (const reason of ['oversize', 'bad_topic', 'unknown_channel', 'malformed_json', 'unsupported_version', 'schema', 'out_of_window']) {
      expect(REJECT_REASONS).toContain(reason);
    }
  });

  it('(a) arbitrary bytes never throw and give ok or a known reason', () => {
    fc.assert(
      fc.property(channelArb, fc.uint8Array({ maxLength: 2048 }), (channel, payload) => {
        expectWellFormed(parse(channel, payload));
      }),
      { numRuns: 500 },
    );
  });

  it('(a) arbitrary JSON values never throw and give ok or a known reason', () => {
    fc.assert(
      fc.property(channelArb, fc.jsonValue(), (channel, value) => {
        expectWellFormed(parse(channel, bytes(JSON.stringify(value))));
      }),
      { numRuns: 500 },
    );
  });

  it('(a) arbitrary values, stringified, never throw and give ok or a known reason', () => {
    fc.assert(
      fc.property(channelArb, fc.anything({ withNullPrototype: true, withObjectString: true }), (channel, value) => {
        let text: string | undefined;
        try {
          text = JSON.stringify(value);
        } catch {
          text = undefined;
        }
        expectWellFormed(parse(channel, bytes(text ?? 'undefined')));
      }),
      { numRuns: 500 },
    );
  });

  it('(a) arbitrary topics and payloads never throw and give ok or a known reason', () => {
    fc.assert(
      fc.property(topicArb, payloadArb, fc.integer({ min: 0, max: 2 * NOW }), (topic, payload, now) => {
        expectWellFormed(parseDeviceMessage(topic, payload, { now }));
      }),
      { numRuns: 1000 },
    );
  });

  it('(b) any rep within the documented ranges is accepted with exactly its fields', () => {
    fc.assert(
      fc.property(protocolId, protocolId, validRep, (gymId, stationId, rep) => {
        const outcome = parseDeviceMessage(`gym/v1/${gymId}/${stationId}/rep`, bytes(JSON.stringify(rep)), OPTIONS);
        const message = expectAccepted(outcome);
        expect(message).toStrictEqual({ gymId, stationId, channel: 'rep', body: rep });
      }),
      { numRuns: 500 },
    );
  });

  it('(b) any rep within the documented ranges keeps its known fields when unknown ones are added', () => {
    fc.assert(
      fc.property(validRep, fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 5 }), (rep, extra) => {
        const known = new Set(Object.keys(rep).concat(['peakVelocity', 'rom', 'concentricMs', 'eccentricMs']));
        const extras = Object.fromEntries(Object.entries(extra).filter(([k]) => !known.has(k)));
        const message = expectAccepted(parse('rep', { ...extras, ...rep }));
        expect(message.body).toStrictEqual(rep);
      }),
      { numRuns: 300 },
    );
  });

  it('(b) any samples block within the documented ranges is accepted with exactly its fields', () => {
    fc.assert(
      fc.property(validSamples, (block) => {
        expect(expectAccepted(parse('samples', block)).body).toStrictEqual(block);
      }),
      { numRuns: 200 },
    );
  });

  it('(a) imu and hr topics: valid, corrupted and arbitrary blocks never throw and give ok or a known reason', () => {
    const wearablePayload = fc.oneof(payloadArb, corruptedImu, corruptedHr, validImu.map((b) => bytes(JSON.stringify(b))), validHr.map((b) => bytes(JSON.stringify(b))));
    fc.assert(
      fc.property(fc.constantFrom('imu', 'hr'), wearablePayload, fc.integer({ min: 0, max: 2 * NOW }), (channel, payload, now) => {
        const outcome = parseDeviceMessage(topicOf(channel), payload, { now });
        expectWellFormed(outcome);
        if (outcome.ok) expect(outcome.message.channel).toBe(channel);
        else expect(outcome.detail.length, outcome.detail.slice(0, 200)).toBeLessThan(300);
        // Stable: the same bytes give the same outcome.
        expect(parseDeviceMessage(topicOf(channel), payload, { now })).toStrictEqual(outcome);
      }),
      { numRuns: 1000 },
    );
  });

  it('(a) corrupted imu and hr blocks are rejected as schema (or oversize), naming a field of the block', () => {
    fc.assert(
      fc.property(fc.oneof(corruptedImu.map((p) => ['imu', p] as const), corruptedHr.map((p) => ['hr', p] as const)), ([channel, payload]) => {
        const outcome = parse(channel, payload);
        if (outcome.ok) return; // the corruption may have produced another valid value
        // Values added past the limits may also make the payload too large.
        if (outcome.reason === 'oversize') return;
        expect(outcome.reason, outcome.detail).toBe('schema');
        expect(outcome.detail).toMatch(channel === 'imu' ? /^(accel|gyro)(\.[xyz](\.\d+)?)?: / : /^(bpm|rr)(\.\d+)?: /);
      }),
      { numRuns: 500 },
    );
  });

  it('(b) any imu block within the documented ranges is accepted with exactly its fields', () => {
    fc.assert(
      fc.property(protocolId, protocolId, validImu, (gymId, stationId, block) => {
        const outcome = parseDeviceMessage(`gym/v1/${gymId}/${stationId}/imu`, bytes(JSON.stringify(block)), OPTIONS);
        expect(expectAccepted(outcome)).toStrictEqual({ gymId, stationId, channel: 'imu', body: block });
      }),
      { numRuns: 200 },
    );
  });

  it('(b) any hr block within the documented ranges is accepted with exactly its fields', () => {
    fc.assert(
      fc.property(validHr, (block) => {
        expect(expectAccepted(parse('hr', block)).body).toStrictEqual(block);
      }),
      { numRuns: 200 },
    );
  });

  it('(c) every rejection has a non-empty detail under 300 characters', () => {
    fc.assert(
      fc.property(topicArb, payloadArb, fc.integer({ min: 0, max: 2 * NOW }), (topic, payload, now) => {
        const outcome = parseDeviceMessage(topic, payload, { now });
        if (!outcome.ok) {
          expect(outcome.detail.trim().length).toBeGreaterThan(0);
          expect(outcome.detail.length, outcome.detail.slice(0, 200)).toBeLessThan(300);
        }
      }),
      {
        numRuns: 1000,
        // Known-long echoes of device input, pinned so the property fails deterministically while they exist.
        examples: [
          [topicOf('status'), bytes(JSON.stringify({ v: 'x'.repeat(1000), online: false })), NOW],
          [`gym/${'v'.repeat(1000)}/g/s/rep`, bytes(LAST_WILL), NOW],
        ],
      },
    );
  });
});
