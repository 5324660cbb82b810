import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-neurolift-signature';
export const TIMESTAMP_HEADER = 'x-neurolift-timestamp';
export const ALERT_ID_HEADER = 'x-neurolift-alert-id';

/**
 * `sha256=<hex>` HMAC-SHA256 with the gym's secret over `<timestamp>.<raw body>`. The timestamp (Unix
 * seconds, also sent in its own header) is inside the signature, so a receiver that rejects old
 * timestamps also rejects a replayed request: its timestamp cannot be refreshed without the secret.
 */
export function signWebhook(secret: string, timestampS: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex')}`;
}

/** What a receiver does: constant-time comparison, and a timestamp within `toleranceS` of now. */
export function verifyWebhook(secret: string, headers: { signature: string; timestamp: string }, rawBody: string, nowS: number, toleranceS = 300): boolean {
  const timestampS = Number(headers.timestamp);
  if (!Number.isInteger(timestampS) || Math.abs(nowS - timestampS) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestampS, rawBody));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
