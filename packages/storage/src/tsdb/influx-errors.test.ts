import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { HttpError } from '@influxdata/influxdb-client';
import { PipelineError } from '@neurolift/platform';
import { classifyWriteError, parseRetryAfter } from './influx-point-sink.js';

/*
 * Retry-After (RFC 9110 §10.2.3) = HTTP-date / delay-seconds (1*DIGIT). A write refused for its data
 * (400/401/404/413/422) cannot succeed on retry; 429, 5xx and network failures can.
 */

const NOW = Date.parse('2026-10-26T10:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('1', NOW)).toBe(1000);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Mon, 26 Oct 2026 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
  });

  it('a date in the past means no wait, not a negative one', () => {
    expect(parseRetryAfter('Mon, 26 Oct 2026 09:59:00 GMT', NOW)).toBe(0);
  });

  it('takes the first value of an array header', () => {
    expect(parseRetryAfter(['5', '60'], NOW)).toBe(5000);
    expect(parseRetryAfter([], NOW)).toBeUndefined();
  });

  it.each([undefined, '', '   ', 'soon', '5s', 'later', '1e3', '0x10', '30 seconds'])('garbage %j → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  /*
   * BUG (kept failing on purpose): V8's Date.parse accepts almost anything ending in a number as a
   * date ("1.5" → 2001-01-05, "-1" → 2001-01-01, "in 10" → 2001-10-01), so these non-Retry-After
   * values become 0 ms ("retry now") instead of undefined. With classifyWriteError that turns a 429/503
   * into an immediate rate-limit-and-retry that consumes no attempt.
   */
  it('values that are neither delay-seconds nor an HTTP date → undefined (not "retry now")', () => {
    const parsed = Object.fromEntries(['1.5', '-1', 'in 10', 'retry 3'].map((value) => [value, parseRetryAfter(value, NOW)]));
    expect(parsed).toEqual({ '1.5': undefined, '-1': undefined, 'in 10': undefined, 'retry 3': undefined });
  });

  it('any delay-seconds value n gives n × 1000 ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), NOW)).toBe(seconds * 1000);
        expect(parseRetryAfter([String(seconds)], NOW)).toBe(seconds * 1000);
      }),
    );
  });

  it('any future HTTP date gives the ms until it (whole seconds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 * 24 * 3600 }), (seconds) => {
        expect(parseRetryAfter(new Date(NOW + seconds * 1000).toUTCString(), NOW)).toBe(seconds * 1000);
      }),
    );
  });
});

function httpError(status: number, headers: Record<string, string | string[]> = {}, body = '{"code":"invalid","message":"bad line"}'): HttpError {
  const retryAfter = headers['retry-after'];
  return new HttpError(
    status,
    `status ${status}`,
    body,
    typeof retryAfter === 'string' ? retryAfter : undefined,
    'application/json',
    undefined,
    headers,
  );
}

describe('classifyWriteError', () => {
  it.each([400, 401, 403, 404, 413, 422])('HTTP %i → not retryable, NL_ERR_TSDB_REJECTED', (status) => {
    const error = classifyWriteError(httpError(status, { 'retry-after': '30' }));
    expect(error).toBeInstanceOf(PipelineError);
    expect(error.code).toBe('NL_ERR_TSDB_REJECTED');
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain(String(status));
  });

  it.each([429, 500, 502, 503, 504])('HTTP %i with Retry-After in seconds → retryable after that many ms', (status) => {
    const error = classifyWriteError(httpError(status, { 'retry-after': '30' }));
    expect(error).toBeInstanceOf(PipelineError);
    expect(error.retryable).toBe(true);
    expect(error.code).not.toBe('NL_ERR_TSDB_REJECTED');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('429 with an HTTP-date Retry-After → retryable, wait measured from now', () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    const error = classifyWriteError(httpError(429, { 'retry-after': at }));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(110_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('503 without Retry-After → retryable with no prescribed wait', () => {
    const error = classifyWriteError(httpError(503));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('an array retry-after header uses its first value', () => {
    expect(classifyWriteError(httpError(503, { 'retry-after': ['2', '9'] })).retryAfterMs).toBe(2000);
  });

  it('keeps the server’s explanation, bounded', () => {
    const error = classifyWriteError(httpError(400, {}, `unable to parse 'rep,gym=…': ${'x'.repeat(2000)}`));
    expect(error.message).toContain('unable to parse');
    expect(error.message.length).toBeLessThan(500);
  });

  it('a plain Error (network) → retryable', () => {
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' });
    const error = classifyWriteError(network);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error.retryable).toBe(true);
    expect(error.code).not.toBe('NL_ERR_TSDB_REJECTED');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a non-Error throw → retryable', () => {
    expect(classifyWriteError('socket hang up').retryable).toBe(true);
  });

  it('every status: 429 and 5xx retryable, other 4xx not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), (status) => {
        const error = classifyWriteError(httpError(status));
        expect(error.retryable).toBe(status === 429 || status >= 500);
        if (!error.retryable) expect(error.code).toBe('NL_ERR_TSDB_REJECTED');
      }),
    );
  });
});
