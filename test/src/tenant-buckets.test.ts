// Tenants' buckets through the whole pipeline on real servers: two tenants registered in Redis, each with a
// gym, its stations and its bucket. A bucket proxy in front of VictoriaMetrics labels each write with its
// bucket (db="<bucket>"), so each bucket is read on its own. Sets at a tenant's gym land in its bucket only
// (rep, set and athlete series), sets at an unregistered gym in the default bucket; an athlete of one tenant
// at the other's gym is refused (athlete_not_allowed) and nothing of it is written anywhere. The worker's
// dead letters of a tenant's gym are that tenant's, not the default tenant's.
import { DEFAULT_REDIS_PREFIX, DEFAULT_TENANT, MEASUREMENTS, QUEUES, heartRateJobId, redisKeys, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { createRedisRegistryStore, tenancyKeys, type Device, type DeviceKind } from '@neurolift/tenancy';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBucketProxy } from './harness/bucket-proxy.js';
import { Closer } from './harness/closer.js';
import { fetchMetrics, metricSum } from './harness/metrics.js';
import { connectDevice, pipelineEnv, publishRep, startTestPipeline } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices, type Series } from './harness/servers.js';

const TENANT_A = { id: 'tenant-a', bucket: 'bucket-a', gym: 'gym-ta', station: 'st-ta', athlete: 'ath-ta' };
const TENANT_B = { id: 'tenant-b', bucket: 'bucket-b', gym: 'gym-tb', station: 'st-tb', strap: 'strap-tb', athlete: 'ath-tb' };
/** A gym nobody registered: the default tenant's, whose bucket is INFLUX_BUCKET. */
const OPEN = { gym: 'gym-open', station: 'st-open', athlete: 'ath-open' };
/** Athlete points reach the end of the UTC day (exposure) and 3 h after a set (acute curve). */
const UNTIL = () => Date.now() + 2 * 86_400_000;

const closer = new Closer();
let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let redis: Redis;
let setsQueue: Queue;
let hrQueue: Queue;

function device_(id: string, tenant: string, kind: DeviceKind, gym: string): Device {
  const now = new Date().toISOString();
  // The broker of this test is the plain one: the hash is never checked.
  return { id, tenant, kind, gyms: [gym], enabled: true, createdAt: now, passwordSetAt: now, password: { salt: 'c2FsdA==', hash: 'aGFzaA==', iterations: 1 } };
}

beforeAll(async () => {
  servers = closer.add(await startServers(), (started) => started.stop());
  const proxy = closer.add(await startBucketProxy(servers.env.INFLUX_URL), (started) => started.close());
  redis = closer.add(new Redis(servers.env.REDIS_URL), (client) => client.quit());
  const registry = createRedisRegistryStore(redis, tenancyKeys(DEFAULT_REDIS_PREFIX));
  const createdAt = new Date().toISOString();
  await registry.putTenant({ id: TENANT_A.id, name: 'Tenant A', bucket: TENANT_A.bucket, createdAt });
  await registry.putTenant({ id: TENANT_B.id, name: 'Tenant B', bucket: TENANT_B.bucket, createdAt });
  await registry.addGym(TENANT_A.gym, TENANT_A.id);
  await registry.addGym(TENANT_B.gym, TENANT_B.id);
  await registry.createDevice(device_(TENANT_A.station, TENANT_A.id, 'equipment', TENANT_A.gym));
  await registry.createDevice(device_(TENANT_B.station, TENANT_B.id, 'equipment', TENANT_B.gym));
  await registry.createDevice(device_(TENANT_B.strap, TENANT_B.id, 'wearable', TENANT_B.gym));
  pipeline = closer.add(
    await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: proxy.url, SET_IDLE_TIMEOUT_MS: '1500', MQTT_CLIENT_ID: 'tenant-buckets-test' })),
    (started) => started.close(),
  );
  device = closer.add(await connectDevice(servers.env.MQTT_URL), (client) => client.endAsync());
  const connection = { url: servers.env.REDIS_URL };
  setsQueue = closer.add(new Queue(QUEUES.sets, { connection, prefix: DEFAULT_REDIS_PREFIX }), (queue) => queue.close());
  hrQueue = closer.add(new Queue(QUEUES.heartRate, { connection, prefix: DEFAULT_REDIS_PREFIX }), (queue) => queue.close());
}, 60_000);

afterAll(async () => {
  await closer.close();
});

/** A set of three reps with its start and end, about a minute ago. */
async function publishSet(gym: string, station: string, athleteId: string, setId: string): Promise<void> {
  const t0 = Date.now() - 60_000;
  const set = (event: 'start' | 'end', ts: number) =>
    device.publishAsync(`gym/v1/${gym}/${station}/set`, JSON.stringify({ v: 1, event, ts, setId, athleteId, exercise: 'back_squat', loadKg: 100 }), { qos: 1 });
  await set('start', t0);
  for (const [i, meanVelocity] of [0.8, 0.75, 0.7].entries()) {
    await publishRep(device, gym, station, { ts: t0 + 3000 * (i + 1), athleteId, setId, repIndex: i + 1, meanVelocity, concentricMs: 700, eccentricMs: 1300 });
  }
  await set('end', t0 + 12_000);
}

async function setDone(gym: string, station: string, setId: string): Promise<true | undefined> {
  const job = await setsQueue.getJob(setJobId(gym, station, setId, 0));
  return job?.finishedOn ? true : undefined;
}

const bucket = (name: string, labels = ''): Promise<Series[]> => exportSeries(servers.env.INFLUX_URL, `{db="${name}"${labels}}`, { endMs: UNTIL() });
/** The measurements of the series (`<measurement>_<field>` metrics), deduplicated. */
const measurements = (series: readonly Series[]): string[] =>
  [...new Set(series.flatMap((s) => Object.values(MEASUREMENTS).filter((name) => (s.metric.__name__ ?? '').startsWith(`${name}_`))))].sort();
const labelValues = (series: readonly Series[], label: string): string[] => [...new Set(series.flatMap((s) => (s.metric[label] === undefined ? [] : [s.metric[label]])))].sort();

interface DeadLetter {
  readonly topic: string;
  readonly reason: string;
  readonly detail: string;
  readonly payload: string;
}
async function deadLetters(tenant: string): Promise<DeadLetter[]> {
  return (await redis.lrange(redisKeys(DEFAULT_REDIS_PREFIX).deadLettersOf(tenant), 0, -1)).map((text) => JSON.parse(text) as DeadLetter);
}

describe("tenants' buckets", () => {
  it("writes a tenant's sets into its bucket only, and an unregistered gym's into the default bucket", async () => {
    await publishSet(TENANT_A.gym, TENANT_A.station, TENANT_A.athlete, 's-a1');
    await publishSet(TENANT_B.gym, TENANT_B.station, TENANT_B.athlete, 's-b1');
    await publishSet(OPEN.gym, OPEN.station, OPEN.athlete, 's-o1');
    for (const [gym, station, setId] of [
      [TENANT_A.gym, TENANT_A.station, 's-a1'],
      [TENANT_B.gym, TENANT_B.station, 's-b1'],
      [OPEN.gym, OPEN.station, 's-o1'],
    ] as const) {
      await waitFor(() => setDone(gym, station, setId), { what: `set ${setId} processed`, timeoutMs: 20_000 });
    }

    for (const [name, gym, athlete] of [
      [TENANT_A.bucket, TENANT_A.gym, TENANT_A.athlete],
      [TENANT_B.bucket, TENANT_B.gym, TENANT_B.athlete],
      [servers.env.INFLUX_BUCKET, OPEN.gym, OPEN.athlete],
    ] as const) {
      const series = await waitFor(async () => {
        const found = await bucket(name);
        return measurements(found).includes('neurotrophic_acute') ? found : undefined;
      }, { what: `the athlete series in ${name}` });
      // Rep, set and the athlete's own series (tagged by athlete only), and nothing of another gym or athlete.
      expect(measurements(series)).toEqual(expect.arrayContaining(['neurotrophic_acute', 'neurotrophic_exposure', 'neurotrophic_stimulus', 'rep', 'set']));
      expect(labelValues(series, 'gym')).toEqual([gym]);
      expect(labelValues(series, 'athlete')).toEqual([athlete]);
    }
  });

  it("refuses an athlete of tenant A at tenant B's gym: dead-lettered for B, nothing written", async () => {
    const t0 = Date.now() - 30_000;
    await publishSet(TENANT_B.gym, TENANT_B.station, TENANT_A.athlete, 's-b2');
    await device.publishAsync(`gym/v1/${TENANT_B.gym}/${TENANT_B.strap}/hr`, JSON.stringify({ v: 1, t0, athleteId: TENANT_A.athlete, bpm: [120, 121, 122, 123, 124] }), { qos: 1 });
    await waitFor(() => setDone(TENANT_B.gym, TENANT_B.station, 's-b2'), { what: 'the refused set processed', timeoutMs: 20_000 });
    await waitFor(async () => ((await hrQueue.getJob(heartRateJobId(TENANT_B.gym, TENANT_B.strap, t0)))?.finishedOn ? true : undefined), { what: 'the refused hr block processed' });
    // The refusals are counted: the set and the block, and the set's three rep points (so their rep jobs have run).
    const refused = await waitFor(async () => {
      const samples = await fetchMetrics(pipeline.apiUrl);
      const count = (queue: string) => metricSum(samples, 'neurolift_worker_athlete_not_allowed_total', { queue });
      return count(QUEUES.reps) === 3 ? { sets: count(QUEUES.sets), hr: count(QUEUES.heartRate) } : undefined;
    }, { what: 'three rep points refused' });
    expect(refused).toEqual({ sets: 1, hr: 1 });

    const letters = (await deadLetters(TENANT_B.id)).filter((letter) => letter.reason === 'athlete_not_allowed');
    expect(letters.map((letter) => letter.topic).sort()).toEqual([`gym/v1/${TENANT_B.gym}/${TENANT_B.station}/set`, `gym/v1/${TENANT_B.gym}/${TENANT_B.strap}/hr`]);
    for (const letter of letters) {
      expect(letter.detail).toContain(TENANT_A.athlete);
      expect(letter.detail).toContain(TENANT_B.gym);
      expect(letter.detail).not.toContain(TENANT_A.id);
    }
    // The set's dead letter keeps its reps; the block's keeps the block.
    expect((JSON.parse(letters.find((l) => l.topic.endsWith('/set'))?.payload ?? '{}') as { reps?: unknown[] }).reps).toHaveLength(3);
    expect(letters.find((l) => l.topic.endsWith('/hr'))?.payload).toContain('"bpm":[120,121,122,123,124]');

    expect(await bucket(TENANT_B.bucket, `,athlete="${TENANT_A.athlete}"`)).toEqual([]);
    expect(await bucket(TENANT_A.bucket, `,gym="${TENANT_B.gym}"`)).toEqual([]);
    expect(await exportSeries(servers.env.INFLUX_URL, `{__name__=~"(rep|set|heart_rate)_.*",station=~"${TENANT_B.station}|${TENANT_B.strap}",athlete="${TENANT_A.athlete}"}`)).toEqual([]);
    // The athlete's own state at tenant A is untouched: one set of A's gym in its bucket.
    expect(labelValues(await bucket(TENANT_A.bucket, ',__name__="set_reps"'), 'station')).toEqual([TENANT_A.station]);
  });

  it("keeps a tenant's dead letters of the worker (a block it could not use, a job it could not read) for that tenant, not the default one", async () => {
    // Two sample blocks of one set at different rates: the second cannot be segmented with the first.
    const t0 = Date.now() - 20_000;
    for (const [at, hz] of [[t0, 100], [t0 + 1000, 200]] as const) {
      const block = { v: 1, t0: at, hz, athleteId: TENANT_B.athlete, setId: 's-b-rates', exercise: 'back_squat', loadKg: 100, position: [0, 0.01, 0.02, 0.03] };
      await device.publishAsync(`gym/v1/${TENANT_B.gym}/${TENANT_B.station}/samples`, JSON.stringify(block), { qos: 1 });
    }
    // A set job of B's gym in a version this worker does not read.
    await setsQueue.add('set', { v: 99, gymId: TENANT_B.gym, stationId: TENANT_B.station, setId: 's-b-future' }, { jobId: 'set.tenant-b-future' });

    const ofB = await waitFor(async () => {
      const letters = (await deadLetters(TENANT_B.id)).filter((letter) => letter.reason === 'samples_rate_mismatch' || letter.reason === 'invalid_job');
      return letters.length === 2 ? letters : undefined;
    }, { what: "the worker's dead letters in tenant B's list" });
    expect(ofB.map((letter) => [letter.reason, letter.topic]).sort()).toEqual([
      ['invalid_job', `queue/${QUEUES.sets}/set.tenant-b-future`],
      ['samples_rate_mismatch', `gym/v1/${TENANT_B.gym}/${TENANT_B.station}/samples`],
    ]);
    expect((await deadLetters(DEFAULT_TENANT)).filter((letter) => letter.topic.includes(TENANT_B.gym) || letter.payload.includes(TENANT_B.gym))).toEqual([]);
  });

  it("keeps an athlete stored before tenancy (sets, no owner) with the default tenant: refused at tenant A's gym", async () => {
    const legacy = 'ath-legacy';
    const keys = redisKeys(DEFAULT_REDIS_PREFIX);
    await redis.zadd(keys.athleteOrder(legacy), Date.now() - 86_400_000, 'st-old.set-old');
    await publishSet(TENANT_A.gym, TENANT_A.station, legacy, 's-a-legacy');
    await waitFor(() => setDone(TENANT_A.gym, TENANT_A.station, 's-a-legacy'), { what: 'the set of the athlete from before tenancy processed', timeoutMs: 20_000 });
    expect(await redis.hget(tenancyKeys(DEFAULT_REDIS_PREFIX).athleteTenants, legacy)).toBe('default');
    const letters = (await deadLetters(TENANT_A.id)).filter((letter) => letter.reason === 'athlete_not_allowed' && letter.detail.includes(legacy));
    expect(letters.map((letter) => letter.topic)).toEqual([`gym/v1/${TENANT_A.gym}/${TENANT_A.station}/set`]);
    expect(await bucket(TENANT_A.bucket, `,athlete="${legacy}"`)).toEqual([]);
  });
});
