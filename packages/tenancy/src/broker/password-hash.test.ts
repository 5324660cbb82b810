import { describe, expect, it } from 'vitest';
import { DYNSEC_HASH_BYTES, DYNSEC_SALT_BYTES, hashPassword, verifyPassword } from './password-hash.js';

/** Written by `mosquitto_ctrl dynsec init <file> admin S3cret-pw` (mosquitto 2.0.11). */
const FROM_MOSQUITTO_CTRL = {
  salt: 'KwDokYIrYeRaebuN',
  hash: 'UirCvaqk8OV05SeSvBqVxAhOhbs8SPGFW2uWjXbrjnpYFEZEETrGDt6McosSPPpL0XdHD2F80wzkRkDI3VkPDw==',
  iterations: 101,
};

describe('hashPassword', () => {
  it('gives what mosquitto_ctrl wrote for the same password and salt', () => {
    expect(hashPassword('S3cret-pw', Buffer.from(FROM_MOSQUITTO_CTRL.salt, 'base64'), 101)).toEqual(FROM_MOSQUITTO_CTRL);
  });

  it('draws a fresh 12-byte salt, a 64-byte hash, 101 iterations by default', () => {
    const a = hashPassword('pw');
    const b = hashPassword('pw');
    expect(a.salt).not.toBe(b.salt);
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(DYNSEC_SALT_BYTES);
    expect(Buffer.from(a.hash, 'base64')).toHaveLength(DYNSEC_HASH_BYTES);
    expect(a.iterations).toBe(101);
  });

  it('refuses what the plugin would not load or accept', () => {
    expect(() => hashPassword('pw', Buffer.alloc(16))).toThrow(/12 bytes/);
    expect(() => hashPassword('pw', undefined, 0)).toThrow(/iterations/);
    expect(() => hashPassword('')).toThrow(/empty/);
  });
});

describe('verifyPassword', () => {
  it('accepts the password of a mosquitto_ctrl hash and refuses others', () => {
    expect(verifyPassword('S3cret-pw', FROM_MOSQUITTO_CTRL)).toBe(true);
    expect(verifyPassword('S3cret-pX', FROM_MOSQUITTO_CTRL)).toBe(false);
    expect(verifyPassword('', FROM_MOSQUITTO_CTRL)).toBe(false);
  });

  it('round-trips its own hashes, at any iteration count', () => {
    expect(verifyPassword('long enough', hashPassword('long enough', undefined, 1000))).toBe(true);
    expect(verifyPassword('long enough', { ...hashPassword('long enough'), iterations: 102 })).toBe(false);
  });

  it('is false, not an exception, for a malformed stored hash', () => {
    expect(verifyPassword('S3cret-pw', { ...FROM_MOSQUITTO_CTRL, hash: 'c2hvcnQ=' })).toBe(false);
    expect(verifyPassword('S3cret-pw', { ...FROM_MOSQUITTO_CTRL, salt: 'c2hvcnQ=' })).toBe(false);
  });
});
