// Tenants kept apart by the API, on a real Redis with the api in-process: no secret (the bootstrap token,
// issued tokens, device passwords) reaches the logs or Redis; an erasure or a profile write reaches only
// the caller's tenant's athletes and lands in that tenant's audit log alone; expired tokens stop working
// and listings show when a token was last used. Tenant A owns gyms a1 and a2, tenant B owns b1.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiService } from '@neurolift/api';
import { redisKeys } from '@neurolift/contracts';
import { createLogger } from '@neurolift/platform';
import { tenancyKeys, type AuditEntry } from '@neurolift/tenancy';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness/servers.js';
import { apiRequest, expectStatus, startTenancyApi, type ApiAnswer, type TenancyApi } from './harness/tenancy-api.js';

const BOOTSTRAP = 'tenant-access-bootstrap-0123456789';
const keys = redisKeys('{tenant-access}');
const tenancy = tenancyKeys(keys.prefix);

const json = <T>(answer: ApiAnswer): T => JSON.parse(answer.body) as T;

interface IssuedToken {
  readonly token: string;
  readonly id: string;
}
interface ListedToken {
  readonly id: string;
  readonly tenant: string;
  readonly expiresAt?: string;
  readonly lastUsedAt?: string;
}

let tenancyApi: TenancyApi<'ta' | 'tb'>;
let redis: Redis;
let api: ApiService;
/** Every line the api's logger wrote, at every level. */
const logLines: string[] = [];
/** Every secret the run has seen: none may be logged or stored. */
const secrets = new Set<string>([BOOTSTRAP]);
const admin = { ta: { token: '', id: '' }, tb: { token: '', id: '' } };
let coachA1: IssuedToken;

async function issueToken(adminSecret: string, body: Record<string, unknown>): Promise<IssuedToken> {
  const issued = json<IssuedToken>(await expectStatus(apiRequest(api.url, 'POST', '/v1/tokens', { token: adminSecret, body }), 201, `issue ${JSON.stringify(body)}`));
  secrets.add(issued.token);
  return issued;
}

/** An athlete as the API finds it after a set at `gym`: its owner, the gym's athlete index, a profile and state. */
async function seedAthlete(athleteId: string, tenant: string | undefined, gym: string | undefined): Promise<void> {
  const multi = redis.multi();
  if (tenant !== undefined) multi.hset(tenancy.athleteTenants, athleteId, tenant);
  if (gym !== undefined) multi.zadd(keys.gymAthletes(gym), Date.now(), athleteId).sadd(keys.gyms, gym);
  await multi
    .set(keys.athleteProfile(athleteId), JSON.stringify({ bodyMassKg: 80 }))
    .zadd(keys.athleteOrder(athleteId), Date.now(), 'st1.set1')
    .hset(keys.athleteDaily(athleteId), '20000', '1.5')
    .exec();
}

const audit = async (token: string): Promise<AuditEntry[]> => json<{ entries: AuditEntry[] }>(await expectStatus(apiRequest(api.url, 'GET', '/v1/audit?limit=1000', { token }), 200, 'audit')).entries;
const tokensOf = async (token: string): Promise<ListedToken[]> => json<{ tokens: ListedToken[] }>(await expectStatus(apiRequest(api.url, 'GET', '/v1/tokens', { token }), 200, 'tokens')).tokens;

beforeAll(async () => {
  // The service's own logger at its most verbose, into memory.
  const logger = createLogger({ name: 'api', level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });
  // Each tenant comes with its first admin token, shown once to the operator.
  tenancyApi = await startTenancyApi({ prefix: keys.prefix, bootstrapToken: BOOTSTRAP, tenants: ['ta', 'tb'], logger, accessRecheckMs: 100 });
  ({ redis, api } = tenancyApi);
  for (const tenant of ['ta', 'tb'] as const) {
    admin[tenant] = tenancyApi.adminOf[tenant];
    secrets.add(admin[tenant].token);
  }
  // It is an admin token of that tenant, listed there.
  for (const tenant of ['ta', 'tb'] as const) expect((await tokensOf(admin[tenant].token)).find((token) => token.id === admin[tenant].id)).toMatchObject({ tenant });
  for (const [gym, tenant] of [['a1', 'ta'], ['a2', 'ta'], ['b1', 'tb']] as const) {
    await expectStatus(apiRequest(api.url, 'POST', '/v1/gyms', { token: admin[tenant].token, body: { id: gym } }), 201, `gym ${gym}`);
  }
  coachA1 = await issueToken(admin.ta.token, { role: 'coach', gyms: ['a1'], name: 'coach a1' });
  await waitFor(async () => ((await apiRequest(api.url, 'GET', '/v1/gyms/b1/live/snapshot', { token: admin.tb.token })).status === 200 ? true : undefined), {
    what: 'the registry view to hold gym b1',
  });
});

afterAll(async () => {
  await tenancyApi?.stop();
});

describe('secrets', () => {
  it('never reach the logs: valid, invalid and query-string tokens, token creation, device passwords', async () => {
    const viewer = await issueToken(admin.ta.token, { role: 'viewer', gyms: ['a1'], name: 'viewer a1' });
    const chosen = 'chosen-device-password-0123456789';
    const rotated = 'rotated-device-password-0123456789';
    secrets.add(chosen).add(rotated);
    const random = json<{ password: string }>(await expectStatus(apiRequest(api.url, 'POST', '/v1/devices', { token: admin.ta.token, body: { id: 'eq-1', kind: 'equipment', gyms: ['a1'] } }), 201, 'device'));
    secrets.add(random.password);
    await expectStatus(apiRequest(api.url, 'POST', '/v1/devices', { token: admin.ta.token, body: { id: 'wr-1', kind: 'wearable', gyms: ['a1', 'a2'], password: chosen } }), 201, 'device');
    await expectStatus(apiRequest(api.url, 'POST', '/v1/devices/wr-1/rotate', { token: admin.ta.token, body: { password: rotated } }), 200, 'rotate');
    secrets.add(json<{ password: string }>(await expectStatus(apiRequest(api.url, 'POST', '/v1/devices/eq-1/rotate', { token: admin.ta.token, body: {} }), 200, 'rotate')).password);
    const unknown = `nlt_${'Z'.repeat(43)}`;
    const garbage = 'not-a-token-but-secret-looking-0123456789';
    secrets.add(unknown).add(garbage);

    for (const token of [BOOTSTRAP, admin.ta.token, admin.tb.token, coachA1.token, viewer.token]) {
      expect((await apiRequest(api.url, 'GET', '/v1/gyms', { token })).status).toBe(200);
    }
    for (const token of [unknown, garbage]) expect((await apiRequest(api.url, 'GET', '/v1/gyms', { token })).status).toBe(401);
    // The event stream takes its token from the query (EventSource sends no headers); nothing else does.
    const live = await apiRequest(api.url, 'GET', `/v1/gyms/a1/live?token=${encodeURIComponent(coachA1.token)}`);
    expect({ status: live.status, type: live.headers['content-type'], snapshot: live.body.includes('event: snapshot\n') }).toEqual({
      status: 200,
      type: 'text/event-stream; charset=utf-8',
      snapshot: true,
    });
    expect((await apiRequest(api.url, 'GET', `/v1/gyms/a2/live?token=${encodeURIComponent(coachA1.token)}`)).status).toBe(404);
    expect((await apiRequest(api.url, 'GET', `/v1/gyms/a1/live?token=${unknown}`)).status).toBe(401);
    expect((await apiRequest(api.url, 'GET', `/v1/gyms/a1/live/snapshot?token=${encodeURIComponent(coachA1.token)}`)).status).toBe(401);
    expect((await apiRequest(api.url, 'GET', `/v1/no-such-route?token=${encodeURIComponent(coachA1.token)}`)).status).toBe(404);
    await seedAthlete('ath-logged', 'ta', 'a1');
    expect((await apiRequest(api.url, 'DELETE', '/v1/athletes/ath-logged', { token: admin.ta.token })).status).toBe(200);

    const logs = logLines.join('');
    // The capture works: the api logged its start and the erasure.
    expect(logs).toContain('api listening');
    expect(logs).toContain('athlete erasure');
    expect(secrets.size).toBeGreaterThanOrEqual(11);
    for (const secret of secrets) expect(logs.includes(secret), `a secret (${secret.slice(0, 6)}…) in the logs`).toBe(false);
  });

  it('are stored only as hashes: no key or value in Redis holds one', async () => {
    const issued = await issueToken(admin.tb.token, { role: 'admin', gyms: 'all', name: 'stored' });
    // The scan has something to find: every issued token is there, by its hash.
    expect(await redis.hget(tenancy.tokenHashes, createHash('sha256').update(issued.token).digest('hex'))).toBe(issued.id);
    const stored: string[] = [];
    for (const key of await redis.keys('*')) stored.push(key, await valueText(key));
    const text = stored.join('\n');
    expect(text).toContain(issued.id);
    for (const secret of secrets) expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) in Redis`).toBe(false);
  });
});

describe('erasure stays within the tenant', () => {
  it("B's admin gets 404 for A's athlete and erases nothing; A's admin erases it; only A's audit log shows it", async () => {
    await seedAthlete('ath-erase', 'ta', 'a1');
    const state = [keys.athleteProfile('ath-erase'), keys.athleteOrder('ath-erase'), keys.athleteDaily('ath-erase')];
    for (const token of [admin.tb.token, BOOTSTRAP]) {
      const answer = await apiRequest(api.url, 'DELETE', '/v1/athletes/ath-erase', { token });
      expect({ status: answer.status, body: json(answer) }).toEqual({ status: 404, body: { error: 'not_found', message: 'no such resource' } });
    }
    expect((await apiRequest(api.url, 'DELETE', '/v1/athletes/ath-erase', { token: coachA1.token })).status).toBe(403);
    expect(await redis.exists(...state)).toBe(state.length);
    expect(await redis.hget(tenancy.athleteTenants, 'ath-erase')).toBe('ta');
    expect(await redis.zscore(keys.gymAthletes('a1'), 'ath-erase')).not.toBeNull();

    const erased = await apiRequest(api.url, 'DELETE', '/v1/athletes/ath-erase', { token: admin.ta.token });
    expect(erased.status).toBe(200);
    expect(json<{ athleteId: string }>(erased).athleteId).toBe('ath-erase');
    expect(await redis.exists(...state)).toBe(0);
    expect(await redis.hget(tenancy.athleteTenants, 'ath-erase')).toBeNull();
    expect(await redis.zscore(keys.gymAthletes('a1'), 'ath-erase')).toBeNull();

    const ofA = (await audit(admin.ta.token)).filter((entry) => entry.target === 'ath-erase');
    expect(ofA.map(({ actor, action, detail }) => ({ actor, action, detail }))).toEqual([{ actor: admin.ta.id, action: 'athlete.erase', detail: 'completed' }]);
    for (const token of [admin.tb.token, BOOTSTRAP]) expect((await audit(token)).filter((entry) => entry.target === 'ath-erase')).toEqual([]);
  });
});

describe('profile writes', () => {
  it("a coach of a1 writes the profile of an athlete seen at a1, not of one seen only at a2 nor a new one", async () => {
    await seedAthlete('ath-p1', 'ta', 'a1');
    await seedAthlete('ath-p2', 'ta', 'a2');
    const profile = { bodyMassKg: 77, maxHr: 190 };
    expect((await apiRequest(api.url, 'PUT', '/v1/athletes/ath-p1/profile', { token: coachA1.token, body: profile })).status).toBe(200);
    expect(json(await expectStatus(apiRequest(api.url, 'GET', '/v1/athletes/ath-p1/profile', { token: coachA1.token }), 200, 'profile'))).toEqual(profile);

    expect((await apiRequest(api.url, 'PUT', '/v1/athletes/ath-p2/profile', { token: coachA1.token, body: profile })).status).toBe(404);
    expect(await redis.get(keys.athleteProfile('ath-p2'))).toBe(JSON.stringify({ bodyMassKg: 80 }));
    // Only an admin may take an athlete nobody owns yet.
    expect((await apiRequest(api.url, 'PUT', '/v1/athletes/ath-unseen/profile', { token: coachA1.token, body: profile })).status).toBe(404);
    expect(await redis.exists(keys.athleteProfile('ath-unseen'))).toBe(0);
    expect(await redis.hget(tenancy.athleteTenants, 'ath-unseen')).toBeNull();
  });

  it("B's admin creates a profile for a new athlete, which becomes B's: A then gets 404 for it", async () => {
    const profile = { bodyMassKg: 92 };
    expect((await apiRequest(api.url, 'PUT', '/v1/athletes/ath-new-b/profile', { token: admin.tb.token, body: profile })).status).toBe(200);
    expect(await redis.hget(tenancy.athleteTenants, 'ath-new-b')).toBe('tb');
    expect(json(await expectStatus(apiRequest(api.url, 'GET', '/v1/athletes/ath-new-b/profile', { token: admin.tb.token }), 200, 'profile'))).toEqual(profile);
    for (const token of [admin.ta.token, coachA1.token, BOOTSTRAP]) {
      expect((await apiRequest(api.url, 'GET', '/v1/athletes/ath-new-b/profile', { token })).status).toBe(404);
      expect((await apiRequest(api.url, 'PUT', '/v1/athletes/ath-new-b/profile', { token, body: { bodyMassKg: 50 } })).status).toBe(404);
    }
    expect(await redis.get(keys.athleteProfile('ath-new-b'))).toBe(JSON.stringify(profile));
    expect(await redis.hget(tenancy.athleteTenants, 'ath-new-b')).toBe('tb');

    const writes = (entries: AuditEntry[]) => entries.filter((entry) => entry.target === 'ath-new-b').map(({ actor, action }) => ({ actor, action }));
    expect(writes(await audit(admin.tb.token))).toEqual([{ actor: admin.tb.id, action: 'profile.write' }]);
    expect(writes(await audit(admin.ta.token))).toEqual([]);
  });

  it("an athlete stored before tenancy (state, no owner) is the default tenant's: nobody else may read or claim it", async () => {
    await seedAthlete('ath-legacy', undefined, undefined);
    expect((await apiRequest(api.url, 'GET', '/v1/athletes/ath-legacy/profile', { token: BOOTSTRAP })).status).toBe(200);
    for (const token of [admin.ta.token, admin.tb.token]) {
      expect((await apiRequest(api.url, 'GET', '/v1/athletes/ath-legacy/profile', { token })).status).toBe(404);
      expect((await apiRequest(api.url, 'PUT', '/v1/athletes/ath-legacy/profile', { token, body: { bodyMassKg: 60 } })).status).toBe(404);
    }
    expect(await redis.hget(tenancy.athleteTenants, 'ath-legacy')).toBeNull();
    expect(await redis.get(keys.athleteProfile('ath-legacy'))).toBe(JSON.stringify({ bodyMassKg: 80 }));
  });
});

describe('token lifetime', () => {
  it('an expired token gets 401, on headers and on the query string; a token in the past is refused', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const token = await issueToken(admin.ta.token, { role: 'viewer', gyms: ['a1'], name: 'short', expiresAt });
    expect((await tokensOf(admin.ta.token)).find((listed) => listed.id === token.id)?.expiresAt).toBe(expiresAt);
    expect((await apiRequest(api.url, 'GET', '/v1/gyms/a1/live/snapshot', { token: token.token })).status).toBe(200);
    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now() + 50));
    const refused = await apiRequest(api.url, 'GET', '/v1/gyms/a1/live/snapshot', { token: token.token });
    expect({ status: refused.status, challenge: refused.headers['www-authenticate'] }).toEqual({ status: 401, challenge: 'Bearer' });
    expect((await apiRequest(api.url, 'GET', `/v1/gyms/a1/live?token=${encodeURIComponent(token.token)}`)).status).toBe(401);

    const past = await apiRequest(api.url, 'POST', '/v1/tokens', { token: admin.ta.token, body: { role: 'viewer', name: 'late', expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect(past.status).toBe(400);
  });

  it('listings show lastUsedAt once a token has been used, and never a hash or a secret', async () => {
    const token = await issueToken(admin.ta.token, { role: 'coach', gyms: ['a1', 'a2'], name: 'last use' });
    const unused = (await tokensOf(admin.ta.token)).find((listed) => listed.id === token.id);
    expect(unused).toBeDefined();
    expect(unused?.lastUsedAt).toBeUndefined();

    const before = Date.now();
    expect((await apiRequest(api.url, 'GET', '/v1/gyms', { token: token.token })).status).toBe(200);
    const after = Date.now();
    const listing = await expectStatus(apiRequest(api.url, 'GET', '/v1/tokens', { token: admin.ta.token }), 200, 'tokens');
    const used = json<{ tokens: ListedToken[] }>(listing).tokens.find((listed) => listed.id === token.id);
    const lastUsed = Date.parse(used?.lastUsedAt ?? '');
    expect(lastUsed).toBeGreaterThanOrEqual(before);
    expect(lastUsed).toBeLessThanOrEqual(after);
    expect(listing.body).not.toContain('"hash"');
    expect(listing.body).not.toContain(token.token);
  });

  it("a revoked token gets 401 at once; another tenant's admin cannot revoke it", async () => {
    const token = await issueToken(admin.ta.token, { role: 'viewer', gyms: 'all', name: 'to revoke' });
    expect((await apiRequest(api.url, 'DELETE', `/v1/tokens/${token.id}`, { token: admin.tb.token })).status).toBe(404);
    expect((await apiRequest(api.url, 'GET', '/v1/gyms', { token: token.token })).status).toBe(200);
    expect((await apiRequest(api.url, 'DELETE', `/v1/tokens/${token.id}`, { token: admin.ta.token })).status).toBe(200);
    expect((await apiRequest(api.url, 'GET', '/v1/gyms', { token: token.token })).status).toBe(401);
    expect((await tokensOf(admin.ta.token)).some((listed) => listed.id === token.id)).toBe(false);
  });
});

describe('gyms', () => {
  it("a gym with history but no registration stays the default tenant's: another tenant cannot register it", async () => {
    await redis.sadd(keys.gyms, 'g-legacy');
    expect((await apiRequest(api.url, 'POST', '/v1/gyms', { token: admin.tb.token, body: { id: 'g-legacy' } })).status).toBe(409);
    expect((await apiRequest(api.url, 'POST', '/v1/devices', { token: admin.tb.token, body: { id: 'rack-legacy', kind: 'equipment', gyms: ['g-legacy'] } })).status).toBe(409);
    expect(await redis.hget(tenancy.gyms, 'g-legacy')).toBeNull();
    expect((await apiRequest(api.url, 'GET', '/v1/gyms/g-legacy/live/snapshot', { token: BOOTSTRAP })).status).toBe(200);
    expect((await apiRequest(api.url, 'GET', '/v1/gyms/g-legacy/live/snapshot', { token: admin.tb.token })).status).toBe(404);
  });

  it('a gym that only had data (no set closed yet) is protected the same way; the default tenant scopes tokens to its unregistered gyms', async () => {
    await redis.sadd(tenancy.gymsSeen, 'g-seen');
    expect((await apiRequest(api.url, 'POST', '/v1/gyms', { token: admin.tb.token, body: { id: 'g-seen' } })).status).toBe(409);
    const coach = await apiRequest(api.url, 'POST', '/v1/tokens', { token: BOOTSTRAP, body: { role: 'coach', gyms: ['g-seen', 'never-seen'], name: 'open-mode coach' } });
    expect(coach.status).toBe(201);
    secrets.add(json<IssuedToken>(coach).token);
    expect((await apiRequest(api.url, 'POST', '/v1/tokens', { token: BOOTSTRAP, body: { role: 'coach', gyms: ['b1'], name: 'not ours' } })).status).toBe(400);
  });

  it('tenants: "default" is not a new tenant, and a bucket is one tenant\'s only', async () => {
    expect((await apiRequest(api.url, 'POST', '/v1/tenants', { token: BOOTSTRAP, body: { id: 'default', name: 'again', bucket: 'elsewhere' } })).status).toBe(400);
    expect((await apiRequest(api.url, 'POST', '/v1/tenants', { token: BOOTSTRAP, body: { id: 'tc', name: 'C', bucket: 'ta' } })).status).toBe(409);
  });

  it('a missing profile answers exactly like one out of scope', async () => {
    const missing = await apiRequest(api.url, 'GET', '/v1/athletes/nobody-at-all/profile', { token: admin.ta.token });
    const foreign = await apiRequest(api.url, 'GET', '/v1/athletes/nobody-at-all/profile', { token: admin.tb.token });
    expect([missing.status, missing.body]).toEqual([foreign.status, foreign.body]);
    await seedAthlete('ath-b-only', 'tb', 'b1');
    const outOfScope = await apiRequest(api.url, 'GET', '/v1/athletes/ath-b-only/profile', { token: admin.ta.token });
    await redis.del(keys.athleteProfile('ath-b-only'));
    const noProfile = await apiRequest(api.url, 'GET', '/v1/athletes/ath-b-only/profile', { token: admin.tb.token });
    expect([outOfScope.status, outOfScope.body]).toEqual([noProfile.status, noProfile.body]);
  });

  it("a device may not take a pipeline service's client id", async () => {
    for (const id of ['neurolift-ingest-1', 'neurolift-alerts', 'alerts']) {
      expect((await apiRequest(api.url, 'POST', '/v1/devices', { token: admin.ta.token, body: { id, kind: 'equipment', gyms: ['a1'] } })).status).toBe(400);
    }
  });

  it('a refused device registers none of its gyms', async () => {
    await expectStatus(apiRequest(api.url, 'POST', '/v1/devices', { token: admin.ta.token, body: { id: 'rack-dup', kind: 'equipment', gyms: ['a1'] } }), 201, 'device rack-dup');
    // Its id is taken (by another tenant), and b1 is another tenant's: both refused, and the new gyms named with them stay free.
    expect((await apiRequest(api.url, 'POST', '/v1/devices', { token: admin.tb.token, body: { id: 'rack-dup', kind: 'equipment', gyms: ['free-gym-1'] } })).status).toBe(409);
    expect((await apiRequest(api.url, 'POST', '/v1/devices', { token: admin.ta.token, body: { id: 'band-x', kind: 'wearable', gyms: ['free-gym-2', 'b1'] } })).status).toBe(409);
    expect(await redis.hmget(tenancy.gyms, 'free-gym-1', 'free-gym-2')).toEqual([null, null]);
  });
});

describe('listings', () => {
  it("show only the caller's tenant, and a limited token only its gyms", async () => {
    const gyms = async (token: string): Promise<string[]> => json<{ gyms: string[] }>(await expectStatus(apiRequest(api.url, 'GET', '/v1/gyms', { token }), 200, 'gyms')).gyms.sort();
    expect(await gyms(admin.ta.token)).toEqual(['a1', 'a2']);
    expect(await gyms(coachA1.token)).toEqual(['a1']);
    expect(await gyms(admin.tb.token)).toEqual(['b1']);
    expect(await gyms(BOOTSTRAP)).toEqual([]);

    await expectStatus(apiRequest(api.url, 'POST', '/v1/devices', { token: admin.tb.token, body: { id: 'eq-b', kind: 'equipment', gyms: ['b1'] } }), 201, 'device of B');
    const devices = async (token: string): Promise<string[]> =>
      json<{ devices: Array<{ id: string; tenant: string }> }>(await expectStatus(apiRequest(api.url, 'GET', '/v1/devices', { token }), 200, 'devices')).devices.map((device) => `${device.tenant}/${device.id}`);
    expect(await devices(admin.tb.token)).toEqual(['tb/eq-b']);
    // Non-empty lists (A's device rack-dup, each tenant's first admin token), each of its own tenant only.
    const devicesOfA = await devices(admin.ta.token);
    expect(devicesOfA).toContain('ta/rack-dup');
    expect(devicesOfA.filter((device) => !device.startsWith('ta/'))).toEqual([]);
    for (const tenant of ['ta', 'tb'] as const) {
      const tokens = await tokensOf(admin[tenant].token);
      expect(tokens.map((token) => token.id)).toContain(admin[tenant].id);
      expect(tokens.filter((token) => token.tenant !== tenant)).toEqual([]);
    }
  });
});

/** Opens a gym's event stream with `?token=`; resolves with its status and a promise of its end (the server closing it). */
function openStream(gym: string, token: string): Promise<{ status: number; ended: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(`/v1/gyms/${gym}/live?token=${encodeURIComponent(token)}`, api.url), { agent: false }, (res) => {
      res.resume();
      const ended = new Promise<void>((done) => res.once('close', () => done()));
      resolve({ status: res.statusCode ?? 0, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

// Last: it registers a gym to B, which the listings above do not expect.
describe('open event streams', () => {
  it('end once their token is revoked', async () => {
    const viewer = await issueToken(admin.ta.token, { role: 'viewer', gyms: ['a1'], name: 'viewer to revoke' });
    const stream = await openStream('a1', viewer.token);
    expect(stream.status).toBe(200);
    await expectStatus(apiRequest(api.url, 'DELETE', `/v1/tokens/${viewer.id}`, { token: admin.ta.token }), 200, 'revoke');
    await stream.ended; // the test's timeout bounds it; the re-check runs every 100 ms here
  });

  it("end once their gym becomes another tenant's", async () => {
    const viewer = await issueToken(BOOTSTRAP, { role: 'viewer', gyms: 'all', name: 'default viewer' });
    const stream = await openStream('future-gym', viewer.token); // unregistered: the default tenant's
    expect(stream.status).toBe(200);
    await expectStatus(apiRequest(api.url, 'POST', '/v1/gyms', { token: admin.tb.token, body: { id: 'future-gym' } }), 201, 'B registers it');
    await stream.ended;
    expect((await apiRequest(api.url, 'GET', '/v1/gyms/future-gym/live/snapshot', { token: viewer.token })).status).toBe(404);
  });
});

/** A key's whole value as text, whatever its type. */
async function valueText(key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      throw new Error(`${key}: unexpected type ${type}`);
  }
}
