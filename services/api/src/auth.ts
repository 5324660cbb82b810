import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Compares digests, so neither the content nor the length of the expected token leaks through timing. */
export function sameToken(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

function queryToken(request: FastifyRequest): string {
  const query: unknown = request.query;
  if (typeof query === 'object' && query !== null && 'token' in query && typeof query.token === 'string') return query.token;
  return '';
}

/**
 * An onRequest hook answering 401 unless the request carries `Authorization: Bearer <token>`, or, with
 * `allowQueryToken`, `?token=<token>` (EventSource cannot set headers; only the event stream allows it).
 */
export function requireToken(expected: string, options: { allowQueryToken?: boolean } = {}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (sameToken(bearerToken(request), expected)) return undefined;
    if (options.allowQueryToken === true && sameToken(queryToken(request), expected)) return undefined;
    return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid bearer token is required' });
  };
}
