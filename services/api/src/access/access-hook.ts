import type { Principal, TokenStore } from '@neurolift/tenancy';
import { BOOTSTRAP_PRINCIPAL, sameSecret } from '@neurolift/tenancy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteAccess } from './route-access.js';
import { athleteInScope, gymInScope, type ScopeDeps } from './scope.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by the access hook on every non-public route. */
    principal?: Principal;
  }
}

export interface AccessDeps extends ScopeDeps {
  /** API_TOKEN: the default tenant's admin and the operator. */
  readonly bootstrapToken: string;
  readonly tokens: Pick<TokenStore, 'authenticate'>;
  readonly table: Readonly<Record<string, RouteAccess>>;
  readonly clock: () => number;
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

function queryToken(request: FastifyRequest): string {
  const query: unknown = request.query;
  return typeof query === 'object' && query !== null && 'token' in query && typeof query.token === 'string' ? query.token : '';
}

function param(request: FastifyRequest, name: string): string | undefined {
  const params: unknown = request.params;
  if (typeof params !== 'object' || params === null || !(name in params)) return undefined;
  const value: unknown = (params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The request's principal; only routes behind the access hook call it. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new Error('no principal: the route is missing from the access table');
  return request.principal;
}

const unauthorized = (reply: FastifyReply): FastifyReply =>
  reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid bearer token is required' });
const notFound = (reply: FastifyReply): FastifyReply => reply.code(404).send({ error: 'not_found', message: 'no such resource' });

/**
 * One onRequest hook for the whole app: the route's entry in the access table says who may call it.
 * Authentication (401), then role (403), then scope: a resource outside the caller's tenant or gyms
 * answers 404, exactly like one that does not exist. A route without an entry answers 500.
 */
export function registerAccessControl(app: FastifyInstance, deps: AccessDeps): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return undefined; // no route matched: Fastify's own 404
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const rule = deps.table[`${method} ${url}`];
    if (rule === undefined) return reply.code(500).send({ error: 'no_access_rule', message: `${method} ${url} has no access rule` });
    if (rule.public === true) return undefined;

    const secrets = [bearer(request), ...(rule.queryToken === true ? [queryToken(request)] : [])].filter((secret) => secret !== '');
    let principal: Principal | undefined;
    for (const secret of secrets) {
      principal = sameSecret(secret, deps.bootstrapToken) ? BOOTSTRAP_PRINCIPAL : await deps.tokens.authenticate(secret, deps.clock());
      if (principal !== undefined) break;
    }
    if (principal === undefined) return unauthorized(reply);
    if (!rule.roles.includes(principal.role) || (rule.operator === true && !principal.operator)) {
      return reply.code(403).send({ error: 'forbidden', message: `a ${principal.role} token may not ${method} ${url}` });
    }
    const gymId = rule.scope === 'gym' ? param(request, 'gymId') : undefined;
    if (gymId !== undefined && !gymInScope(deps.view, principal, gymId)) return notFound(reply);
    const athleteId = rule.scope === 'athlete' ? param(request, 'athleteId') : undefined;
    if (athleteId !== undefined && !(await athleteInScope(deps, principal, athleteId, rule.claimsAthlete === true))) return notFound(reply);
    request.principal = principal;
    return undefined;
  });
}
