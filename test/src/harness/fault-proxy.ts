// An HTTP proxy for the TSDB faults the recording proxy cannot make: latency on every write, holding a
// chosen write (so a test knows a job is mid-write before it kills or freezes the worker), and refusing
// connections altogether. Put it between one worker and the recording proxy; one per worker tells the
// test which worker a write came from.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from './http-forward.js';

/** A write the proxy keeps unanswered until released. */
export interface HeldWrite {
  readonly body: string;
  /** Forwards it now (a no-op once its client has gone). */
  release(): void;
  /** Resolves when the client closed the connection (the worker died or timed out). */
  readonly abandoned: Promise<void>;
}

export interface FaultProxy {
  readonly url: string;
  /** Delay before forwarding each write, ms (0: none). */
  setLatency(ms: number): void;
  /** Resolves with the next write whose body matches, held; one hold at a time. */
  hold(match: (body: string) => boolean): Promise<HeldWrite>;
  /** Forgets a hold that has not caught a write yet (its promise never resolves). */
  cancelHold(): void;
  /** Stops accepting connections and drops the open ones (connection refused) until accept(). */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  /** Writes seen (forwarded, held or still waiting), for the test's log. */
  writes(): number;
  close(): Promise<void>;
}

const isWrite = (request: http.IncomingMessage) => request.method === 'POST' && (request.url ?? '').startsWith('/api/v2/write');

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let latencyMs = 0;
  let writes = 0;
  let pendingHold: { match: (body: string) => boolean; resolve: (held: HeldWrite) => void } | undefined;

  const forward = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer) => {
    if (response.destroyed || request.socket.destroyed) return;
    forwardRequest(target, request, response, { body });
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!isWrite(request)) return forward(request, response, body);
      writes++;
      const text = body.toString('utf8');
      const hold = pendingHold;
      if (hold?.match(text)) {
        pendingHold = undefined;
        const abandoned = new Promise<void>((resolve) => request.socket.once('close', () => resolve()));
        hold.resolve({ body: text, release: () => forward(request, response, body), abandoned });
        return;
      }
      if (latencyMs > 0) setTimeout(() => forward(request, response, body), latencyMs);
      else forward(request, response, body);
    });
  });

  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const stopListening = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

  return {
    url: `http://127.0.0.1:${port}`,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    hold: (match) => new Promise<HeldWrite>((resolve) => {
      pendingHold = { match, resolve };
    }),
    cancelHold: () => {
      pendingHold = undefined;
    },
    refuse: stopListening,
    accept: () => listen(port),
    writes: () => writes,
    close: () => (server.listening ? stopListening() : Promise.resolve()),
  };
}
