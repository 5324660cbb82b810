// An HTTP proxy in front of the TSDB that counts what the TSDB acknowledged: line-protocol lines per
// measurement, and distinct points (measurement + tags + time) of chosen measurements, at the moment
// each write is answered 2xx. It parses only what it counts (the text up to the first space and the
// timestamp), decompresses gzip bodies, and forwards everything else untouched: the benchmarks put it in
// front of VictoriaMetrics for Neurolift and for the flow-based peer alike.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface WriteCounts {
  /** Write requests answered 2xx, and their lines. */
  readonly requests: number;
  readonly lines: number;
  readonly linesByMeasurement: Readonly<Record<string, number>>;
  /** Distinct points (series + time) of the tracked measurements. */
  readonly distinct: Readonly<Record<string, number>>;
  /** Write requests the TSDB refused (non-2xx) or that failed on the way. */
  readonly failedRequests: number;
  /** Whether the writes carried an Authorization header (VictoriaMetrics ignores it; we only check it arrives). */
  readonly authorized: boolean;
}

export interface CountingProxy {
  readonly url: string;
  counts(): WriteCounts;
  close(): Promise<void>;
}

const isWrite = (url: string | undefined) => url !== undefined && (url.startsWith('/api/v2/write') || url.startsWith('/write'));

/** The measurements the pipeline writes, recognised in place (by length and a character) without cutting each line out. */
const KNOWN = ['rep', 'set', 'neurotrophic_stimulus', 'neurotrophic_exposure', 'neurotrophic_acute', 'alert'] as const;

/** The index in KNOWN of the measurement text[start, end), or -1. */
function knownIndex(text: string, start: number, end: number): number {
  switch (end - start) {
    case 3:
      return text.startsWith('rep', start) ? 0 : text.startsWith('set', start) ? 1 : -1;
    case 5:
      return text.startsWith('alert', start) ? 5 : -1;
    case 18:
    case 21: {
      const index = end - start === 18 ? 4 : text.charCodeAt(start + 13) === 115 /* s */ ? 2 : 3;
      return text.startsWith(KNOWN[index], start) ? index : -1;
    }
    default:
      return -1;
  }
}

/**
 * Counts the lines of `text` per measurement; points of tracked measurements also go into their distinct
 * sets (their series, the text up to the first space, since our ids hold no spaces, and their time, the
 * last field).
 */
function countLines(text: string, byMeasurement: Map<string, number>, tracked: ReadonlyMap<string, Set<string>>): number {
  const known = new Array<number>(KNOWN.length).fill(0);
  const trackedKnown = KNOWN.map((name) => tracked.get(name));
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start && text.charCodeAt(start) !== 35 /* '#' */) {
      lines++;
      let cut = start;
      for (let c = text.charCodeAt(cut); cut < end && c !== 44 && c !== 32; c = text.charCodeAt(++cut));
      const index = knownIndex(text, start, cut);
      let distinct: Set<string> | undefined;
      if (index >= 0) {
        known[index] = (known[index] ?? 0) + 1;
        distinct = trackedKnown[index];
      } else {
        const name = text.slice(start, cut);
        byMeasurement.set(name, (byMeasurement.get(name) ?? 0) + 1);
        distinct = tracked.get(name);
      }
      if (distinct !== undefined) {
        const space = text.indexOf(' ', start);
        distinct.add(`${text.slice(start, space)} ${text.slice(text.lastIndexOf(' ', end - 1) + 1, end)}`);
      }
    }
    start = end + 1;
  }
  KNOWN.forEach((name, i) => {
    if ((known[i] ?? 0) > 0) byMeasurement.set(name, (byMeasurement.get(name) ?? 0) + (known[i] ?? 0));
  });
  return lines;
}

export async function startCountingProxy(targetUrl: string, trackDistinct: readonly string[] = ['rep', 'set']): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const byMeasurement = new Map<string, number>();
  const tracked = new Map(trackDistinct.map((m) => [m, new Set<string>()] as const));
  let requests = 0;
  let lines = 0;
  let failedRequests = 0;
  let authorized = false;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const write = isWrite(request.url);
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host }, agent },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const status = answer.statusCode ?? 502;
            if (write && status >= 200 && status < 300) {
              const gzip = String(request.headers['content-encoding'] ?? '').includes('gzip');
              requests++;
              lines += countLines((gzip ? gunzipSync(body) : body).toString('utf8'), byMeasurement, tracked);
              if (request.headers.authorization !== undefined) authorized = true;
            } else if (write) {
              failedRequests++;
            }
            response.writeHead(status, answer.headers);
            response.end(Buffer.concat(answerChunks));
          });
        },
      );
      upstream.on('error', () => {
        if (write) failedRequests++;
        response.writeHead(502);
        response.end();
      });
      upstream.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({
      requests,
      lines,
      linesByMeasurement: Object.fromEntries(byMeasurement),
      distinct: Object.fromEntries([...tracked].map(([m, keys]) => [m, keys.size])),
      failedRequests,
      authorized,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        agent.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
