import type { ServerResponse } from 'node:http';

export interface SseOptions {
  /** A comment line this often keeps proxies and load balancers from closing an idle stream, ms. */
  readonly heartbeatMs: number;
  /** EventSource's reconnect delay, sent to the client, ms. */
  readonly retryMs: number;
  /**
   * Bytes a slow client may leave unread before it is dropped: its EventSource reconnects and gets a
   * fresh snapshot, instead of the process buffering without bound.
   */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_SSE_OPTIONS: SseOptions = Object.freeze({ heartbeatMs: 15_000, retryMs: 3_000, maxBufferedBytes: 1 << 20 });

export interface SseStream {
  /** Sends one event; `data` becomes one line of JSON. Ignored once closed. */
  send(event: string, data: unknown): void;
  /** Ends the response; `onClose` runs once, whether the server or the client ends it. */
  close(): void;
}

/** Turns a raw (hijacked) response into a Server-Sent Events stream. */
export function openSseStream(res: ServerResponse, options: SseOptions, onClose: () => void): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // nginx buffers proxied responses unless told not to.
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
  res.on('close', () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  });

  function write(chunk: string): void {
    if (closed || res.writableEnded) return;
    res.write(chunk);
    if (res.writableLength > options.maxBufferedBytes) res.destroy();
  }

  write(`retry: ${options.retryMs}\n\n`);
  return {
    send(event, data) {
      // JSON.stringify emits no line breaks, so the payload is a single `data:` line.
      write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (!res.writableEnded) res.end();
    },
  };
}
