import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { createInfluxPointSink } from './influx-point-sink.js';

describe('createInfluxPointSink', () => {
  it("writes into the given bucket (a tenant's), into its own without one", async () => {
    const writes: Array<{ bucket: string | null; body: string }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        writes.push({ bucket: new URL(request.url ?? '/', 'http://x').searchParams.get('bucket'), body });
        response.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sink = createInfluxPointSink({ url, token: 't', org: 'o', bucket: 'telemetry', timeoutMs: 1000, logger: createLogger({ name: 'test', level: 'silent' }) });
      await sink.write(['m,gym=a v=1 1'], 'tenant-a');
      await sink.write(['m,gym=d v=2 2']);
      await sink.write([], 'tenant-b');
      expect(writes).toEqual([
        { bucket: 'tenant-a', body: 'm,gym=a v=1 1' },
        { bucket: 'telemetry', body: 'm,gym=d v=2 2' },
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
