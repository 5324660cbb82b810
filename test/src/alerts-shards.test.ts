// The alerts service on four shards (REDIS_SHARDS=4) against one plain Redis (hash tags work there too), as
// two processes consuming shards 0-2 and 3: a set_closed check of a gym of shard 3 is handled by the process
// consuming shard 3, from that shard; its alert's delivery job and ledger, the station's console state and the
// session-end check stay under the gym's shard's prefix, while the basis and the cooldown go to the athlete's
// shard. Each gym's daily scheduler is in its own shard's queue, once between the two processes.
import { alertConfigFrom } from '@neurolift/alerts';
import { AlertsConfigSchema, startAlerts, type AlertsService } from '@neurolift/alerts-service';
import { AlertMessage, LiveStation, QUEUES, RepRecord, shardLayout, type AlertCheckJob } from '@neurolift/contracts';
import { createLogger, loadConfig } from '@neurolift/platform';
import { DEFAULT_CONSTANTS, athleteSetKey, foldSets, type AthleteSet } from '@neurolift/stimulus';
import { createRedisAthleteStore, type PointSink } from '@neurolift/storage';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice } from './harness/pipeline.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

const SHARDS = 4;
const layout = shardLayout('{nl}', SHARDS);
/** Tenant acme's gym: shard 3 (it would be shard 2 as the default tenant's). */
const GYM = 'gym-sharded';
const TENANT = 'acme';
/** Shard 1. */
const ATHLETE = 'ath-shard';
const STATION = 'st-shard';
const SET = 'set-shard';
const gymShard = layout.gymShard(TENANT, GYM);
const athleteShard = layout.athleteShard(ATHLETE);
const gymKeys = layout.keys(gymShard);
const athleteKeys = layout.athleteKeys(ATHLETE);

let servers: LocalServices<'mosquitto' | 'redis'>;
let redis: Redis;
let coach: MqttClient;
const onMqtt: AlertMessage[] = [];
/** The TSDB writes of each process: [bucket, lines]. */
const writes: Array<Array<[string | undefined, readonly string[]]>> = [[], []];
const processes: AlertsService[] = [];
const queues: Queue[] = [];

function recordingSink(into: Array<[string | undefined, readonly string[]]>): PointSink {
  return { write: async (lines, bucket) => void into.push([bucket, lines]) };
}

/** A grinding set of back squats (velocity loss 44 % at the last rep), stored and folded as the worker does. */
async function storeFoldedSet(t0: number): Promise<void> {
  const set: AthleteSet = {
    key: athleteSetKey(STATION, SET),
    gymId: GYM,
    stationId: STATION,
    setId: SET,
    exercise: 'back_squat',
    reps: [0.8, 0.78, 0.75, 0.72, 0.45].map((meanVelocity, i) => ({ repIndex: i + 1, ts: t0 + i * 4000, loadKg: 140, meanVelocity })),
  };
  const result = foldSets({ start: {}, sets: [set], history: new Map(), profile: {}, constants: DEFAULT_CONSTANTS });
  const athletes = createRedisAthleteStore(redis, (athleteId) => layout.athleteKeys(athleteId));
  await athletes.putSet(ATHLETE, set);
  await athletes.saveFold(ATHLETE, result.folded, result.update.dailyLoads, new Map(), undefined);
  // The console shows the set open, as the in-set checks left it.
  const station: LiveStation = {
    gymId: GYM,
    stationId: STATION,
    athleteId: ATHLETE,
    setId: SET,
    exercise: 'back_squat',
    loadKg: 140,
    reps: [],
    velocityLossPct: 0,
    fatigueAmberPct: 30,
    fatigueRedPct: 40,
    open: true,
    updatedAt: t0,
  };
  await redis.hset(gymKeys.liveStations(GYM), STATION, JSON.stringify(station));
}

const queueOf = (name: string, shard: number): Queue => {
  const queue = new Queue(name, { connection: { url: servers.env.REDIS_URL }, prefix: layout.prefixes[shard] ?? '?' });
  queues.push(queue);
  return queue;
};

/** Every key matching the pattern, whichever shard. */
async function keysMatching(pattern: string): Promise<string[]> {
  return (await redis.keys(pattern)).sort();
}

beforeAll(async () => {
  expect([gymShard, athleteShard, layout.gymShard('default', GYM)]).toEqual([3, 1, 2]);
  servers = await startServers({ services: ['mosquitto', 'redis'] });
  redis = new Redis(servers.env.REDIS_URL);
  coach = await connectDevice(servers.env.MQTT_URL);
  coach.on('message', (_topic, payload) => onMqtt.push(AlertMessage.parse(JSON.parse(payload.toString()))));
  await coach.subscribeAsync('gym/v1/+/alerts', { qos: 1 });
  const env = { ...servers.env, INFLUX_URL: 'http://127.0.0.1:9', REDIS_SHARDS: String(SHARDS), LOG_LEVEL: 'warn' };
  const alertConfig = alertConfigFrom({ gyms: { [GYM]: { dailyLocalTime: '05:30', timeZone: 'Europe/Berlin' } }, cooldownMinutes: { high_fatigue: 10 } }, 'test');
  const registryView = { tenantOfGym: (gymId: string) => (gymId === GYM ? TENANT : 'default'), bucketOf: (tenantId: string) => `bucket-${tenantId}` };
  for (const [i, consume] of ['0-2', '3'].entries()) {
    const config = loadConfig('alerts', AlertsConfigSchema, { ...env, CONSUME_SHARDS: consume, ALERTS_MQTT_CLIENT_ID: `alerts-shards-${i}` });
    processes.push(await startAlerts(config, createLogger({ name: 'test', level: 'warn' }), { alertConfig, registryView, sink: recordingSink(writes[i] ?? []) }));
  }
});

afterAll(async () => {
  await Promise.all(processes.map((alerts) => alerts.close()));
  await Promise.all(queues.map((queue) => queue.close()));
  await coach?.endAsync();
  redis?.disconnect();
  await servers?.stop();
});

describe('alerts on four shards', () => {
  it("a set_closed check of a gym is handled from the gym's shard; alert and ledger there, basis and cooldown in the athlete's", async () => {
    await storeFoldedSet(Date.now() - 60_000);
    const check = { v: 1, kind: 'set_closed', gymId: GYM, stationId: STATION, setId: SET, athleteId: ATHLETE } satisfies AlertCheckJob;
    const job = await queueOf(QUEUES.alertChecks, gymShard).add('set_closed', check, { jobId: 'set-closed-shard' });

    const [alert] = await waitFor(async () => (onMqtt.some((a) => a.rule === 'high_fatigue') ? onMqtt.filter((a) => a.rule === 'high_fatigue') : undefined), {
      what: 'the high_fatigue alert on MQTT',
      timeoutMs: 20_000,
    });
    expect(alert).toMatchObject({ gymId: GYM, athleteId: ATHLETE, setId: SET, severity: 'red' });
    const id = alert?.id ?? '?';
    expect((await queueOf(QUEUES.alertChecks, gymShard).getJob(job.id ?? '?'))?.finishedOn).toBeGreaterThan(0);

    // Delivered from the gym's shard: its delivery job there, its ledger there with every channel marked.
    const delivery = await waitFor(async () => {
      const done = await queueOf(QUEUES.alerts, gymShard).getJob(id);
      return done?.finishedOn !== undefined && (await redis.hexists(gymKeys.alert(id), 'tsdb')) === 1 ? done : undefined;
    }, { what: "the delivery job in the gym's shard", timeoutMs: 20_000 });
    expect(delivery.returnvalue).toBe('delivered');
    expect(Object.keys(await redis.hgetall(gymKeys.alert(id))).sort()).toEqual(['claimedAt', 'live', 'mqtt', 'tsdb']);
    expect(await keysMatching(`*:alert:${id}`)).toEqual([gymKeys.alert(id)]);
    expect(await redis.get(athleteKeys.alertCooldown(ATHLETE, 'high_fatigue.red'))).toBe(id);
    expect(await keysMatching('*:alert-cooldown:*')).toEqual([athleteKeys.alertCooldown(ATHLETE, 'high_fatigue.red')]);
    // By the process consuming shard 3 only, into the bucket of the gym's tenant.
    expect(writes[0]).toEqual([]);
    expect(writes[1]?.map(([bucket]) => bucket)).toEqual([`bucket-${TENANT}`]);

    // The console's state of the gym in its shard; the athlete's basis in the athlete's shard.
    const live = LiveStation.parse(JSON.parse((await redis.hget(gymKeys.liveStations(GYM), STATION)) ?? 'null'));
    expect(live).toMatchObject({ setId: SET, open: false });
    expect(live.sessionNsi).toBeGreaterThan(0);
    expect((await redis.lrange(gymKeys.liveAlerts(GYM), 0, -1)).map((text) => AlertMessage.parse(JSON.parse(text)).id)).toContain(id);
    expect(await keysMatching('*:alert-basis')).toEqual([athleteKeys.alertBasis(ATHLETE)]);
    expect(await keysMatching('*:alert-roms')).toEqual([athleteKeys.alertRoms(ATHLETE)]);

    // The session-end check waits in the gym's shard's queue; no other shard has jobs of this gym.
    expect(await queueOf(QUEUES.alertChecks, gymShard).getJobState(`session-end.${ATHLETE}.${STATION}.${SET}`)).toBe('delayed');
    for (const shard of [0, 1, 2]) {
      expect(await queueOf(QUEUES.alerts, shard).getJobCounts()).toEqual(expect.objectContaining({ completed: 0, waiting: 0, delayed: 0, active: 0 }));
    }
    expect(await keysMatching('{nl}:*')).toEqual([]);
  }, 60_000);

  it("an in_set check reads the gym's sets in the gym's shard and the athlete's profile in the athlete's", async () => {
    const setId = 'set-live';
    const ref = { gymId: GYM, stationId: 'st-live', setId, athleteId: ATHLETE };
    const t0 = Date.now() - 20_000;
    // Near failure only with the athlete's own MVT (0.85 m/s; the default is far lower), read from the athlete's shard.
    await redis.set(athleteKeys.athleteProfile(ATHLETE), JSON.stringify({ mvtMps: { back_squat: 0.85 } }));
    const reps = [0.95, 0.93, 0.9].map((meanVelocity, i) =>
      RepRecord.parse({ ...ref, exercise: 'back_squat', repIndex: i + 1, ts: t0 + i * 4000, loadKg: 100, meanVelocity, source: 'device' }),
    );
    await redis.hset(gymKeys.setReps(ref.stationId, setId), Object.fromEntries(reps.map((rep) => [rep.repIndex, JSON.stringify(rep)])));
    await redis.hset(gymKeys.set(ref.stationId, setId), 'status', 'open');
    await redis.hset(gymKeys.inSetPending(GYM), JSON.stringify(ref), '1');
    await queueOf(QUEUES.alertChecks, gymShard).add('in_set', { v: 1, kind: 'in_set', gymId: GYM } satisfies AlertCheckJob);

    const [alert] = await waitFor(async () => (onMqtt.some((a) => a.rule === 'near_failure') ? onMqtt.filter((a) => a.rule === 'near_failure') : undefined), {
      what: 'the near_failure alert on MQTT',
      timeoutMs: 20_000,
    });
    expect(alert).toMatchObject({ gymId: GYM, athleteId: ATHLETE, setId });
    expect(alert?.threshold).toBeCloseTo(0.9, 6); // the athlete's MVT and the margin
    expect(LiveStation.parse(JSON.parse((await redis.hget(gymKeys.liveStations(GYM), 'st-live')) ?? 'null'))).toMatchObject({ setId, open: true });
    await waitFor(async () => ((await redis.exists(gymKeys.inSetPending(GYM))) === 0 ? true : undefined), { what: 'the pass to clear its marks' });
    expect(await keysMatching(`*:alert:${alert?.id ?? '?'}`)).toEqual([gymKeys.alert(alert?.id ?? '?')]);
  }, 60_000);

  it("each gym's daily scheduler is in its own shard's queue, once between the processes; every shard runs the defaults'", async () => {
    const byShard = await Promise.all(
      layout.prefixes.map(async (_, shard) => (await queueOf(QUEUES.alertChecks, shard).getJobSchedulers()).map((s) => s.key).filter((key) => key.startsWith('daily.')).sort()),
    );
    expect(byShard).toEqual([['daily.*'], ['daily.*'], ['daily.*'], ['daily.*', `daily.${GYM}`]]);
  });
});
