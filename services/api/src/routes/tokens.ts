import { Id } from '@neurolift/contracts';
import { Role, type RegistryAdmin } from '@neurolift/tenancy';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../access/access-hook.js';
import { badRequest, sendResult } from './admin-reply.js';

const TokenParams = z.object({ tokenId: z.string().regex(/^tok_[a-f0-9]{16}$/, 'is not a token id') });
const NewToken = z
  .object({
    role: Role,
    /** Coaches and viewers may be limited to some gyms of the tenant; admins always see all. */
    gyms: z.union([z.literal('all'), z.array(Id).min(1).max(1000)]).default('all'),
    name: z.string().min(1).max(200),
    expiresAt: z.iso.datetime().optional(),
  })
  .strict();

/**
 * Scoped API tokens of the caller's tenant (admins): `GET/POST /v1/tokens`, `DELETE /v1/tokens/:tokenId`.
 * The secret is in the creation's answer only; listings show the id, role, gyms, expiry and last use.
 */
export function registerTokenRoutes(app: FastifyInstance, deps: { readonly admin: RegistryAdmin }): void {
  void app.register(
    async (v1) => {
      v1.get('/tokens', async (request) => ({ tokens: await deps.admin.listTokens(principalOf(request)) }));

      v1.post('/tokens', async (request, reply) => {
        const body = NewToken.safeParse(request.body ?? {});
        if (!body.success) return badRequest(reply, body.error);
        const { expiresAt, ...rest } = body.data;
        const result = await deps.admin.issueToken(principalOf(request), { ...rest, ...(expiresAt === undefined ? {} : { expiresAt }) });
        if (!result.ok) return sendResult(reply, result);
        const { hash: _hash, ...token } = result.value.record;
        return reply.code(201).send({ token: result.value.secret, ...token });
      });

      v1.delete('/tokens/:tokenId', async (request, reply) => {
        const params = TokenParams.safeParse(request.params);
        if (!params.success) return reply.code(404).send({ error: 'not_found', message: 'no such token' });
        return sendResult(reply, await deps.admin.revokeToken(principalOf(request), params.data.tokenId));
      });
    },
    { prefix: '/v1' },
  );
}
