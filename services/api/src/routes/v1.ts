import { AthleteProfile, Id } from '@neurolift/contracts';
import type { AuditLog } from '@neurolift/tenancy';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../access/access-hook.js';
import type { AthleteOwners, DeadLetterReader, ProfileStore } from '../ports.js';

const DeadLetterQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const AthleteParams = z.object({ athleteId: Id });

export interface V1RouteDeps {
  readonly deadLetters: DeadLetterReader;
  readonly profiles: ProfileStore;
  readonly owners: AthleteOwners;
  readonly audit: AuditLog;
  readonly clock: () => number;
}

/** Dead letters (the caller's tenant's) and athlete profiles; who may call them: access/route-access.ts. */
export function registerV1Routes(app: FastifyInstance, deps: V1RouteDeps): void {
  void app.register(
    async (v1) => {
      v1.get('/dead-letters', async (request, reply) => {
        const query = DeadLetterQuery.safeParse(request.query);
        if (!query.success) return reply.code(400).send({ error: 'bad_request', message: 'limit must be an integer from 1 to 1000' });
        return deps.deadLetters.list(principalOf(request).tenant, query.data.limit);
      });

      v1.get('/athletes/:athleteId/profile', async (request, reply) => {
        const params = AthleteParams.safeParse(request.params);
        if (!params.success) return reply.code(400).send({ error: 'bad_request', message: 'athleteId breaks the id rule' });
        const profile = await deps.profiles.get(params.data.athleteId);
        // The same answer as an athlete out of the caller's scope: no way to tell the two apart.
        return profile ?? reply.code(404).send({ error: 'not_found', message: 'no such resource' });
      });

      v1.put('/athletes/:athleteId/profile', async (request, reply) => {
        const params = AthleteParams.safeParse(request.params);
        if (!params.success) return reply.code(400).send({ error: 'bad_request', message: 'athleteId breaks the id rule' });
        const body = AthleteProfile.safeParse(request.body);
        if (!body.success) {
          const issue = body.error.issues[0];
          return reply.code(400).send({ error: 'bad_request', message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
        }
        const principal = principalOf(request);
        const { athleteId } = params.data;
        // A profile written before the athlete's first set makes the athlete the caller's tenant's.
        if ((await deps.owners.claim(athleteId, principal.tenant)) !== principal.tenant) {
          return reply.code(404).send({ error: 'not_found', message: 'no such resource' });
        }
        await deps.profiles.put(athleteId, body.data);
        await deps.audit.append(principal.tenant, { actor: principal.actor, action: 'profile.write', target: athleteId }, deps.clock());
        return body.data;
      });
    },
    { prefix: '/v1' },
  );
}
