import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PipelineError } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import {
  DELETE_HORIZON_MS,
  classifyDeleteResponse,
  createTsdbEraser,
  influxDeleteRequest,
  victoriaMetricsDeleteRequest,
  type TsdbEraserOptions,
} from './tsdb-eraser.js';

const NOW = Date.parse('2026-10-26T10:00:00.000Z');
const INFLUX = { url: 'http://influxdb:8086', token: 'secret-token', org: 'neurolift', bucket: 'telemetry' };
const ATHLETE = { key: 'athlete', value: 'a-7f3c' };

describe('influxDeleteRequest', () => {
  it('deletes the tag in every measurement of the bucket, from the epoch to a week ahead', () => {
    const request = influxDeleteRequest(INFLUX, ATHLETE, NOW);
    expect(request.url).toBe('http://influxdb:8086/api/v2/delete?org=neurolift&bucket=telemetry');
    expect(request.headers).toEqual({ authorization: 'Token secret-token', 'content-type': 'application/json' });
    expect(JSON.parse(request.body ?? '')).toEqual({ start: '1970-01-01T00:00:00Z', stop: '2026-11-02T10:00:00.000Z', predicate: 'athlete="a-7f3c"' });
  });

  it('reaches past every point stamped ahead of the clock (end of the UTC day, acute curve)', () => {
    const { stop } = JSON.parse(influxDeleteRequest(INFLUX, ATHLETE, NOW).body ?? '') as { stop: string };
    expect(Date.parse(stop) - NOW).toBe(DELETE_HORIZON_MS);
    expect(DELETE_HORIZON_MS).toBeGreaterThan(24 * 3600 * 1000 + 5 * 60 * 1000);
  });

  it('keeps a path prefix of the URL and encodes org and bucket', () => {
    const request = influxDeleteRequest({ ...INFLUX, url: 'https://tsdb.example/influx/', org: 'my org', bucket: 'a&b' }, ATHLETE, NOW);
    expect(request.url).toBe('https://tsdb.example/influx/api/v2/delete?org=my+org&bucket=a%26b');
  });

  it.each([
    { key: 'athlete', value: 'a"b' },
    { key: 'athlete', value: 'x" or gym="g1' },
    { key: 'athlete', value: '' },
    { key: 'athlete', value: 'a'.repeat(65) },
    { key: 'ath lete', value: 'a1' },
    { key: 'athlete="a1" or x', value: 'a1' },
  ])('refuses a match that could widen or break the predicate: %j', (match) => {
    expect(() => influxDeleteRequest(INFLUX, match, NOW)).toThrow(TypeError);
    expect(() => victoriaMetricsDeleteRequest({ url: INFLUX.url }, match)).toThrow(TypeError);
  });
});

describe('victoriaMetricsDeleteRequest', () => {
  it('deletes every series with the label, whatever the metric name', () => {
    const request = victoriaMetricsDeleteRequest({ url: 'http://127.0.0.1:8428' }, ATHLETE);
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:8428/api/v1/admin/tsdb/delete_series');
    expect(url.searchParams.getAll('match[]')).toEqual(['{athlete="a-7f3c"}']);
    expect(request.body).toBeUndefined();
    expect(request.headers).toEqual({});
  });
});

describe('classifyDeleteResponse', () => {
  it.each([429, 500, 502, 503, 504])('HTTP %i → retryable NL_ERR_TSDB_UNAVAILABLE', (status) => {
    const error = classifyDeleteResponse(status, 'busy');
    expect(error).toMatchObject({ code: 'NL_ERR_TSDB_UNAVAILABLE', retryable: true });
  });

  it.each([400, 401, 403, 404, 422])('HTTP %i → NL_ERR_TSDB_REJECTED with the server’s reason, bounded', (status) => {
    const error = classifyDeleteResponse(status, `{"message":"bucket not found"}${'x'.repeat(1000)}`);
    expect(error).toMatchObject({ code: 'NL_ERR_TSDB_REJECTED', retryable: false });
    expect(error.message).toContain(`${status}`);
    expect(error.message).toContain('bucket not found');
    expect(error.message.length).toBeLessThan(400);
  });
});

/** A fetch that records its calls and answers with `status`. */
function fakeFetch(status: number, body = '') {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchFn: typeof fetch = async (url, init) => {
    calls.push({ url: url instanceof Request ? url.url : url.toString(), init });
    return new Response(status === 204 ? null : body, { status });
  };
  return { calls, fetch: fetchFn };
}

describe('createTsdbEraser', () => {
  it('sends the built request as a POST and resolves on 204', async () => {
    const fake = fakeFetch(204);
    const eraser = createTsdbEraser({ api: 'influxdb2', ...INFLUX, timeoutMs: 1000, fetch: fake.fetch, now: () => NOW });
    await eraser.deleteSeries(ATHLETE);
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call?.url).toBe(influxDeleteRequest(INFLUX, ATHLETE, NOW).url);
    expect(call?.init).toMatchObject({ method: 'POST', body: influxDeleteRequest(INFLUX, ATHLETE, NOW).body, redirect: 'error' });
  });

  it("deletes in the given bucket (the athlete's tenant's), in the configured one without", async () => {
    const fake = fakeFetch(204);
    const eraser = createTsdbEraser({ api: 'influxdb2', ...INFLUX, timeoutMs: 1000, fetch: fake.fetch, now: () => NOW });
    await eraser.deleteSeries(ATHLETE, 'tenant-b');
    await eraser.deleteSeries(ATHLETE);
    expect(fake.calls.map((call) => new URL(call.url).searchParams.get('bucket'))).toEqual(['tenant-b', 'telemetry']);
  });

  it('VictoriaMetrics has no buckets: the delete is the same whatever the bucket', async () => {
    const fake = fakeFetch(204);
    const eraser = createTsdbEraser({ api: 'victoriametrics', url: 'http://vm:8428', timeoutMs: 1000, fetch: fake.fetch });
    await eraser.deleteSeries(ATHLETE, 'tenant-b');
    expect(fake.calls.map((call) => call.url)).toEqual([victoriaMetricsDeleteRequest({ url: 'http://vm:8428' }, ATHLETE).url]);
  });

  it('turns an error answer into a PipelineError with the status', async () => {
    const eraser = createTsdbEraser({ api: 'victoriametrics', url: 'http://vm:8428', timeoutMs: 1000, fetch: fakeFetch(503, 'overloaded').fetch });
    await expect(eraser.deleteSeries(ATHLETE)).rejects.toMatchObject({ code: 'NL_ERR_TSDB_UNAVAILABLE', retryable: true });
    const refused = createTsdbEraser({ api: 'influxdb2', ...INFLUX, timeoutMs: 1000, fetch: fakeFetch(401, '{"code":"unauthorized"}').fetch });
    await expect(refused.deleteSeries(ATHLETE)).rejects.toMatchObject({ code: 'NL_ERR_TSDB_REJECTED', message: expect.stringContaining('unauthorized') as unknown });
  });

  it('a network failure is NL_ERR_TSDB_UNREACHABLE', async () => {
    const failing = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED') });
    }) as typeof fetch;
    const eraser = createTsdbEraser({ api: 'victoriametrics', url: 'http://vm:8428', timeoutMs: 1000, fetch: failing });
    const error = await eraser.deleteSeries(ATHLETE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'NL_ERR_TSDB_UNREACHABLE', retryable: true });
  });

  it('sends exactly the built request over HTTP, and times out on a TSDB that does not answer', async () => {
    const received: Array<{ method: string | undefined; url: string | undefined; headers: IncomingMessage['headers']; body: string }> = [];
    let answer = true;
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (answer) response.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
    try {
      const options: TsdbEraserOptions = { api: 'influxdb2', ...INFLUX, url, timeoutMs: 300, now: () => NOW };
      await createTsdbEraser(options).deleteSeries(ATHLETE);
      const expected = influxDeleteRequest({ ...INFLUX, url }, ATHLETE, NOW);
      expect(received[0]).toMatchObject({ method: 'POST', url: new URL(expected.url).pathname + new URL(expected.url).search, body: expected.body });
      expect(received[0]?.headers).toMatchObject({ authorization: 'Token secret-token', 'content-type': 'application/json' });

      answer = false;
      await expect(createTsdbEraser(options).deleteSeries(ATHLETE)).rejects.toMatchObject({ code: 'NL_ERR_TSDB_UNREACHABLE' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
