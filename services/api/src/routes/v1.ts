import { timingSafeEqual } from 'node:crypto';
import { AthleteProfile, Id } from '@neurolift/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeadLetterReader, ProfileStore } from '../ports.js';

const DeadLetterQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const AthleteParams = z.object({ athleteId: Id });

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The /v1 API: every route requires `Authorization: Bearer <API_TOKEN>`. */
export function registerV1Routes(app: FastifyInstance, deps: { token: string; deadLetters: DeadLetterReader; profiles: ProfileStore }): void {
  void app.register(
    async (v1) => {
      v1.addHook('onRequest', async (request, reply) => {
        const header = request.headers.authorization ?? '';
        const token = header.startsWith('Bearer ') ? header.slice(7) : '';
        if (!sameToken(token, deps.token)) {
          return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid bearer token is required' });
        }
      });

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
