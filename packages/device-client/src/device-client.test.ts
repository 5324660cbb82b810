import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDeviceClient } from './device-client.js';
import type { DeviceClientOptions } from './options.js';
import { BufferFullError, ClientClosedError, InvalidMessageError, InvalidOptionsError } from './errors.js';
import { encodeMessage, type HrInput, type ImuInput, type RepInput } from './encode-message.js';

// No test here opens a socket: the client connects only in connect(), and `manualConnect` (forced on
// internally anyway) keeps MQTT.js from dialling. Integration tests against Mosquitto live in test/.
const NOW = 1_793_032_889_123;
const station = { gymId: 'gym-1', stationId: 'rack-07' };
const options: DeviceClientOptions = {
  url: 'mqtt://127.0.0.1:1',
  ...station,
  clock: () => NOW,
  mqtt: { manualConnect: true },
};

const rep: RepInput = {
  ts: NOW - 1000,
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

const decode = (payload: string): unknown => JSON.parse(payload);

// Device protocol v1.1 examples (a wearable publishing as its own station), made recent.
const imu: ImuInput = {
  t0: NOW - 2000,
  hz: 200,
  athleteId: 'a-7f3c',
  setId: 's-0007',
  exercise: 'back_squat',
  loadKg: 100,
  mount: 'bar',
  accel: { x: [0.12, 0.1], y: [-0.05, -0.04], z: [9.79, 9.83] },
  gyro: { x: [0.001, 0.002], y: [0, -0.001], z: [0.003, 0.002] },
};
const hr: HrInput = { t0: NOW - 10_000, athleteId: 'a-7f3c', bpm: [96, 97, 99, 101, 104], rr: [612, 605, 598, 590] };

describe('encodeMessage', () => {
  it('adds v: 1 first and publishes on the station topic', () => {
    const { topic, payload } = encodeMessage('rep', rep, station, NOW);
    expect(topic).toBe('gym/v1/gym-1/rack-07/rep');
    expect(payload.startsWith('{"v":1,')).toBe(true);
    expect(decode(payload)).toEqual({ v: 1, ...rep });
  });

  it('does not let a caller choose another version, and drops unknown fields', () => {
    const sneaky = JSON.parse('{"v":2,"__proto__":{"polluted":true},"extra":1}') as object;
    const { payload } = encodeMessage('rep', { ...rep, ...sneaky }, station, NOW);
    const body = decode(payload) as Record<string, unknown>;
    expect(body.v).toBe(1);
    expect(body).not.toHaveProperty('extra');
    expect(Object.keys(body)).not.toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a missing field', { ...rep, athleteId: undefined }, /athleteId/],
    ['a bad id', { ...rep, setId: 's 7' }, /setId: must be 1 to 64 characters/],
    ['peak below mean', { ...rep, peakVelocity: 0.3 }, /peakVelocity must be ≥ meanVelocity/],
    ['a zero velocity', { ...rep, meanVelocity: 0 }, /meanVelocity/],
    ['seconds instead of milliseconds', { ...rep, ts: Math.floor(NOW / 1000) }, /looks like seconds/],
    ['a clock far ahead', { ...rep, ts: NOW + 10 * 60_000 }, /in the future/],
    ['not an object', [rep], /must be an object/],
  ])('rejects %s with a clear reason', (_name, input, reason) => {
    expect(() => encodeMessage('rep', input, station, NOW)).toThrow(InvalidMessageError);
    expect(() => encodeMessage('rep', input, station, NOW)).toThrow(reason);
  });

  it('lists several problems at once', () => {
    const error = captureError(() => encodeMessage('rep', { ...rep, repIndex: 0, loadKg: -1 }, station, NOW));
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).detail).toMatch(/repIndex.*; loadKg/);
  });

  it('encodes the v1.1 channels imu and hr on the station topic', () => {
    const encodedImu = encodeMessage('imu', imu, station, NOW);
    expect(encodedImu.topic).toBe('gym/v1/gym-1/rack-07/imu');
    expect(decode(encodedImu.payload)).toEqual({ v: 1, ...imu });
    const encodedHr = encodeMessage('hr', hr, station, NOW);
    expect(encodedHr.topic).toBe('gym/v1/gym-1/rack-07/hr');
    expect(decode(encodedHr.payload)).toEqual({ v: 1, ...hr });
  });

  it.each<[string, 'imu' | 'hr', unknown, RegExp]>([
    ['gyro shorter than accel', 'imu', { ...imu, gyro: { x: [0], y: [0], z: [0] } }, /gyro\.x.*as many samples as accel/],
    ['an unknown mount', 'imu', { ...imu, mount: 'ankle' }, /mount must be one of bar, forearm, wrist, hip/],
    ['hz 49', 'imu', { ...imu, hz: 49 }, /hz must be 50 to 1000/],
    ['bpm 251', 'hr', { ...hr, bpm: [251] }, /bpm\.0: bpm values must be 25 to 250/],
    ['an upload older than 7 days', 'hr', { ...hr, t0: NOW - 8 * 24 * 3_600_000 }, /older than/],
  ])('rejects a v1.1 message with %s', (_name, channel, input, reason) => {
    expect(() => encodeMessage(channel, input, station, NOW)).toThrow(reason);
  });

  it('payloads are JSON text whose UTF-8 size is checked against 64 KiB (no Node Buffer involved)', () => {
    const { payload } = encodeMessage('status', { online: true, model: 'ü'.repeat(64) }, station, NOW);
    expect(typeof payload).toBe('string');
    expect(new TextEncoder().encode(payload).byteLength).toBeGreaterThan(payload.length);
  });

  it('rejects a payload over 64 KiB even when each field is valid', () => {
    const samples = Array.from({ length: 2000 }, (_, i) => 1234.567890123 + i);
    const block = { t0: NOW, hz: 100, athleteId: 'a-1', setId: 's-1', exercise: 'deadlift', loadKg: 140, position: samples.map((x) => x / 1e4), force: samples };
    expect(() => encodeMessage('samples', block, station, NOW)).toThrow(/bytes; the limit is 65536/);
  });
});

describe('createDeviceClient', () => {
  it('rejects an invalid rep before touching the network', async () => {
    const client = createDeviceClient(options);
    await expect(client.publishRep({ ...rep, meanVelocity: -1 })).rejects.toThrow(InvalidMessageError);
    await expect(client.publishRep({ ...rep, meanVelocity: -1 })).rejects.toMatchObject({ code: 'NL_ERR_INVALID_MESSAGE', retryable: false });
    expect(client.pending()).toBe(0);
    expect(client.isConnected()).toBe(false);
    await client.close();
  });

  it('buffers valid publishes while not connected, up to maxBuffered, then rejects instead of dropping', async () => {
    const client = createDeviceClient({ ...options, maxBuffered: 3 });
    const accepted = [
      client.publishRep(rep),
      client.publishSet({ event: 'start', ts: NOW, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', loadKg: 100 }),
      client.publishStatus({ online: true, ts: NOW }),
    ];
    expect(client.pending()).toBe(3);
    await expect(client.publishRep({ ...rep, repIndex: 4 })).rejects.toBeInstanceOf(BufferFullError);
    await expect(client.publishRep({ ...rep, repIndex: 4 })).rejects.toMatchObject({ code: 'NL_ERR_BUFFER_FULL', retryable: true, limit: 3 });
    expect(client.pending()).toBe(3);

    // Closing a client that never connected answers every waiting caller.
    await client.close();
    for (const publish of accepted) await expect(publish).rejects.toBeInstanceOf(ClientClosedError);
    expect(client.pending()).toBe(0);
  });

  it('rejects publishes and connect after close; close is idempotent', async () => {
    const client = createDeviceClient(options);
    const first = client.close();
    expect(client.close()).toBe(first);
    await first;
    await expect(client.publishRep(rep)).rejects.toBeInstanceOf(ClientClosedError);
    await expect(client.connect()).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('validates its options up front, naming every problem', () => {
    expect(() => createDeviceClient({ ...options, gymId: 'gym 1', stationId: '' })).toThrow(/gymId.*; stationId/);
    expect(() => createDeviceClient({ ...options, maxBuffered: 0 })).toThrow(InvalidOptionsError);
    expect(() => createDeviceClient({ ...options, maxBuffered: 70_000 })).toThrow(/65535/);
    expect(() => createDeviceClient({ ...options, firmware: 'x'.repeat(65) })).toThrow(/firmware/);
    expect(() => createDeviceClient({ ...options, url: 'http://broker:1883' })).toThrow(/url must start with mqtt:\/\//);
    expect(() => createDeviceClient({ ...options, url: 'broker:1883' })).toThrow(InvalidOptionsError);
  });

  it('publishImu and publishHr validate like the other channels and buffer while offline', async () => {
    const client = createDeviceClient(options);
    await expect(client.publishImu({ ...imu, hz: 1001 })).rejects.toThrow(/hz/);
    await expect(client.publishHr({ ...hr, rr: [199] })).rejects.toThrow(/rr\.0/);
    expect(client.pending()).toBe(0);
    const accepted = [client.publishImu(imu), client.publishHr(hr)];
    expect(client.pending()).toBe(2);
    await client.close();
    for (const publish of accepted) await expect(publish).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('exposes the station it speaks for', async () => {
    const client = createDeviceClient(options);
    expect({ gymId: client.gymId, stationId: client.stationId }).toEqual(station);
    await client.close();
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('runs in a browser', () => {
  // A bundler resolves `mqtt` to MQTT.js's browser build; the client's own code must not need Node.
  const sources = readdirSync(new URL('.', import.meta.url))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => [file, readFileSync(new URL(file, import.meta.url), 'utf8')] as const);

  it.each([
    ['node: imports', /from '(node:|events|fs|net|tls|crypto|buffer)/],
    ['Buffer', /\bBuffer\b/],
    ['setImmediate', /\bsetImmediate\(/],
    ['process', /\bprocess\./],
    ['named imports from mqtt (the browser build has only a default export)', /import mqtt, \{ (?!type )/],
  ])('uses no %s', (_what, pattern) => {
    expect(sources.length).toBeGreaterThan(3);
    for (const [file, text] of sources) {
      const code = text.replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '');
      expect(code, file).not.toMatch(pattern);
    }
  });
});
