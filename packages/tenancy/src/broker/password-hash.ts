import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHash } from '../model.js';

/**
 * The dynamic security plugin's password format (mosquitto 2.0: src/password_mosq.h, plugin auth.c):
 * PBKDF2-HMAC-SHA512 over a 12-byte salt, a 64-byte key, both base64 in its JSON file. The plugin
 * skips a client whose salt or hash decodes to another length, so both are fixed here.
 */
export const DYNSEC_SALT_BYTES = 12;
export const DYNSEC_HASH_BYTES = 64;
/** PW_DEFAULT_ITERATIONS: what the plugin uses for passwords set over its control topic. */
export const DYNSEC_DEFAULT_ITERATIONS = 101;

export function hashPassword(password: string, salt: Buffer = randomBytes(DYNSEC_SALT_BYTES), iterations = DYNSEC_DEFAULT_ITERATIONS): PasswordHash {
  if (password === '') throw new Error('empty password (the plugin refuses it)');
  if (salt.length !== DYNSEC_SALT_BYTES) throw new Error(`salt must be ${DYNSEC_SALT_BYTES} bytes, got ${salt.length}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`iterations must be a positive integer, got ${iterations}`);
  const hash = pbkdf2Sync(password, salt, iterations, DYNSEC_HASH_BYTES, 'sha512');
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), iterations };
}

/** True when `password` gives `stored` (compared in constant time, as the plugin does). */
export function verifyPassword(password: string, stored: PasswordHash): boolean {
  const salt = Buffer.from(stored.salt, 'base64');
  const expected = Buffer.from(stored.hash, 'base64');
  if (salt.length !== DYNSEC_SALT_BYTES || expected.length !== DYNSEC_HASH_BYTES || password === '') return false;
  const actual = pbkdf2Sync(password, salt, stored.iterations, DYNSEC_HASH_BYTES, 'sha512');
  return timingSafeEqual(actual, expected);
}
