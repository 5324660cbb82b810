import type { AdminResult } from '@neurolift/tenancy';
import type { FastifyReply } from 'fastify';
import type { ZodError } from 'zod';

const STATUS = { not_found: 404, conflict: 409, bad_request: 400, forbidden: 403 } as const;

/** An admin operation's result as an HTTP answer (`status` for a success, 200 by default). */
export function sendResult<T>(reply: FastifyReply, result: AdminResult<T>, status = 200): FastifyReply {
  if (result.ok) return reply.code(status).send(result.value);
  return reply.code(STATUS[result.error]).send({ error: result.error, message: result.message });
}

/** A 400 naming the first field that broke its rule. */
export function badRequest(reply: FastifyReply, error: ZodError): FastifyReply {
  const issue = error.issues[0];
  return reply.code(400).send({ error: 'bad_request', message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
}
