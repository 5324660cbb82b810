// The api with REDIS_SHARDS=4 on one plain Redis (hash tags need no cluster): a gym's live state and live
// events are read in the shard of its tenant and id, an athlete's heart rate, profile and owner in the
// athlete's; dead letters spread over shards are listed merged newest first and counted summed; erasing an
// athlete removes its keys in its shard and its entries in a gym's keys in another shard.
import { get } from 'node:http';
import { ApiServiceConfigSchema, startApi, type ApiService } from '@neurolift/api';
import { DEFAULT_TENANT, LiveStation, redisKeys, shardLayout, type LiveEvent } from '@neurolift/contracts';
import { createLogger, createRegistry, loadConfig } from '@neurolift/platform';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';
import { apiRequest, expectStatus } from './harness/tenancy-api.js';

const PREFIX = '{shd}';
const SHARDS = 4;
const TOKEN = 'api-shards-bootstrap-0123456789';
const TENANT_B = 'chain-b';
const layout = shardLayout(PREFIX, SHARDS);
const control = redisKeys(PREFIX);
const NOW = Date.now();

/** The first `<stem>-<n>` that `fits`: the hash is pinned, so these are the same ids every run. */
function firstId(stem: string, fits: (id: string) => boolean): string {
  for (let i = 0; i < 1000; i++) if (fits(`${stem}-${i}`)) return `${stem}-${i}`;
  throw new Error(`no ${stem} id fits`);
}
/** Tenant B's gym: in a shard other than the one the same id would have as the default tenant's. */
const GYM_B = firstId('gym-b', (gymId) => layout.gymShard(TENANT_B, gymId) !== layout.gymShard(DEFAULT_TENANT, gymId));
const ATHLETE_B = firstId('ath-b', (athleteId) => layout.athleteShard(athleteId) !== layout.gymShard(TENANT_B, GYM_B));
/** The athlete erased, and an unregistered (default tenant's) gym in another shard. */
const ATHLETE = firstId('ath-erase', () => true);
const GYM = firstId('gym-e', (gymId) => layout.gymShard(DEFAULT_TENANT, gymId) !== layout.athleteShard(ATHLETE));
const OTHER = 'ath-stays';

let servers: LocalServices<'redis'>;
let redis: Redis;
let api: ApiService;
let tokenB: string;

beforeAll(async () => {
  servers = await startServers({ services: ['redis'] });
  redis = new Redis(servers.env.REDIS_URL);
  const env = {
    REDIS_URL: servers.env.REDIS_URL,
    REDIS_PREFIX: PREFIX,
    REDIS_SHARDS: String(SHARDS),
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    API_TOKEN: TOKEN,
    TSDB_DELETE_API: 'none',
    REGISTRY_POLL_MS: '50',
  };
  api = await startApi(loadConfig('api', ApiServiceConfigSchema, env), createLogger({ name: 'api', level: 'error' }), { registry: createRegistry({ defaultMetrics: false }) });
  const tenant = await expectStatus(apiRequest(api.url, 'POST', '/v1/tenants', { token: TOKEN, body: { id: TENANT_B, name: 'Chain B', bucket: TENANT_B } }), 201, 'tenant');
  tokenB = (JSON.parse(tenant.body) as { adminToken: { token: string } }).adminToken.token;
  await expectStatus(apiRequest(api.url, 'POST', '/v1/gyms', { token: tokenB, body: { id: GYM_B } }), 201, 'gym of B');
});

afterAll(async () => {
  await api?.close();
  await redis?.quit();
  await servers?.stop();
});

function liveStation(gymId: string, stationId: string, athleteId: string): LiveStation {
  return LiveStation.parse({
    gymId,
    stationId,
    athleteId,
    setId: 's1',
    exercise: 'back_squat',
    loadKg: 100,
    reps: [{ repIndex: 1, meanVelocity: 0.6, ts: NOW }],
    velocityLossPct: 0,
    fatigueAmberPct: 30,
    fatigueRedPct: 40,
    open: true,
    updatedAt: NOW,
  });
}

/** Opens the gym's event stream, waits for its snapshot, runs `afterSnapshot`, and resolves with the first `station` event. */
function nextStationEvent(gymId: string, token: string, afterSnapshot: () => Promise<void>): Promise<LiveStation> {
  return new Promise((resolve, reject) => {
    const req = get(new URL(`/v1/gyms/${gymId}/live`, api.url), { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let buffer = '';
      let snapshotSeen = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event === 'snapshot' && !snapshotSeen) {
            snapshotSeen = true;
            afterSnapshot().catch(reject);
          } else if (event === 'station' && data !== undefined) {
            res.destroy();
            resolve(LiveStation.parse(JSON.parse(data)));
          }
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
  });
}

describe('the api over four shards', () => {
  it("serves a registered gym's live state from its tenant's shard, with heart rates from the athletes' shards", async () => {
    const gymKeys = layout.gymKeys(TENANT_B, GYM_B);
    const station = liveStation(GYM_B, 'rack-1', ATHLETE_B);
    await redis.hset(gymKeys.liveStations(GYM_B), 'rack-1', JSON.stringify(station));
    // Where the gym's keys would be were it the default tenant's: not read.
    await redis.hset(layout.gymKeys(DEFAULT_TENANT, GYM_B).liveStations(GYM_B), 'decoy', JSON.stringify(liveStation(GYM_B, 'decoy', ATHLETE_B)));
    await redis.set(layout.athleteKeys(ATHLETE_B).athleteLiveHeartRate(ATHLETE_B), JSON.stringify({ bpm: 142, ts: Date.now() }));
    const answer = await waitFor(
      async () => {
        const got = await apiRequest(api.url, 'GET', `/v1/gyms/${GYM_B}/live/snapshot`, { token: tokenB });
        return got.status === 200 ? got : undefined;
      },
      { timeoutMs: 5000, what: "B's gym in the api's registry view" },
    );
    const snapshot = JSON.parse(answer.body) as { stations: LiveStation[] };
    expect(snapshot.stations.map((s) => s.stationId)).toEqual(['rack-1']);
    expect(snapshot.stations[0]?.heartRate?.bpm).toBe(142);

    // Live events come on the channel of the gym's shard.
    const next = { ...station, reps: [...station.reps, { repIndex: 2, meanVelocity: 0.55, ts: NOW + 3000 }], updatedAt: NOW + 3000 };
    const event: LiveEvent = { type: 'station', station: next };
    const received = await nextStationEvent(GYM_B, tokenB, async () => {
      await redis.publish(gymKeys.liveChannel(GYM_B), JSON.stringify(event));
    });
    expect(received.reps).toHaveLength(2);
  });

  it("lists a tenant's dead letters of every shard merged newest first and sums their counts", async () => {
    const at = (seconds: number) => new Date(NOW - 60_000 + seconds * 1000).toISOString();
    const letter = (name: string, seconds: number, reason = 'invalid_json') => JSON.stringify({ topic: `gym/v1/g/st/${name}`, reason, payload: name, receivedAt: at(seconds) });
    const [one, three] = [layout.keys(1), layout.keys(3)];
    // LPUSH: the last pushed is the newest.
    await redis.lpush(one.deadLetters, letter('one-1', 1), letter('one-3', 3), letter('one-5', 5));
    await redis.hset(one.deadLetterCounts, 'invalid_json', '3');
    await redis.lpush(three.deadLetters, letter('three-2', 2), letter('three-4', 4, 'unknown_topic'));
    await redis.hset(three.deadLetterCounts, { invalid_json: '1', unknown_topic: '1' });
    // Another tenant's, in a third shard: not the default tenant's to read.
    await redis.lpush(layout.keys(2).deadLettersOf(TENANT_B), letter('b-9', 9));
    await redis.hset(layout.keys(2).deadLetterCountsOf(TENANT_B), 'invalid_json', '1');

    type Listing = { total: number; byReason: Record<string, number>; items: Array<{ payload: string }> };
    const list = async (limit: number, token = TOKEN) =>
      JSON.parse((await expectStatus(apiRequest(api.url, 'GET', `/v1/dead-letters?limit=${limit}`, { token }), 200, 'dead letters')).body) as Listing;
    const all = await list(100);
    expect(all.items.map((item) => item.payload)).toEqual(['one-5', 'three-4', 'one-3', 'three-2', 'one-1']);
    expect(all).toMatchObject({ total: 5, byReason: { invalid_json: 4, unknown_topic: 1 } });
    const newest = await list(3);
    expect(newest.items.map((item) => item.payload)).toEqual(['one-5', 'three-4', 'one-3']);
    expect(newest.total).toBe(5);
    const ofB = await list(100, tokenB);
    expect(ofB.items.map((item) => item.payload)).toEqual(['b-9']);
    expect(ofB.total).toBe(1);
  });

  it("erases an athlete's keys in its shard and its entries in a gym's keys in another shard", async () => {
    const athlete = layout.athleteKeys(ATHLETE);
    const gym = layout.gymKeys(DEFAULT_TENANT, GYM);
    expect(athlete.prefix).not.toBe(gym.prefix);
    // A profile through the api: the owner record and the profile land in the athlete's shard.
    await expectStatus(apiRequest(api.url, 'PUT', `/v1/athletes/${ATHLETE}/profile`, { token: TOKEN, body: { bodyMassKg: 80 } }), 200, 'profile');
    expect(await redis.hget(athlete.athleteTenants, ATHLETE)).toBe(DEFAULT_TENANT);
    expect(await redis.exists(athlete.athleteProfile(ATHLETE))).toBe(1);
    // What the worker and alerts keep of a set of the athlete at the gym.
    await redis.hset(athlete.athleteSets(ATHLETE), 'rack-9.s1', JSON.stringify({ v: 1, key: 'rack-9.s1', gymId: GYM, stationId: 'rack-9', setId: 's1', exercise: 'back_squat', reps: [] }));
    await redis.set(athlete.alertCooldown(ATHLETE, 'high_fatigue.amber'), 'x');
    await redis.hset(gym.set('rack-9', 's1'), { athleteId: ATHLETE, status: 'closed' });
    await redis.hset(gym.setReps('rack-9', 's1'), '1', '{}');
    await redis.zadd(gym.gymAthletes(GYM), NOW, ATHLETE, NOW, OTHER);
    await redis.hset(gym.liveStations(GYM), 'rack-9', JSON.stringify(liveStation(GYM, 'rack-9', ATHLETE)), 'rack-8', JSON.stringify(liveStation(GYM, 'rack-8', OTHER)));
    await redis.sadd(control.gyms, GYM);

    // A coach of that gym only sees the athlete through the gym's athlete index, in the gym's shard.
    const coach = await expectStatus(apiRequest(api.url, 'POST', '/v1/tokens', { token: TOKEN, body: { role: 'coach', gyms: [GYM], name: 'gym coach' } }), 201, 'coach token');
    const coachToken = (JSON.parse(coach.body) as { token: string }).token;
    await expectStatus(apiRequest(api.url, 'GET', `/v1/athletes/${ATHLETE}/profile`, { token: coachToken }), 200, 'profile seen by the coach');

    const erased = await expectStatus(apiRequest(api.url, 'DELETE', `/v1/athletes/${ATHLETE}`, { token: TOKEN }), 200, 'erasure');
    const report = JSON.parse(erased.body) as { redisKeysDeleted: number; redisEntriesRemoved: number; tsdb: string };
    // Profile, sets, cooldown; the set hash and its reps.
    expect(report).toMatchObject({ redisKeysDeleted: 5, redisEntriesRemoved: 2, tsdb: 'skipped' });

    expect(await redis.zscore(gym.gymAthletes(GYM), ATHLETE)).toBeNull();
    expect(await redis.zscore(gym.gymAthletes(GYM), OTHER)).not.toBeNull();
    expect(await redis.hkeys(gym.liveStations(GYM))).toEqual(['rack-8']);
    expect(await redis.hget(athlete.athleteTenants, ATHLETE)).toBeNull();
    const left: string[] = [];
    for await (const batch of redis.scanStream({ match: `*${ATHLETE}*`, count: 1000 }) as AsyncIterable<string[]>) left.push(...batch);
    expect(left).toEqual([]);
    expect(await redis.exists(gym.set('rack-9', 's1'), gym.setReps('rack-9', 's1'))).toBe(0);
    await expectStatus(apiRequest(api.url, 'GET', `/v1/athletes/${ATHLETE}/profile`, { token: coachToken }), 404, 'profile after the erasure');
  });
});
