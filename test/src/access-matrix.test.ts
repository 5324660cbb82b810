// Who may call what, for every route of the API: one table below gives each route's request (its path
// parameters taken from a target's resources, or fresh ones for the routes that destroy them, and the
// body it needs) and the status every caller must get for each target. The api runs in-process on a real
// Redis with two tenants: A owns gyms a1 and a2, B owns b1; the bootstrap token is the default tenant's
// admin and the operator. The table must name exactly the routes the app serves and ROUTE_ACCESS lists.
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApi, type ApiService } from '@neurolift/api';
import { redisKeys } from '@neurolift/contracts';
import { createLogger, createRegistry } from '@neurolift/platform';
import { tenancyKeys } from '@neurolift/tenancy';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness/servers.js';
import { apiRequest, expectStatus, startTenancyApi, type TenancyApi } from './harness/tenancy-api.js';

const BOOTSTRAP = 'access-matrix-bootstrap-0123456789';
const keys = redisKeys('{access}');
const tenancy = tenancyKeys(keys.prefix);

type Caller = 'none' | 'bad' | 'expired' | 'revoked' | 'bootstrap' | 'adminA' | 'coachA1' | 'viewerA1' | 'adminB';
const CALLERS: readonly Caller[] = ['none', 'bad', 'expired', 'revoked', 'bootstrap', 'adminA', 'coachA1', 'viewerA1', 'adminB'];

/** Whose resource a request is about: A's gym a1 (the coach's and viewer's), A's a2, B's b1. */
type Target = 'a1' | 'a2' | 'b1';
const TARGETS: readonly Target[] = ['a1', 'a2', 'b1'];
const TENANT_OF: Readonly<Record<Target, 'ta' | 'tb'>> = { a1: 'ta', a2: 'ta', b1: 'tb' };

/** A status for every target, or one per target. */
type Expect = number | Readonly<Record<Target, number>>;
const t = (a1: number, a2: number, b1: number): Expect => ({ a1, a2, b1 });

/** What a row's request may need for a target beyond its shared resources. */
interface TargetContext {
  readonly gym: string;
  /** A fresh id, unique in the run. */
  readonly unique: (prefix: string) => string;
}

/** A path parameter made anew for each request (the request destroys it). */
type FreshParam = 'deviceId' | 'tokenId' | 'athleteId';

interface Row {
  /** The route as ROUTE_ACCESS names it: `METHOD /path/:param`. */
  readonly route: string;
  readonly query?: string;
  readonly body?: (target: TargetContext) => unknown;
  readonly fresh?: FreshParam;
  readonly expect: Readonly<Record<Caller, Expect>>;
}

const PUBLIC: Readonly<Record<Caller, Expect>> = Object.fromEntries(CALLERS.map((caller) => [caller, 200])) as Record<Caller, Expect>;
/** Every caller without a valid token gets 401 before anything else is looked at. */
const withToken = (valid: Readonly<Record<'bootstrap' | 'adminA' | 'coachA1' | 'viewerA1' | 'adminB', Expect>>): Readonly<Record<Caller, Expect>> => ({
  none: 401,
  bad: 401,
  expired: 401,
  revoked: 401,
  ...valid,
});

/**
 * The matrix. Path parameters come from the target: gymId a1/a2/b1, athleteId one seen at that gym (and
 * owned by its tenant), deviceId one of its tenant's devices at that gym; `fresh` ones are made per request
 * in the target's tenant. Out of scope answers 404 (never 403): a resource of another tenant or gym is
 * indistinguishable from none.
 */
const MATRIX: readonly Row[] = [
  { route: 'GET /healthz', expect: PUBLIC },
  { route: 'GET /readyz', expect: PUBLIC },
  { route: 'GET /metrics', expect: PUBLIC },
  { route: 'GET /console', query: 'gym=a1', expect: PUBLIC },
  { route: 'GET /console/console.js', expect: PUBLIC },
  { route: 'GET /console/console.css', expect: PUBLIC },

  {
    route: 'GET /v1/gyms/:gymId/live/snapshot',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: t(200, 404, 404), viewerA1: t(200, 404, 404), adminB: t(404, 404, 200) }),
  },
  {
    route: 'GET /v1/gyms/:gymId/live',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: t(200, 404, 404), viewerA1: t(200, 404, 404), adminB: t(404, 404, 200) }),
  },
  { route: 'GET /v1/gyms', expect: withToken({ bootstrap: 200, adminA: 200, coachA1: 200, viewerA1: 200, adminB: 200 }) },
  {
    // Registering a gym again is a no-op for its owner; another tenant's gym is a conflict that names no owner.
    route: 'POST /v1/gyms',
    body: ({ gym }) => ({ id: gym }),
    expect: withToken({ bootstrap: 409, adminA: t(201, 201, 409), coachA1: 403, viewerA1: 403, adminB: t(409, 409, 201) }),
  },

  {
    route: 'GET /v1/athletes/:athleteId/profile',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: t(200, 404, 404), viewerA1: 403, adminB: t(404, 404, 200) }),
  },
  {
    route: 'PUT /v1/athletes/:athleteId/profile',
    body: () => ({ bodyMassKg: 81 }),
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: t(200, 404, 404), viewerA1: 403, adminB: t(404, 404, 200) }),
  },
  {
    route: 'DELETE /v1/athletes/:athleteId',
    fresh: 'athleteId',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },

  { route: 'GET /v1/dead-letters', expect: withToken({ bootstrap: 200, adminA: 200, coachA1: 403, viewerA1: 403, adminB: 200 }) },
  { route: 'GET /v1/audit', expect: withToken({ bootstrap: 200, adminA: 200, coachA1: 403, viewerA1: 403, adminB: 200 }) },

  { route: 'GET /v1/devices', expect: withToken({ bootstrap: 200, adminA: 200, coachA1: 403, viewerA1: 403, adminB: 200 }) },
  {
    route: 'POST /v1/devices',
    body: ({ gym, unique }) => ({ id: unique('new-dev'), kind: 'equipment', gyms: [gym] }),
    expect: withToken({ bootstrap: 409, adminA: t(201, 201, 409), coachA1: 403, viewerA1: 403, adminB: t(409, 409, 201) }),
  },
  {
    route: 'GET /v1/devices/:deviceId',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },
  {
    route: 'DELETE /v1/devices/:deviceId',
    fresh: 'deviceId',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },
  {
    route: 'POST /v1/devices/:deviceId/disable',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },
  {
    route: 'POST /v1/devices/:deviceId/enable',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },
  {
    route: 'POST /v1/devices/:deviceId/rotate',
    body: () => ({}),
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },

  { route: 'GET /v1/tokens', expect: withToken({ bootstrap: 200, adminA: 200, coachA1: 403, viewerA1: 403, adminB: 200 }) },
  {
    // A token may only name gyms of the caller's tenant.
    route: 'POST /v1/tokens',
    body: ({ gym }) => ({ role: 'viewer', gyms: [gym], name: 'matrix' }),
    expect: withToken({ bootstrap: 400, adminA: t(201, 201, 400), coachA1: 403, viewerA1: 403, adminB: t(400, 400, 201) }),
  },
  {
    route: 'DELETE /v1/tokens/:tokenId',
    fresh: 'tokenId',
    expect: withToken({ bootstrap: 404, adminA: t(200, 200, 404), coachA1: 403, viewerA1: 403, adminB: t(404, 404, 200) }),
  },

  { route: 'GET /v1/tenants', expect: withToken({ bootstrap: 200, adminA: 403, coachA1: 403, viewerA1: 403, adminB: 403 }) },
  {
    route: 'POST /v1/tenants',
    body: ({ unique }) => {
      const id = unique('tenant');
      return { id, name: `Tenant ${id}`, bucket: id };
    },
    expect: withToken({ bootstrap: 201, adminA: 403, coachA1: 403, viewerA1: 403, adminB: 403 }),
  },
];

let tenancyApi: TenancyApi<'ta' | 'tb'>;
let redis: Redis;
let api: ApiService;
const secrets = new Map<Caller, string | undefined>();
/** Each tenant's admin secret: what makes the fresh resources. */
const adminOf: Record<'ta' | 'tb', string> = { ta: '', tb: '' };
let counter = 0;
const unique = (prefix: string): string => `${prefix}-${++counter}`;

/** Issues a token as `adminSecret`'s tenant through the API; returns its secret and id. */
async function issueToken(adminSecret: string, body: Record<string, unknown>): Promise<{ token: string; id: string }> {
  const answer = await expectStatus(apiRequest(api.url, 'POST', '/v1/tokens', { token: adminSecret, body }), 201, `issue token ${JSON.stringify(body)}`);
  return JSON.parse(answer.body) as { token: string; id: string };
}

/** An athlete as the API finds it after a set at `gym`: its owner, the gym's athlete index and a profile. */
async function seedAthlete(athleteId: string, tenant: string, gym: string): Promise<void> {
  await redis
    .multi()
    .hset(tenancy.athleteTenants, athleteId, tenant)
    .zadd(keys.gymAthletes(gym), Date.now(), athleteId)
    .sadd(keys.gyms, gym)
    .set(keys.athleteProfile(athleteId), JSON.stringify({ bodyMassKg: 80 }))
    .exec();
}

/** The shared resources of each target: its gym, an athlete seen there, a device of its tenant there. */
const athleteAt = (target: Target): string => `ath-${target}`;
const deviceAt = (target: Target): string => `dev-${target}`;

async function freshParam(kind: FreshParam, target: Target): Promise<string> {
  const admin = adminOf[TENANT_OF[target]];
  switch (kind) {
    case 'athleteId': {
      const id = unique(`ath-${target}`);
      await seedAthlete(id, TENANT_OF[target], target);
      return id;
    }
    case 'deviceId': {
      const id = unique(`dev-${target}`);
      await expectStatus(apiRequest(api.url, 'POST', '/v1/devices', { token: admin, body: { id, kind: 'equipment', gyms: [target] } }), 201, `device ${id}`);
      return id;
    }
    case 'tokenId':
      return (await issueToken(admin, { role: 'viewer', gyms: [target], name: 'to revoke' })).id;
  }
}

async function pathOf(row: Row, target: Target): Promise<string> {
  const path = row.route.slice(row.route.indexOf(' ') + 1);
  const shared: Readonly<Record<string, string>> = { gymId: target, athleteId: athleteAt(target), deviceId: deviceAt(target) };
  const fresh = row.fresh === undefined ? undefined : await freshParam(row.fresh, target);
  const filled = path.replace(/:(\w+)/g, (_match, name: string) => {
    const value = name === row.fresh ? fresh : shared[name];
    if (value === undefined) throw new Error(`${row.route}: no value for :${name}`);
    return value;
  });
  return row.query === undefined ? filled : `${filled}?${row.query}`;
}

beforeAll(async () => {
  tenancyApi = await startTenancyApi({ prefix: keys.prefix, bootstrapToken: BOOTSTRAP, tenants: ['ta', 'tb'], logger: createLogger({ name: 'access-matrix', level: 'error' }) });
  ({ redis, api } = tenancyApi);
  adminOf.ta = tenancyApi.adminOf.ta.token;
  adminOf.tb = tenancyApi.adminOf.tb.token;
  for (const target of TARGETS) {
    await expectStatus(apiRequest(api.url, 'POST', '/v1/gyms', { token: adminOf[TENANT_OF[target]], body: { id: target } }), 201, `gym ${target}`);
    await expectStatus(
      apiRequest(api.url, 'POST', '/v1/devices', { token: adminOf[TENANT_OF[target]], body: { id: deviceAt(target), kind: 'equipment', gyms: [target] } }),
      201,
      `device at ${target}`,
    );
    await seedAthlete(athleteAt(target), TENANT_OF[target], target);
  }

  const expiresAt = Date.now() + 1500;
  const expired = await issueToken(adminOf.ta, { role: 'admin', gyms: 'all', name: 'expires soon', expiresAt: new Date(expiresAt).toISOString() });
  const revoked = await issueToken(adminOf.ta, { role: 'admin', gyms: 'all', name: 'revoked' });
  // Both worked until now: their 401s below come from the expiry and the revocation alone.
  for (const secret of [expired.token, revoked.token]) await expectStatus(apiRequest(api.url, 'GET', '/v1/devices', { token: secret }), 200, 'a token before its end');
  await expectStatus(apiRequest(api.url, 'DELETE', `/v1/tokens/${revoked.id}`, { token: adminOf.ta }), 200, 'revoke');
  secrets.set('none', undefined);
  secrets.set('bad', `nlt_${'A'.repeat(43)}`);
  secrets.set('expired', expired.token);
  secrets.set('revoked', revoked.token);
  secrets.set('bootstrap', BOOTSTRAP);
  secrets.set('adminA', adminOf.ta);
  secrets.set('coachA1', (await issueToken(adminOf.ta, { role: 'coach', gyms: ['a1'], name: 'coach a1' })).token);
  secrets.set('viewerA1', (await issueToken(adminOf.ta, { role: 'viewer', gyms: ['a1'], name: 'viewer a1' })).token);
  secrets.set('adminB', adminOf.tb);

  // The gym scope reads the API's in-memory registry view: wait until it has every gym.
  await waitFor(
    async () => {
      const seen = await Promise.all(TARGETS.map((gym) => apiRequest(api.url, 'GET', `/v1/gyms/${gym}/live/snapshot`, { token: adminOf[TENANT_OF[gym]] })));
      return seen.every((answer) => answer.status === 200) ? true : undefined;
    },
    { what: 'the registry view to hold gyms a1, a2 and b1' },
  );
  await sleep(Math.max(0, expiresAt - Date.now() + 50));
});

afterAll(async () => {
  await tenancyApi?.stop();
});

describe('the route table', () => {
  it('names exactly the routes the app serves and the routes ROUTE_ACCESS lists', async () => {
    const rows = MATRIX.map((row) => row.route).sort();
    expect(new Set(rows).size, 'a route twice in the matrix').toBe(rows.length);
    expect(rows).toEqual(await appRoutes());
    expect(rows).toEqual(await accessTableRoutes());
  });
});

describe('access matrix: route × caller × target', () => {
  for (const row of MATRIX) {
    it(row.route, async () => {
      const method = row.route.slice(0, row.route.indexOf(' '));
      const got: Record<string, Record<Target, number>> = {};
      const want: Record<string, Record<Target, number>> = {};
      for (const caller of CALLERS) {
        const expected = row.expect[caller];
        want[caller] = typeof expected === 'number' ? { a1: expected, a2: expected, b1: expected } : { ...expected };
        const statuses: Partial<Record<Target, number>> = {};
        for (const target of TARGETS) {
          const path = await pathOf(row, target);
          const token = secrets.get(caller);
          const body = row.body?.({ gym: target, unique });
          const answer = await apiRequest(api.url, method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });
          statuses[target] = answer.status;
        }
        got[caller] = { a1: statuses.a1 ?? 0, a2: statuses.a2 ?? 0, b1: statuses.b1 ?? 0 };
      }
      expect(got).toEqual(want);
    });
  }
});

describe('out of scope looks like nothing at all', () => {
  it('answers an admin of A for B resources exactly as for ones that do not exist', async () => {
    const pairs: Array<[string, string, string]> = [
      ['GET', '/v1/gyms/b1/live/snapshot', '/v1/gyms/no-such-gym/live/snapshot'],
      ['GET', '/v1/athletes/ath-b1/profile', '/v1/athletes/no-such-athlete/profile'],
      ['DELETE', '/v1/athletes/ath-b1', '/v1/athletes/no-such-athlete'],
      ['GET', '/v1/devices/dev-b1', '/v1/devices/no-such-device'],
      ['POST', '/v1/devices/dev-b1/disable', '/v1/devices/no-such-device/disable'],
      ['DELETE', '/v1/devices/dev-b1', '/v1/devices/no-such-device'],
    ];
    const tokenOfB = await issueToken(adminOf.tb, { role: 'viewer', gyms: 'all', name: 'of B' });
    pairs.push(['DELETE', `/v1/tokens/${tokenOfB.id}`, '/v1/tokens/tok_0000000000000000']);
    for (const [method, foreign, missing] of pairs) {
      const [a, b] = await Promise.all([apiRequest(api.url, method, foreign, { token: adminOf.ta }), apiRequest(api.url, method, missing, { token: adminOf.ta })]);
      expect({ status: a.status, body: a.body }, `${method} ${foreign}`).toEqual({ status: 404, body: b.body });
    }
    // Nothing of B's was touched.
    expect((await apiRequest(api.url, 'GET', '/v1/devices/dev-b1', { token: adminOf.tb })).status).toBe(200);
    expect((await apiRequest(api.url, 'GET', '/v1/athletes/ath-b1/profile', { token: adminOf.tb })).status).toBe(200);
    expect((await apiRequest(api.url, 'GET', '/v1/tokens', { token: adminOf.tb })).body).toContain(tokenOfB.id);
  });
});

/** Every `METHOD /path` the app built by buildApi serves (HEAD left out where Fastify adds it to a GET). */
async function appRoutes(): Promise<string[]> {
  // The same buildApi startApi calls; listing routes calls none of the dependencies, so none is wired.
  const app = buildApi({
    access: unused('access'),
    admin: unused('admin'),
    registryStore: unused('registryStore'),
    audit: unused('audit'),
    owners: unused('owners'),
    deadLetters: unused('deadLetters'),
    profiles: unused('profiles'),
    erasure: unused('erasure'),
    liveState: unused('liveState'),
    liveFeed: unused('liveFeed'),
    registry: createRegistry({ defaultMetrics: false }),
    checks: unused('checks'),
  });
  try {
    await app.ready();
    const routes = routesOfTree(app.printRoutes({ commonPrefix: false }));
    const withoutHead = routes.filter((route) => !(route.startsWith('HEAD ') && routes.includes(`GET ${route.slice(5)}`)));
    // The parse is checked against Fastify's own lookup, so a change of the tree's format cannot hide a route.
    for (const route of withoutHead) {
      const [method = '', url = ''] = route.split(' ');
      expect(app.hasRoute({ method, url }), route).toBe(true);
    }
    return withoutHead.sort();
  } finally {
    await app.close();
  }
}

/** Parses Fastify's route tree (`├── /path (GET, HEAD)`, children indented by 4) into `METHOD /full/path`. */
function routesOfTree(tree: string): string[] {
  const routes: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (match === null) throw new Error(`unexpected line in the route tree: ${line}`);
    const depth = (match[1] ?? '').length / 4;
    const path = `${depth === 0 ? '' : (paths[depth - 1] ?? '')}${match[2] ?? ''}`;
    paths.length = depth;
    paths.push(path);
    for (const method of match[3]?.split(', ') ?? []) routes.push(`${method} ${path}`);
  }
  return routes;
}

/** The keys of ROUTE_ACCESS, read from its module (the package exports only its entry point). */
async function accessTableRoutes(): Promise<string[]> {
  const url = new URL('../../services/api/src/access/route-access.ts', import.meta.url).href;
  const module: unknown = await import(url);
  if (typeof module !== 'object' || module === null || !('ROUTE_ACCESS' in module) || typeof module.ROUTE_ACCESS !== 'object' || module.ROUTE_ACCESS === null) {
    throw new Error(`${url} has no ROUTE_ACCESS`);
  }
  return Object.keys(module.ROUTE_ACCESS).sort();
}

/** A dependency the route listing must not call: every method throws, naming it. */
function unused<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) =>
      property === 'then'
        ? undefined
        : () => {
            throw new Error(`${name}.${String(property)} called while only listing routes`);
          },
  });
}
