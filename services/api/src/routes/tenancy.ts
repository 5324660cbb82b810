import { Id } from '@neurolift/contracts';
import { BucketName, type AuditLog, type RegistryAdmin, type RegistryStore } from '@neurolift/tenancy';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../access/access-hook.js';
import { badRequest, sendResult } from './admin-reply.js';

const NewTenant = z.object({ id: Id, name: z.string().min(1).max(200), bucket: BucketName }).strict();
const NewGym = z.object({ id: Id }).strict();
const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

export interface TenancyRouteDeps {
  readonly admin: RegistryAdmin;
  readonly store: Pick<RegistryStore, 'listTenants'>;
  readonly audit: AuditLog;
}

/**
 * Tenants (the operator; a new tenant comes with its first admin token, shown once), the caller's gyms (`GET` for every role, `POST` for admins) and the tenant's
 * audit log (admins, newest first).
 */
export function registerTenancyRoutes(app: FastifyInstance, deps: TenancyRouteDeps): void {
  void app.register(
    async (v1) => {
      v1.get('/tenants', async () => ({ tenants: await deps.store.listTenants() }));

      v1.post('/tenants', async (request, reply) => {
        const body = NewTenant.safeParse(request.body ?? {});
        if (!body.success) return badRequest(reply, body.error);
        const created = await deps.admin.addTenant(principalOf(request), body.data);
        if (!created.ok) return sendResult(reply, created);
        const { tenant, adminToken } = created.value;
        const { hash: _hash, ...token } = adminToken.record;
        return reply.code(201).send({ tenant, adminToken: { token: adminToken.secret, ...token } });
      });

      v1.get('/gyms', async (request) => ({ gyms: await deps.admin.listGyms(principalOf(request)) }));

      v1.post('/gyms', async (request, reply) => {
        const body = NewGym.safeParse(request.body ?? {});
        if (!body.success) return badRequest(reply, body.error);
        return sendResult(reply, await deps.admin.addGym(principalOf(request), body.data.id), 201);
      });

      v1.get('/audit', async (request, reply) => {
        const query = AuditQuery.safeParse(request.query);
        if (!query.success) return reply.code(400).send({ error: 'bad_request', message: 'limit must be an integer from 1 to 1000' });
        return { entries: await deps.audit.read(principalOf(request).tenant, query.data.limit) };
      });
    },
    { prefix: '/v1' },
  );
}
