// A proxy in front of VictoriaMetrics that keeps tenants' buckets apart: VictoriaMetrics ignores the
// `bucket` of an InfluxDB 2.x write but labels every point of a write with `db="<value>"` when given `db`,
// so the proxy copies the one into the other and a test reads a bucket as `{db="<bucket>"}`. Everything
// else (reads, deletes, flushes) passes through unchanged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from './http-forward.js';

export interface BucketProxy {
  /** INFLUX_URL for the pipeline. */
  readonly url: string;
  close(): Promise<void>;
}

/** The request path with `db` set to `bucket` on an InfluxDB 2.x write. */
export function withBucketAsDb(path: string): string {
  const url = new URL(path, 'http://proxy');
  const bucket = url.searchParams.get('bucket');
  if (url.pathname !== '/api/v2/write' || bucket === null) return path;
  url.searchParams.set('db', bucket);
  return `${url.pathname}${url.search}`;
}

export async function startBucketProxy(targetUrl: string): Promise<BucketProxy> {
  const target = new URL(targetUrl);
  const server = http.createServer((request, response) => forwardRequest(target, request, response, { path: withBucketAsDb(request.url ?? '/') }));
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
