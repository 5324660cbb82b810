import { describe, it, expect } from 'vitest';
import { HrMessage, IMU_ACCEL_LIMIT, IMU_GYRO_LIMIT, IMU_MOUNTS, ImuMessage } from './channels.js';
import { parseDeviceMessage, type ParseOutcome, type RejectReason } from './parse-message.js';
import { EXAMPLE_TEXT } from './test-fixtures.js';

/*
 * Device protocol v1.1 (/work/shared/contract/device-protocol-v1.1-wearables.md): the `imu` and `hr`
 * channels. Examples, ranges and limits below are the contract's; every rejection must name the
 * field, in words a device maker understands.
 */

type Json = Record<string, unknown>;

// The contract's example payloads, verbatim.
const IMU_TEXT = EXAMPLE_TEXT.imu;
const HR_TEXT = EXAMPLE_TEXT.hr;

const imu = (): Json => JSON.parse(IMU_TEXT) as Json;
const hr = (): Json => JSON.parse(HR_TEXT) as Json;

/** The receiver's clock: a few seconds after the examples. */
const NOW = 1793032890000;
const DAY = 24 * 60 * 60_000;
const utf8 = new TextEncoder();

function parse(channel: 'imu' | 'hr', payload: string | Json, now = NOW): ParseOutcome {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return parseDeviceMessage(`gym/v1/gym-01/wearable-17/${channel}`, utf8.encode(text), { now });
}

function expectAccepted(outcome: ParseOutcome): Json {
  if (!outcome.ok) return expect.fail(`expected the message to be accepted, got ${outcome.reason}: ${outcome.detail}`);
  return outcome.message.body;
}

/** Asserts the reason and that the detail mentions every given fragment; returns the detail. */
function expectRejected(outcome: ParseOutcome, reason: RejectReason, ...mentions: Array<string | RegExp>): string {
  if (outcome.ok) return expect.fail(`expected ${reason}, but the message was accepted: ${JSON.stringify(outcome.message.body).slice(0, 200)}`);
  expect(outcome.reason, outcome.detail).toBe(reason);
  expect(outcome.detail.length, outcome.detail).toBeLessThan(300);
  for (const m of mentions) {
    if (typeof m === 'string') expect(outcome.detail).toContain(m);
    else expect(outcome.detail).toMatch(m);
  }
  return outcome.detail;
}

/** `base` as JSON text with `path` (e.g. accel.x) replaced by a raw token JSON.stringify cannot write (1e400). */
function withRawToken(base: Json, path: readonly string[], token: string): string {
  const marker = '__RAW_TOKEN__';
  const copy = structuredClone(base);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  node[path[path.length - 1] ?? ''] = marker;
  return JSON.stringify(copy).replace(`"${marker}"`, token);
}

const triad = (n: number, value: number): Json => ({ x: Array<number>(n).fill(value), y: Array<number>(n).fill(value), z: Array<number>(n).fill(value) });

describe('imu (v1.1): the contract example', () => {
  it('is accepted with its body intact', () => {
    const outcome = parse('imu', IMU_TEXT);
    expect(expectAccepted(outcome)).toStrictEqual(imu());
    if (outcome.ok) expect(outcome.message).toMatchObject({ gymId: 'gym-01', stationId: 'wearable-17', channel: 'imu' });
  });

  it('is accepted without gyro (gyro is optional)', () => {
    const { gyro: _gyro, ...withoutGyro } = imu();
    expect(expectAccepted(parse('imu', withoutGyro))).toStrictEqual(withoutGyro);
  });

  it.each(IMU_MOUNTS)('accepts mount %s', (mount) => {
    expectAccepted(parse('imu', { ...imu(), mount }));
  });

  it.each([50, 1000, 200, 104.5])('accepts hz %d', (hz) => {
    expectAccepted(parse('imu', { ...imu(), hz }));
  });

  it('accepts the limits: ±16 g, ±2000 °/s, 1 and 2000 samples a block', () => {
    expectAccepted(parse('imu', { ...imu(), accel: triad(1, IMU_ACCEL_LIMIT), gyro: triad(1, -IMU_GYRO_LIMIT) }));
    expectAccepted(parse('imu', { ...imu(), accel: triad(2000, -IMU_ACCEL_LIMIT), gyro: triad(2000, IMU_GYRO_LIMIT) }));
    expect(IMU_ACCEL_LIMIT).toBe(160);
    expect(IMU_GYRO_LIMIT).toBe(35);
  });

  it('a sensor at rest (gravity along any axis) is valid: the axes are the sensor frame', () => {
    expectAccepted(parse('imu', { ...imu(), accel: { x: [-9.81], y: [0], z: [0] }, gyro: undefined }));
  });

  it('drops unknown fields and keeps the 2000-sample block under the 64 KiB limit', () => {
    const body = expectAccepted(parse('imu', { ...imu(), battery: 0.8, accel: { ...(imu().accel as Json), w: [1] } }));
    expect(body).not.toHaveProperty('battery');
    expect(body.accel).not.toHaveProperty('w');
    // 6 × 2000 short values fit in a payload; realistic decimals may not (the payload limit still applies).
    const block = { ...imu(), accel: triad(2000, 9.8), gyro: triad(2000, 0.1) };
    expect(utf8.encode(JSON.stringify(block)).byteLength).toBeLessThanOrEqual(64 * 1024);
  });

  it('the schema object is the one CHANNEL_SCHEMAS uses for imu', () => {
    expect(ImuMessage.safeParse(imu()).success).toBe(true);
  });
});

describe('imu (v1.1): every rejection names the field', () => {
  it('axes of different lengths', () => {
    expectRejected(parse('imu', { ...imu(), accel: { x: [0.1, 0.1], y: [0.1], z: [9.8, 9.8] } }), 'schema', 'accel.y', 'accel.x has 2', 'equal lengths');
    expectRejected(parse('imu', { ...imu(), accel: { x: [0.1, 0.1], y: [0.1, 0.1], z: [9.8, 9.8, 9.8] } }), 'schema', 'accel.z', '3 samples', 'equal lengths');
  });

  it('a gyro with a different length than accel', () => {
    expectRejected(parse('imu', { ...imu(), gyro: { x: [0.001], y: [0.001], z: [0.001] } }), 'schema', 'gyro.x', '1 sample;', 'accel has 2', 'as many samples as accel');
    expectRejected(parse('imu', { ...imu(), gyro: { x: [0, 0], y: [0, 0], z: [0, 0, 0] } }), 'schema', 'gyro.z', '3 samples', 'as many samples as accel');
  });

  it('a gyro without accel (accel missing)', () => {
    const { accel: _accel, ...gyroOnly } = imu();
    expectRejected(parse('imu', gyroOnly), 'schema', /^accel: /, 'accel (m/s²) is required');
  });

  it('accel that is not an object of three axes', () => {
    expectRejected(parse('imu', { ...imu(), accel: [0.1, 0.2, 9.8] }), 'schema', 'accel', '{ x: [...], y: [...], z: [...] }');
    expectRejected(parse('imu', { ...imu(), accel: { x: [0.1, 0.1], y: [0.1, 0.1] } }), 'schema', 'accel.z', 'x, y and z are all required');
    expectRejected(parse('imu', { ...imu(), gyro: { x: [0, 0], y: [0, 0] } }), 'schema', 'gyro.z', 'gyro (rad/s)', 'x, y and z are all required');
    expectRejected(parse('imu', { ...imu(), accel: { x: 0.1, y: [0.1], z: [9.8] } }), 'schema', 'accel.x', 'array of numbers');
  });

  it.each([49, 1001, 0, -200, 49.99])('hz %d out of range', (hz) => {
    expectRejected(parse('imu', { ...imu(), hz }), 'schema', 'hz', '50 to 1000');
  });

  it.each(['ankle', 'Bar', '', 'chest'])('mount %j is unknown', (mount) => {
    expectRejected(parse('imu', { ...imu(), mount }), 'schema', 'mount', 'bar, forearm, wrist, hip');
  });

  it('mount missing', () => {
    const { mount: _mount, ...noMount } = imu();
    expectRejected(parse('imu', noMount), 'schema', 'mount', 'bar, forearm, wrist, hip');
  });

  it.each([160.001, -160.5, 1e6])('accel value %d is over ±16 g', (value) => {
    expectRejected(parse('imu', { ...imu(), accel: { x: [0.1, value], y: [0, 0], z: [9.8, 9.8] } }), 'schema', 'accel.x.1', '±160', '16 g');
  });

  it.each([35.001, -40, 1000])('gyro value %d is over ±2000 °/s', (value) => {
    expectRejected(parse('imu', { ...imu(), gyro: { x: [0, 0], y: [0, 0], z: [value, 0] } }), 'schema', 'gyro.z.0', '±35', '2000 °/s');
  });

  it('empty axes and more than 2000 samples', () => {
    expectRejected(parse('imu', { ...imu(), accel: triad(0, 0), gyro: undefined }), 'schema', 'accel.x', 'at least 1 sample');
    expectRejected(parse('imu', { ...imu(), accel: triad(2001, 0), gyro: undefined }), 'schema', 'accel.x', 'at most 2000');
  });

  it.each([
    [['accel', 'x'], '[0.12, 1e400]', 'accel.x.1'],
    [['accel', 'z'], '[-1e400, 9.8]', 'accel.z.0'],
    [['gyro', 'y'], '[0, 1e400]', 'gyro.y.1'],
  ] as const)('non-finite number in %j (%s)', (path, token, field) => {
    const text = withRawToken(imu(), path, token);
    expectRejected(parse('imu', text), 'schema', field, 'finite');
  });

  it.each(['t0', 'hz', 'loadKg'])('non-finite %s (1e400)', (field) => {
    expectRejected(parse('imu', withRawToken(imu(), [field], '1e400')), 'schema', field);
  });

  it('NaN / Infinity as JSON text is malformed JSON', () => {
    expectRejected(parse('imu', withRawToken(imu(), ['accel', 'x'], '[NaN, 0]')), 'malformed_json', 'JSON');
    expectRejected(parse('imu', withRawToken(imu(), ['gyro', 'x'], '[Infinity, 0]')), 'malformed_json', 'JSON');
  });

  it('a non-number sample', () => {
    expectRejected(parse('imu', { ...imu(), accel: { x: ['0.1', 0.1], y: [0, 0], z: [9.8, 9.8] } }), 'schema', 'accel.x.0', 'finite numbers');
    expectRejected(parse('imu', { ...imu(), gyro: { x: [null, 0], y: [0, 0], z: [0, 0] } }), 'schema', 'gyro.x.0', 'finite numbers');
  });

  it.each(['t0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg'])('%s missing', (field) => {
    const body = imu();
    delete body[field];
    expectRejected(parse('imu', body), 'schema', field);
  });

  it('ids that break the id rule', () => {
    expectRejected(parse('imu', { ...imu(), setId: 's 7' }), 'schema', 'setId', 'A-Z a-z 0-9 _ -');
    expectRejected(parse('imu', { ...imu(), exercise: 'squat,athlete=x' }), 'schema', 'exercise');
  });

  it('t0 outside the time window (late uploads up to 7 days are fine)', () => {
    expectAccepted(parse('imu', { ...imu(), t0: NOW - 7 * DAY }));
    expectRejected(parse('imu', { ...imu(), t0: NOW - 7 * DAY - 1 }), 'out_of_window', 't0', 'older');
    expectRejected(parse('imu', { ...imu(), t0: NOW + 5 * 60_000 + 1 }), 'out_of_window', 't0', 'future');
    expectRejected(parse('imu', { ...imu(), t0: Math.floor(NOW / 1000) }), 'out_of_window', 't0', 'seconds');
  });

  it('lists one issue and counts the rest', () => {
    expectRejected(parse('imu', { ...imu(), hz: 10, mount: 'ankle' }), 'schema', /hz|mount/, '1 more');
  });
});

describe('hr (v1.1): the contract example', () => {
  it('is accepted with its body intact', () => {
    expect(expectAccepted(parse('hr', HR_TEXT))).toStrictEqual(hr());
  });

  it('is accepted without rr, with an empty rr, and with decimal bpm', () => {
    const { rr: _rr, ...noRr } = hr();
    expect(expectAccepted(parse('hr', noRr))).toStrictEqual(noRr);
    expectAccepted(parse('hr', { ...hr(), rr: [] }));
    expectAccepted(parse('hr', { ...hr(), bpm: [96.5, 97.25] }));
  });

  it('accepts the limits: 1 and 600 bpm values of 25 and 250, 1200 rr of 200 and 2000 ms', () => {
    expectAccepted(parse('hr', { ...hr(), bpm: [25] }));
    expectAccepted(parse('hr', { ...hr(), bpm: Array<number>(600).fill(250), rr: Array<number>(1200).fill(2000) }));
    expectAccepted(parse('hr', { ...hr(), rr: [200] }));
  });

  it('needs no setId, exercise or station state (joined with sets by athlete and time)', () => {
    expect(Object.keys(expectAccepted(parse('hr', HR_TEXT))).sort()).toEqual(['athleteId', 'bpm', 'rr', 't0', 'v']);
    expect(HrMessage.safeParse(hr()).success).toBe(true);
  });
});

describe('hr (v1.1): every rejection names the field', () => {
  it('a block of 0 bpm values', () => {
    expectRejected(parse('hr', { ...hr(), bpm: [] }), 'schema', 'bpm', 'at least 1 value');
  });

  it('a block of 601 bpm values', () => {
    expectRejected(parse('hr', { ...hr(), bpm: Array<number>(601).fill(60), rr: undefined }), 'schema', 'bpm', 'at most 600');
  });

  it.each([24.9, 251, 0, -60, 1000])('bpm %d outside 25–250', (value) => {
    expectRejected(parse('hr', { ...hr(), bpm: [96, value] }), 'schema', 'bpm.1', '25 to 250');
  });

  it.each([199, 2001, 0, -600])('rr %d outside 200–2000 ms', (value) => {
    expectRejected(parse('hr', { ...hr(), rr: [612, value] }), 'schema', 'rr.1', '200 to 2000 ms');
  });

  it('over 1200 rr values', () => {
    expectRejected(parse('hr', { ...hr(), rr: Array<number>(1201).fill(600) }), 'schema', 'rr', 'at most 1200');
  });

  it.each([
    ['bpm', '[96, 1e400]', 'bpm.1'],
    ['bpm', '[-1e400]', 'bpm.0'],
    ['rr', '[612, 1e400]', 'rr.1'],
  ] as const)('non-finite number in %s (%s)', (field, token, path) => {
    expectRejected(parse('hr', withRawToken(hr(), [field], token)), 'schema', path, 'finite');
  });

  it('non-finite t0 (1e400)', () => {
    expectRejected(parse('hr', withRawToken(hr(), ['t0'], '1e400')), 'schema', 't0');
  });

  it('bpm missing, or not an array', () => {
    const { bpm: _bpm, ...noBpm } = hr();
    expectRejected(parse('hr', noBpm), 'schema', 'bpm', 'required');
    expectRejected(parse('hr', { ...hr(), bpm: 96 }), 'schema', 'bpm', 'array of numbers');
    expectRejected(parse('hr', { ...hr(), bpm: ['96'] }), 'schema', 'bpm.0', 'finite numbers');
    expectRejected(parse('hr', { ...hr(), rr: 612 }), 'schema', 'rr', 'array of numbers');
  });

  it('athleteId missing or breaking the id rule', () => {
    const { athleteId: _athleteId, ...anonymous } = hr();
    expectRejected(parse('hr', anonymous), 'schema', 'athleteId');
    expectRejected(parse('hr', { ...hr(), athleteId: 'jane@example.com' }), 'schema', 'athleteId', 'A-Z a-z 0-9 _ -');
  });

  it('t0 outside the time window (late uploads up to 7 days are fine)', () => {
    expectAccepted(parse('hr', { ...hr(), t0: NOW - 7 * DAY }));
    expectRejected(parse('hr', { ...hr(), t0: NOW - 8 * DAY }), 'out_of_window', 't0', 'older');
    expectRejected(parse('hr', { ...hr(), t0: NOW + 10 * 60_000 }), 'out_of_window', 't0', 'future');
    expectRejected(parse('hr', { ...hr(), t0: Math.floor(NOW / 1000) }), 'out_of_window', 't0', 'seconds');
  });

  it('v other than 1', () => {
    expectRejected(parse('hr', { ...hr(), v: 2 }), 'unsupported_version', 'v is 2');
  });
});
