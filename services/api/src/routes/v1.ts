import { AthleteProfile, Id } from '@neurolift/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireToken } from '../auth.js';
import type { DeadLetterReader, ProfileStore } from '../ports.js';

const DeadLetterQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const AthleteParams = z.object({ athleteId: Id });

/** The /v1 API: every route requires `Authorization: Bearer <API_TOKEN>`. */
export function registerV1Routes(app: FastifyInstance, deps: { token: string; deadLetters: DeadLetterReader; profiles: ProfileStore }): void {
  void app.register(
    async (v1) => {
      v1.addHook('onRequest', requireToken(deps.token));

      v1.get('/dead-letters', async (request, reply) => {
        const query = DeadLetterQuery.safeParse(request.query);
        if (!query.success) return reply.code(400).send({ error: 'bad_request', message: 'limit must be an integer from 1 to 1000' });
        return deps.deadLetters.list(query.data.limit);
      });

      v1.get('/athletes/:athleteId/profile', async (request, reply) => {
        const params = AthleteParams.safeParse(request.params);
        if (!params.success) return reply.code(400).send({ error: 'bad_request', message: 'athleteId breaks the id rule' });
        const profile = await deps.profiles.get(params.data.athleteId);
        return profile ?? reply.code(404).send({ error: 'not_found', message: 'no profile for this athlete' });
      });

      v1.put('/athletes/:athleteId/profile', async (request, reply) => {
        const params = AthleteParams.safeParse(request.params);
        if (!params.success) return reply.code(400).send({ error: 'bad_request', message: 'athleteId breaks the id rule' });
        const body = AthleteProfile.safeParse(request.body);
        if (!body.success) {
          const issue = body.error.issues[0];
          return reply.code(400).send({ error: 'bad_request', message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
        }
        await deps.profiles.put(params.data.athleteId, body.data);
        return body.data;
      });
    },
    { prefix: '/v1' },
  );
}
