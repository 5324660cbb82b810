import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A token's secret: `nlt_` and 32 random bytes (256 bits), base64url. Only its SHA-256 is stored. */
export function newTokenSecret(): string {
  return `nlt_${randomBytes(32).toString('base64url')}`;
}

export function newTokenId(): string {
  return `tok_${randomBytes(8).toString('hex')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares digests, so neither the content nor the length of the expected secret leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
