// An HTTP proxy between the worker and the real TSDB that records every accepted write, in the order
// the TSDB acknowledged them, and can answer writes itself (429, 503, 4xx) to inject faults. InfluxDB keeps the last write of a point (same measurement, tags and
// time); VictoriaMetrics, the local stand-in, keeps an arbitrary one of equal-time points. Tests that
// check values a later write overwrote read the final state from this log, as InfluxDB would hold it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, string>>;
  readonly ts: number;
  /** When the TSDB acknowledged the write that held it (epoch ms). */
  readonly ackedAt: number;
}

/** A canned answer the proxy gives instead of forwarding (fault injection). */
export interface InjectedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RecordingProxy {
  readonly url: string;
  /** Answers writes for which `decide(body)` returns an answer, instead of forwarding them; undefined to stop. */
  inject(decide: ((body: string) => InjectedAnswer | undefined) | undefined): void;
  /** Every point of every write the TSDB answered 2xx, oldest first. */
  points(): RecordedPoint[];
  /**
   * The last written value of `field` per timestamp for points of `measurement` whose tags include
   * `tags` (what InfluxDB would return), sorted by time.
   */
  latest(measurement: string, tags: Readonly<Record<string, string>>, field: string): Array<{ ts: number; value: string }>;
  close(): Promise<void>;
}

/** Splits on `separator` outside double quotes, keeping backslash escapes as they are. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[++i] as string);
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Parses the pipeline's own lines (ids only in tags; string fields quoted, with spaces and escapes). */
function parseLine(line: string, ackedAt: number): RecordedPoint {
  const [head = '', fieldText = '', ts = ''] = splitOutsideQuotes(line, ' ');
  const [measurement = '', ...tagPairs] = head.split(',');
  const pairs = (text: string[]) =>
    Object.fromEntries(
      text.map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
      }),
    );
  return { measurement, tags: pairs(tagPairs), fields: pairs(splitOutsideQuotes(fieldText, ',')), ts: Number(ts), ackedAt };
}

export async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const recorded: RecordedPoint[] = [];
  let decide: ((body: string) => InjectedAnswer | undefined) | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const injected = request.url?.startsWith('/api/v2/write') ? decide?.(body.toString('utf8')) : undefined;
      if (injected) {
        response.writeHead(injected.status, { 'content-type': 'application/json', ...injected.headers });
        response.end(injected.body ?? JSON.stringify({ code: 'injected', message: `injected ${injected.status}` }));
        return;
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const status = answer.statusCode ?? 502;
            if (request.url?.startsWith('/api/v2/write') && status >= 200 && status < 300) {
              const ackedAt = Date.now();
              for (const line of body.toString('utf8').split('\n')) if (line.trim() !== '') recorded.push(parseLine(line, ackedAt));
            }
            response.writeHead(status, answer.headers);
            response.end(Buffer.concat(answerChunks));
          });
        },
      );
      upstream.on('error', () => {
        response.writeHead(502);
        response.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inject: (next) => {
      decide = next;
    },
    points: () => [...recorded],
    latest(measurement, tags, field) {
      const byTs = new Map<number, string>();
      for (const point of recorded) {
        if (point.measurement !== measurement) continue;
        if (!Object.entries(tags).every(([key, value]) => point.tags[key] === value)) continue;
        const value = point.fields[field];
        if (value !== undefined) byTs.set(point.ts, value);
      }
      return [...byTs].sort(([a], [b]) => a - b).map(([ts, value]) => ({ ts, value }));
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
