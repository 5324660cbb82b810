// Two tenants driven at once, end to end, as a host of two gym chains runs them: the broker with the
// dynamic security plugin, the pipeline enforcing the device registry, and everything set up through the
// API: the operator creates both tenants, each tenant's admin registers its rack and a coach token. Both
// racks then stream sets at the same time. Each tenant's bucket holds only its own points, each coach's
// console sees only its gym (live, on the event stream), and a rack publishing under the other chain's gym
// is refused by the broker with nothing of it stored.
import { request } from 'node:http';
import { redisKeys, DEFAULT_REDIS_PREFIX, LiveStation } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { tenancyKeys } from '@neurolift/tenancy';
import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBucketProxy } from './harness/bucket-proxy.js';
import { Closer } from './harness/closer.js';
import { DYNSEC_PASSWORDS, dynsecPipelineUsers, startDynsecServers, type DynsecServers } from './harness/dynsec-broker.js';
import { fetchMetrics, metricSum } from './harness/metrics.js';
import { REASON, ackingPublisher } from './harness/mqtt-reason-codes.js';
import { API_TOKEN, pipelineEnv, publishRep, startTestPipeline } from './harness/pipeline.js';
import { exportSeries, waitFor, type Series } from './harness/servers.js';

interface Chain {
  readonly tenant: string;
  readonly bucket: string;
  readonly gym: string;
  readonly rack: string;
  readonly athlete: string;
}
const CHAINS: readonly Chain[] = [
  { tenant: 'acme', bucket: 'acme-points', gym: 'acme-downtown', rack: 'acme-rack-01', athlete: 'acme-ath-01' },
  { tenant: 'brawn', bucket: 'brawn-points', gym: 'brawn-harbour', rack: 'brawn-rack-01', athlete: 'brawn-ath-01' },
];
const SETS_PER_CHAIN = 3;

const closer = new Closer();
let broker: DynsecServers;
let pipeline: Pipeline;
let redis: Redis;
/** Per tenant: its admin's and its coach's token, its rack's broker password and connection. */
const secrets = new Map<string, { admin: string; coach: string; rackPassword: string }>();
const racks = new Map<string, MqttClient>();

/** One JSON request to the pipeline's API. */
async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, pipeline.apiUrl), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function created<T>(method: string, path: string, token: string, body: unknown): Promise<T> {
  const answer = await call<T>(method, path, token, body);
  if (answer.status !== 201) throw new Error(`${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A coach's live event stream (`?token=`, as the console page opens it): every event it receives, parsed. */
function openLive(gym: string, token: string): { events: Array<{ event: string; data: unknown }>; status: Promise<number>; close(): void } {
  const events: Array<{ event: string; data: unknown }> = [];
  let buffer = '';
  let close = (): void => undefined;
  const status = new Promise<number>((resolve, reject) => {
    const req = request(new URL(`/v1/gyms/${gym}/live?token=${encodeURIComponent(token)}`, pipeline.apiUrl), { agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  return { events, status, close: () => close() };
}

beforeAll(async () => {
  broker = closer.add(await startDynsecServers(), (started) => started.stop());
  const env = broker.servers.env;
  const proxy = closer.add(await startBucketProxy(env.INFLUX_URL), (started) => started.close());
  redis = closer.add(new Redis(env.REDIS_URL), (client) => client.quit());
  pipeline = closer.add(
    await startTestPipeline(
      pipelineEnv(env, {
        ...dynsecPipelineUsers(),
        MQTT_CLIENT_ID: 'two-tenants-ingest',
        INFLUX_URL: proxy.url,
        DEVICE_REGISTRY: 'enforce',
        REGISTRY_POLL_MS: '100',
        BROKER_ADMIN_URL: env.MQTT_URL,
        BROKER_ADMIN_PASSWORD: DYNSEC_PASSWORDS.admin,
        SET_IDLE_TIMEOUT_MS: '1500',
      }),
    ),
    (started) => started.close(),
  );

  // The operator creates the tenants; from then on each tenant's admin sets itself up.
  for (const chain of CHAINS) {
    const tenant = await created<{ adminToken: { token: string } }>('POST', '/v1/tenants', API_TOKEN, { id: chain.tenant, name: chain.tenant, bucket: chain.bucket });
    const admin = tenant.adminToken.token;
    const rack = await created<{ password: string }>('POST', '/v1/devices', admin, { id: chain.rack, kind: 'equipment', gyms: [chain.gym] });
    const coach = await created<{ token: string }>('POST', '/v1/tokens', admin, { role: 'coach', gyms: [chain.gym], name: `${chain.gym} coaches` });
    secrets.set(chain.tenant, { admin, coach: coach.token, rackPassword: rack.password });
  }
  // Ingest checks against the registry it holds: wait until it holds the latest (no fixed sleep).
  const version = Number(await redis.get(tenancyKeys(DEFAULT_REDIS_PREFIX).version));
  await waitFor(async () => (metricSum(await fetchMetrics(pipeline.apiUrl), 'neurolift_ingest_registry_version') >= version ? true : undefined), {
    what: `ingest to hold registry version ${version}`,
  });
  for (const chain of CHAINS) {
    const client = await mqtt.connectAsync(env.MQTT_URL, {
      protocolVersion: 5,
      clientId: chain.rack,
      username: chain.rack,
      password: secrets.get(chain.tenant)?.rackPassword ?? '',
      reconnectPeriod: 0,
    });
    racks.set(chain.tenant, closer.add(client, (c) => c.endAsync()));
  }
}, 120_000);

afterAll(async () => {
  await closer.close();
});

/** A set of three reps with its start and end, published by the chain's own rack. */
async function publishSet(chain: Chain, setId: string, t0: number): Promise<void> {
  const rack = racks.get(chain.tenant);
  if (rack === undefined) throw new Error(`no rack for ${chain.tenant}`);
  const set = (event: 'start' | 'end', ts: number) =>
    rack.publishAsync(`gym/v1/${chain.gym}/${chain.rack}/set`, JSON.stringify({ v: 1, event, ts, setId, athleteId: chain.athlete, exercise: 'back_squat', loadKg: 100 }), { qos: 1 });
  await set('start', t0);
  for (const [i, meanVelocity] of [0.8, 0.74, 0.69].entries()) {
    await publishRep(rack, chain.gym, chain.rack, { ts: t0 + 3000 * (i + 1), athleteId: chain.athlete, setId, repIndex: i + 1, meanVelocity, concentricMs: 700, eccentricMs: 1300 });
  }
  await set('end', t0 + 12_000);
}

const inBucket = (bucket: string, labels = ''): Promise<Series[]> => exportSeries(broker.servers.env.INFLUX_URL, `{db="${bucket}"${labels}}`, { endMs: Date.now() + 2 * 86_400_000 });
const labelValues = (series: readonly Series[], label: string): string[] => [...new Set(series.flatMap((s) => (s.metric[label] === undefined ? [] : [s.metric[label]])))].sort();

describe('two tenants at once', () => {
  it("keeps each tenant's points in its bucket and each coach's console on its gym", async () => {
    const streams = CHAINS.map((chain) => ({ chain, live: openLive(chain.gym, secrets.get(chain.tenant)?.coach ?? '') }));
    for (const { live } of streams) closer.add(live, (l) => l.close());
    expect(await Promise.all(streams.map(({ live }) => live.status))).toEqual([200, 200]);

    // Both chains stream at the same time (recent sets: older ones are not shown live, decision 0019).
    const start = Date.now() - 150_000;
    await Promise.all(CHAINS.map(async (chain) => {
      for (let i = 0; i < SETS_PER_CHAIN; i++) await publishSet(chain, `s${i}`, start + i * 45_000);
    }));

    for (const chain of CHAINS) {
      const series = await waitFor(async () => {
        const found = await inBucket(chain.bucket, ',__name__="set_reps"');
        return found.length === 1 && found[0]?.values.length === SETS_PER_CHAIN ? found : undefined;
      }, { what: `${SETS_PER_CHAIN} set points in ${chain.bucket}`, timeoutMs: 30_000 });
      expect(series[0]?.values).toEqual([3, 3, 3]);
      // Nothing of the other chain, whatever the measurement: rep, set and athlete series alike.
      const all = await inBucket(chain.bucket);
      expect(labelValues(all, 'gym')).toEqual([chain.gym]);
      expect(labelValues(all, 'station')).toEqual([chain.rack]);
      expect(labelValues(all, 'athlete')).toEqual([chain.athlete]);
    }
    expect(await inBucket(broker.servers.env.INFLUX_BUCKET)).toEqual([]);

    // Each coach's stream showed its own rack, live, and nothing of the other gym.
    for (const { chain, live } of streams) {
      await waitFor(async () => (live.events.some((e) => e.event === 'station') ? true : undefined), { what: `a live station event for ${chain.gym}` });
      const stations = live.events.filter((e) => e.event === 'station').map((e) => LiveStation.parse(e.data));
      expect(new Set(stations.map((s) => `${s.gymId}/${s.stationId}`))).toEqual(new Set([`${chain.gym}/${chain.rack}`]));
    }
    // And the other gym's console answers as if it did not exist.
    const [acme, brawn] = CHAINS as [Chain, Chain];
    const acmeCoach = secrets.get(acme.tenant)?.coach ?? '';
    expect((await call('GET', `/v1/gyms/${brawn.gym}/live/snapshot`, acmeCoach)).status).toBe(404);
    expect(await openLive(brawn.gym, acmeCoach).status).toBe(404);
    const own = await call<{ stations: LiveStation[] }>('GET', `/v1/gyms/${acme.gym}/live/snapshot`, acmeCoach);
    expect(own.status).toBe(200);
    expect(own.body.stations.map((s) => s.stationId)).toEqual([acme.rack]);
  });

  it("refuses a rack publishing under the other chain's gym at the broker: nothing stored anywhere", async () => {
    const [acme, brawn] = CHAINS as [Chain, Chain];
    // A new connection of acme's rack, under its own id (the only one the broker takes from it): the streaming one is closed first.
    await racks.get(acme.tenant)?.endAsync();
    const client = await mqtt.connectAsync(broker.servers.env.MQTT_URL, {
      protocolVersion: 5,
      clientId: acme.rack,
      username: acme.rack,
      password: secrets.get(acme.tenant)?.rackPassword ?? '',
      reconnectPeriod: 0,
    });
    closer.add(client, (c) => c.endAsync());
    const publisher = ackingPublisher(client);
    const topic = `gym/v1/${brawn.gym}/${acme.rack}/rep`;
    const payload = JSON.stringify({ v: 1, ts: Date.now() - 1000, athleteId: acme.athlete, setId: 'hostile', repIndex: 1, exercise: 'back_squat', loadKg: 100, meanVelocity: 0.5 });
    expect(await publisher.publish(topic, payload)).toBe(REASON.notAuthorized);
    const letters = await redis.lrange(redisKeys(DEFAULT_REDIS_PREFIX).deadLettersOf(brawn.tenant), 0, -1);
    expect(letters.filter((text) => text.includes('hostile'))).toEqual([]);
    expect(await inBucket(brawn.bucket, `,station="${acme.rack}"`)).toEqual([]);
  });
});
