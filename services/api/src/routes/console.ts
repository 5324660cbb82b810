import { Id } from '@neurolift/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsoleAsset, ConsoleAssets } from '../console/console-assets.js';

/**
 * Only this origin's files and event stream; no inline script or style, no framing, forms post back here.
 * The token travels in the page URL, so no Referer may carry it anywhere.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
} as const;

/** `gym` is optional (the page asks for it); `token` is read by the page's script only, never by the server. */
const ConsoleQuery = z.object({ gym: Id.optional() });

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset): FastifyReply {
  void reply.headers(SECURITY_HEADERS).header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

/**
 * The live coach console: `GET /console?gym=<gymId>[&token=…]` serves a static page (the same bytes for
 * everyone, so nothing secret is in it) and its script and style; the page reads the live routes.
 */
export function registerConsoleRoutes(app: FastifyInstance, assets: ConsoleAssets): void {
  app.get('/console', async (request, reply) => {
    if (!ConsoleQuery.safeParse(request.query).success) {
      return reply.code(400).headers(SECURITY_HEADERS).type('text/plain; charset=utf-8').send('gym must be 1 to 64 characters of A-Z a-z 0-9 _ -\n');
    }
    return sendAsset(request, reply, assets.page);
  });
  app.get('/console/console.js', async (request, reply) => sendAsset(request, reply, assets.script));
  app.get('/console/console.css', async (request, reply) => sendAsset(request, reply, assets.style));
}
