// A lean HTTP proxy between the worker and the TSDB for bench-samples: forwards every request, and for
// each write the TSDB accepted (2xx) notes when it acknowledged the first write of each rep point of
// the benchmark's gym, by (station, set_id, rep_index). Only `rep,` lines are read, with a few regexes
// (the harness's recording proxy keeps every point of every line: too much at thousands of lines a second).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RepAckProxy {
  readonly url: string;
  /** `${station}|${setId}|${repIndex}` → epoch ms of the TSDB's first acknowledgement of a write holding it. */
  readonly firstAck: ReadonlyMap<string, number>;
  /** Rep lines acknowledged, rewrites included. */
  readonly repLines: () => number;
  close(): Promise<void>;
}

export const repKey = (station: string, setId: string, repIndex: number) => `${station}|${setId}|${repIndex}`;

const STATION = /,station=([^, ]+)/;
const SET_ID = /[ ,]set_id="([^"]*)"/;
const REP_INDEX = /[ ,]rep_index=(\d+)i/;

export async function startRepAckProxy(targetUrl: string, gym: string): Promise<RepAckProxy> {
  const target = new URL(targetUrl);
  const firstAck = new Map<string, number>();
  const gymTag = `,gym=${gym}`;
  let repLines = 0;
  const note = (body: Buffer, ackedAt: number) => {
    const text = body.toString('utf8');
    if (!text.includes('rep,')) return;
    for (const line of text.split('\n')) {
      if (!line.startsWith('rep,') || !line.includes(gymTag)) continue;
      const station = STATION.exec(line)?.[1];
      const setId = SET_ID.exec(line)?.[1];
      const repIndex = REP_INDEX.exec(line)?.[1];
      if (station === undefined || setId === undefined || repIndex === undefined) continue;
      repLines++;
      const key = repKey(station, setId, Number(repIndex));
      if (!firstAck.has(key)) firstAck.set(key, ackedAt);
    }
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host }, agent },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const status = answer.statusCode ?? 502;
            if (request.url?.includes('/write') && status >= 200 && status < 300) note(body, Date.now());
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
    firstAck,
    repLines: () => repLines,
    close: () =>
      new Promise<void>((resolve, reject) => {
        agent.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
