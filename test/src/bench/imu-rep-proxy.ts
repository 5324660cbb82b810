// A lean HTTP proxy between the worker and the TSDB for bench-samples: forwards every request, and for
// each write the TSDB accepted (2xx) notes when it acknowledged the first write of each rep point of
// the benchmark's gym, by (station, set_id, rep_index). Only `rep,` lines are read, with a few regexes
// (the harness's recording proxy keeps every point of every line: too much at thousands of lines a second).
// It runs on a thread of its own: on the load generator's event loop, busy publishing, every TSDB write
// of the worker would wait for it, and the worker's jobs (which await their writes) with them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface RepAckProxy {
  readonly url: string;
  /** `${station}|${setId}|${repIndex}` → epoch ms of the TSDB's first acknowledgement of a write holding it; rep lines acknowledged (rewrites included). */
  collect(): Promise<{ firstAck: Map<string, number>; repLines: number }>;
  close(): Promise<void>;
}

export const repKey = (station: string, setId: string, repIndex: number) => `${station}|${setId}|${repIndex}`;

const STATION = /,station=([^, ]+)/;
const SET_ID = /[ ,]set_id="([^"]*)"/;
const REP_INDEX = /[ ,]rep_index=(\d+)i/;

interface ProxyData {
  readonly targetUrl: string;
  readonly gym: string;
}

type ToProxy = { type: 'collect' } | { type: 'close' };
type FromProxy = { type: 'ready'; url: string } | { type: 'collected'; entries: Array<[string, number]>; repLines: number } | { type: 'closed' };

/** The proxy itself (on the thread). */
async function serve({ targetUrl, gym }: ProxyData, port: NonNullable<typeof parentPort>): Promise<void> {
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
  const post = (message: FromProxy) => port.postMessage(message);
  port.on('message', (message: ToProxy) => {
    if (message.type === 'collect') post({ type: 'collected', entries: [...firstAck], repLines });
    else {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => {
        post({ type: 'closed' });
        port.close();
      });
    }
  });
  post({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

if (!isMainThread && (workerData as { repAckProxy?: ProxyData } | undefined)?.repAckProxy && parentPort) {
  await serve((workerData as { repAckProxy: ProxyData }).repAckProxy, parentPort);
}

export async function startRepAckProxy(targetUrl: string, gym: string): Promise<RepAckProxy> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { repAckProxy: { targetUrl, gym } } });
  const next = <T extends FromProxy['type']>(type: T) =>
    new Promise<Extract<FromProxy, { type: T }>>((resolve, reject) => {
      const onMessage = (message: FromProxy) => {
        if (message.type !== type) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(message as Extract<FromProxy, { type: T }>);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const { url } = await next('ready');
  return {
    url,
    async collect() {
      const answer = next('collected');
      worker.postMessage({ type: 'collect' } satisfies ToProxy);
      const { entries, repLines } = await answer;
      return { firstAck: new Map(entries), repLines };
    },
    async close() {
      const closed = next('closed');
      worker.postMessage({ type: 'close' } satisfies ToProxy);
      await closed;
      await worker.terminate();
    },
  };
}
