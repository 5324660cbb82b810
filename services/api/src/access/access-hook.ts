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
/** What the access rules answer for a request: its principal, or the refusal to send. */
type Decision = { readonly principal?: Principal; readonly refuse?: (reply: FastifyReply) => FastifyReply };

async function decide(deps: AccessDeps, request: FastifyRequest): Promise<Decision> {
  const url = request.routeOptions.url;
  if (url === undefined) return {}; // no route matched: Fastify's own 404
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const rule = deps.table[`${method} ${url}`];
  if (rule === undefined) return { refuse: (reply) => reply.code(500).send({ error: 'no_access_rule', message: `${method} ${url} has no access rule` }) };
  if (rule.public === true) return {};

  const secrets = [bearer(request), ...(rule.queryToken === true ? [queryToken(request)] : [])].filter((secret) => secret !== '');
  let principal: Principal | undefined;
  for (const secret of secrets) {
    principal = sameSecret(secret, deps.bootstrapToken) ? BOOTSTRAP_PRINCIPAL : await deps.tokens.authenticate(secret, deps.clock());
    if (principal !== undefined) break;
  }
  if (principal === undefined) return { refuse: unauthorized };
  const who = principal;
  if (!rule.roles.includes(who.role) || (rule.operator === true && !who.operator)) {
    return { refuse: (reply) => reply.code(403).send({ error: 'forbidden', message: `a ${who.role} token may not ${method} ${url}` }) };
  }
  const gymId = rule.scope === 'gym' ? param(request, 'gymId') : undefined;
  if (gymId !== undefined && !gymInScope(deps.view, who, gymId)) return { refuse: notFound };
  const athleteId = rule.scope === 'athlete' ? param(request, 'athleteId') : undefined;
  if (athleteId !== undefined && !(await athleteInScope(deps, who, athleteId, rule.claimsAthlete === true))) return { refuse: notFound };
  return { principal: who };
}

/**
 * One onRequest hook for the whole app: the route's entry in the access table says who may call it.
 * Authentication (401), then role (403), then scope: a resource outside the caller's tenant or gyms
 * answers 404, exactly like one that does not exist. A route without an entry answers 500.
 */
export function registerAccessControl(app: FastifyInstance, deps: AccessDeps): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const decision = await decide(deps, request);
    if (decision.refuse !== undefined) return decision.refuse(reply);
    if (decision.principal !== undefined) request.principal = decision.principal;
    return undefined;
  });
}

/**
 * Whether a request let in earlier would still be: its token not revoked or expired, its gym still in
 * scope (a gym registered since to another tenant). Long-lived answers (the event stream) ask it now
 * and then, and end when it says no.
 */
export function accessStillHolds(deps: AccessDeps, request: FastifyRequest): Promise<boolean> {
  return decide(deps, request).then((decision) => decision.refuse === undefined);
}
