// The upstream half of the test proxies: one request sent on to the real server, its answer piped back.
import http from 'node:http';

/**
 * Sends `request` to `target` (at `path`, default the request's own) with `body`, or the request's own
 * stream when `body` is absent, and pipes the answer back; 502 when the server cannot be reached.
 */
export function forwardRequest(target: URL, request: http.IncomingMessage, response: http.ServerResponse, options: { path?: string; body?: Buffer } = {}): void {
  const upstream = http.request(
    { host: target.hostname, port: target.port, path: options.path ?? request.url, method: request.method, headers: { ...request.headers, host: target.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  });
  if (options.body === undefined) request.pipe(upstream);
  else upstream.end(options.body);
}
