import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const SECRET = 'secret-0123456789abcdef';
const NOW_S = 1_795_000_000;

describe('webhook signature', () => {
  it('is the documented HMAC-SHA256 over "<timestamp>.<body>"', () => {
    // Known answer, computed independently (HMAC-SHA256 of '1795000000.{"a":1}' with SECRET).
    expect(signWebhook(SECRET, NOW_S, '{"a":1}')).toBe('sha256=4c6c0c7ab6324884fbec23eba83b4f5624b2b98b770bc95a665ac2d84679a673');
    expect(signWebhook(SECRET, NOW_S, '{"a":1}')).not.toBe(signWebhook(SECRET, NOW_S + 1, '{"a":1}'));
  });

  it('verifies what it signed, and nothing tampered, replayed late or signed with another secret', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -299, max: 299 }), (body, skew) => {
        const signature = signWebhook(SECRET, NOW_S, body);
        const headers = { signature, timestamp: String(NOW_S) };
        expect(verifyWebhook(SECRET, headers, body, NOW_S + skew)).toBe(true);
        expect(verifyWebhook(SECRET, headers, `${body} `, NOW_S)).toBe(false);
        expect(verifyWebhook(`${SECRET}x`, headers, body, NOW_S)).toBe(false);
        expect(verifyWebhook(SECRET, headers, body, NOW_S + 301)).toBe(false);
        // A fresh timestamp on an old signature: the timestamp is inside the HMAC.
        expect(verifyWebhook(SECRET, { signature, timestamp: String(NOW_S + 1) }, body, NOW_S)).toBe(false);
      }),
    );
  });

  it('rejects a malformed timestamp or signature', () => {
    const body = '{}';
    expect(verifyWebhook(SECRET, { signature: signWebhook(SECRET, NOW_S, body), timestamp: 'soon' }, body, NOW_S)).toBe(false);
    expect(verifyWebhook(SECRET, { signature: 'sha256=00', timestamp: String(NOW_S) }, body, NOW_S)).toBe(false);
  });
});
