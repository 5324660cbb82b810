// Athlete erasure end to end on real servers: two athletes train through the all-in-one pipeline (with
// TSDB_DELETE_API=victoriametrics, the local TSDB), then DELETE /v1/athletes/{A} must remove every series
// tagged athlete=A from VictoriaMetrics and A's data from Redis, and leave B's untouched.
import { redisKeys } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, connectDevice, pipelineEnv, publishRep, startTestPipeline } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-erasure';
const A = { athleteId: 'erasure-anna', stationId: 'st-anna', setId: 's-anna-1' };
const B = { athleteId: 'erasure-bert', stationId: 'st-bert', setId: 's-bert-1' };
/** Every measurement tagged with the athlete; a set that grinds to 38 % velocity loss also fires high_fatigue. */
const MEASUREMENTS = ['rep', 'set', 'neurotrophic_stimulus', 'neurotrophic_exposure', 'neurotrophic_acute', 'alert'];
const VELOCITIES = [1.0, 0.95, 0.9, 0.8, 0.62];
const keys = redisKeys('{nl}');

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let redis: Redis;

beforeAll(async () => {
  servers = await startServers();
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { TSDB_DELETE_API: 'victoriametrics', MQTT_CLIENT_ID: 'erasure-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
  redis = new Redis(servers.env.REDIS_URL);
});

afterAll(async () => {
  await device?.endAsync();
  await redis?.quit();
  await pipeline?.close();
  await servers?.stop();
});

/** A request to the api; `token: null` sends none. */
const api = (path: string, init: RequestInit = {}, token: string | null = API_TOKEN) =>
  fetch(`${pipeline.apiUrl}${path}`, {
    ...init,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
  });

async function publishSet(who: typeof A, t0: number): Promise<void> {
  const topic = `gym/v1/${GYM}/${who.stationId}/set`;
  const set = { athleteId: who.athleteId, setId: who.setId, exercise: 'back_squat' };
  await device.publishAsync(topic, JSON.stringify({ v: 1, event: 'start', ts: t0, ...set, loadKg: 120 }), { qos: 1 });
  for (const [i, meanVelocity] of VELOCITIES.entries()) {
    await publishRep(device, GYM, who.stationId, { ts: t0 + 3000 * (i + 1), athleteId: who.athleteId, setId: who.setId, loadKg: 120, repIndex: i + 1, meanVelocity, concentricMs: 800, eccentricMs: 1500 });
  }
  await device.publishAsync(topic, JSON.stringify({ v: 1, event: 'end', ts: t0 + 20_000, ...set }), { qos: 1 });
}

/** Every series tagged with the athlete, including points stamped ahead of now (exposure, acute curve). */
const seriesOf = (athleteId: string) => exportSeries(servers.env.INFLUX_URL, `{athlete="${athleteId}"}`, { endMs: Date.now() + 2 * 86_400_000 });

/** `metric{labels} count` per series: what must stay identical for the athlete not erased. */
async function seriesSummary(athleteId: string): Promise<string[]> {
  return (await seriesOf(athleteId)).map((series) => `${JSON.stringify(series.metric)} ${series.values.length}`);
}

async function measurementsOf(athleteId: string): Promise<string[]> {
  const names = (await seriesOf(athleteId)).map((series) => series.metric.__name__ ?? '');
  return MEASUREMENTS.filter((measurement) => names.some((name) => name.startsWith(`${measurement}_`)));
}

async function allKeys(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

/** The delayed session-end alert check of a set is a BullMQ job named after the athlete (not erased; see the response). */
const isSessionEndCheck = (key: string): boolean => key.startsWith(`${keys.prefix}:alert-checks:session-end.`);
const keysNamedAfter = async (athleteId: string) => (await allKeys()).filter((key) => key.includes(athleteId));

/** What the live console of the gym shows of an athlete: station entries and alerts. */
async function consoleEntries(athleteId: string): Promise<{ stations: number; alerts: number }> {
  const stations = Object.values(await redis.hgetall(keys.liveStations(GYM)));
  const alerts = await redis.lrange(keys.liveAlerts(GYM), 0, -1);
  const mentions = (text: string) => (JSON.parse(text) as { athleteId?: string }).athleteId === athleteId;
  return { stations: stations.filter(mentions).length, alerts: alerts.filter(mentions).length };
}

describe('DELETE /v1/athletes/{athleteId}', () => {
  it("removes the athlete's series and Redis data, and only theirs", async () => {
    for (const who of [A, B]) {
      const put = await api(`/v1/athletes/${who.athleteId}/profile`, { method: 'PUT', body: JSON.stringify({ bodyMassKg: 80, oneRepMaxKg: { back_squat: 160 } }) });
      expect(put.status).toBe(200);
    }
    const t0 = Date.now() - 120_000;
    await publishSet(A, t0);
    await publishSet(B, t0 + 1000);

    // Both athletes fully processed: every measurement written, and the alerts service done with the
    // set (its last steps: the in-set rules' basis and the console's closed station).
    for (const who of [A, B]) {
      await waitFor(async () => ((await measurementsOf(who.athleteId)).length === MEASUREMENTS.length ? true : undefined), {
        what: `every measurement of ${who.athleteId}`,
        timeoutMs: 30_000,
      });
      await waitFor(async () => ((await redis.exists(keys.alertBasis(who.athleteId))) === 1 ? true : undefined), { what: `the alert basis of ${who.athleteId}`, timeoutMs: 15_000 });
      await waitFor(
        async () => {
          const station = await redis.hget(keys.liveStations(GYM), who.stationId);
          // Closed with the session NSI: the set_closed check has run, not only an in-set check after the set's end.
          const live = station === null ? undefined : (JSON.parse(station) as { open: boolean; sessionNsi?: number });
          return live?.open === false && live.sessionNsi !== undefined ? true : undefined;
        },
        { what: `the closed station of ${who.athleteId} on the console`, timeoutMs: 15_000 },
      );
    }
    const bSeries = await seriesSummary(B.athleteId);
    const bKeys = await keysNamedAfter(B.athleteId);
    const aKeys = await keysNamedAfter(A.athleteId);
    for (const key of [keys.athleteProfile, keys.athleteSets, keys.athleteDaily, keys.athleteVersion, keys.alertBasis]) {
      expect(aKeys).toContain(key(A.athleteId));
      expect(bKeys).toContain(key(B.athleteId));
    }
    expect(await redis.exists(keys.set(A.stationId, A.setId), keys.setReps(A.stationId, A.setId))).toBe(2);
    expect((await redis.zrange(keys.gymAthletes(GYM), '0', '-1')).sort()).toEqual([A.athleteId, B.athleteId]);
    expect(await consoleEntries(A.athleteId)).toEqual({ stations: 1, alerts: 1 });
    // A set of each still waiting for an in-set pass (as a rep batch just before the erasure leaves it).
    const pendingRef = (who: typeof A) => JSON.stringify({ gymId: GYM, stationId: who.stationId, setId: who.setId, athleteId: who.athleteId });
    await redis.hset(keys.inSetPending(GYM), pendingRef(A), '1', pendingRef(B), '1');

    // No token, no erasure.
    expect((await api(`/v1/athletes/${A.athleteId}`, { method: 'DELETE' }, null)).status).toBe(401);
    expect(await measurementsOf(A.athleteId)).toEqual(MEASUREMENTS);

    const response = await api(`/v1/athletes/${A.athleteId}`, { method: 'DELETE' });
    const body = (await response.json()) as { athleteId: string; redisKeysDeleted: number; redisEntriesRemoved: number; tsdb: string; remaining: string };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ athleteId: A.athleteId, tsdb: 'deleted' });
    // Profile, sets, daily, version, alert basis, and the set's hash and reps.
    expect(body.redisKeysDeleted).toBeGreaterThanOrEqual(7);
    // The gym's athlete index, the console's station and alert, the set waiting for an in-set pass.
    expect(body.redisEntriesRemoved).toBe(4);
    expect(body.remaining).toContain('8 days');

    // The TSDB: nothing of A in any measurement, B's series exactly as before.
    expect(await seriesOf(A.athleteId)).toEqual([]);
    expect(await seriesSummary(B.athleteId)).toEqual(bSeries);

    // Redis: nothing named after A but its delayed session-end check; B's keys as before.
    expect((await keysNamedAfter(A.athleteId)).filter((key) => !isSessionEndCheck(key))).toEqual([]);
    expect(await keysNamedAfter(B.athleteId)).toEqual(bKeys);
    expect(await redis.exists(keys.set(A.stationId, A.setId), keys.setReps(A.stationId, A.setId))).toBe(0);
    expect(await redis.exists(keys.set(B.stationId, B.setId), keys.setReps(B.stationId, B.setId))).toBe(2);
    expect(await redis.zrange(keys.gymAthletes(GYM), '0', '-1')).toEqual([B.athleteId]);
    expect(await consoleEntries(A.athleteId)).toEqual({ stations: 0, alerts: 0 });
    expect(await consoleEntries(B.athleteId)).toEqual({ stations: 1, alerts: 1 });
    expect(await redis.hkeys(keys.inSetPending(GYM))).toEqual([pendingRef(B)]);
    expect((await api(`/v1/athletes/${A.athleteId}/profile`)).status).toBe(404);
    expect((await api(`/v1/athletes/${B.athleteId}/profile`)).status).toBe(200);

    // Idempotent: again answers 200 with nothing left to delete.
    const again = await api(`/v1/athletes/${A.athleteId}`, { method: 'DELETE' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ athleteId: A.athleteId, redisKeysDeleted: 0, redisEntriesRemoved: 0, tsdb: 'deleted' });
    expect(await seriesSummary(B.athleteId)).toEqual(bSeries);

    const metrics = await (await fetch(`${pipeline.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^neurolift_api_erasures_total\{outcome="completed"\} 2$/m);
  });

  it('answers 400 to an id that breaks the id rule, and 401 without a token', async () => {
    expect((await api('/v1/athletes/not.an.id', { method: 'DELETE' })).status).toBe(400);
    expect((await api(`/v1/athletes/${B.athleteId}`, { method: 'DELETE' }, 'wrong-token-0123456789')).status).toBe(401);
    expect((await api(`/v1/athletes/${B.athleteId}/profile`)).status).toBe(200);
  });
});
