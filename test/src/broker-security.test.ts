// The broker configured as in production (infra/mosquitto/mosquitto.conf): the dynamic security plugin,
// no anonymous clients. The pipeline connects with its own users from the plugin's bootstrap file
// (ingest reads, alerts writes gym/v1/+/alerts); stations and a coach app are registered live through
// BrokerAccess, each confined to its own topics. The API refuses requests without its token.
import { readFile } from 'node:fs/promises';
import { AlertMessage } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNSEC_PASSWORDS, dynsecPipelineUsers, startDynsecServers, subackCode, testDevice, type DynsecServers } from './harness/dynsec-broker.js';
import { ingestCounts, waitForIngestQuiet } from './harness/metrics.js';
import { REASON, ackingPublisher, connackCode, type AckingPublisher } from './harness/mqtt-reason-codes.js';
import { API_TOKEN, getJson, pipelineEnv, repPayload, startTestPipeline, type DeadLetterList, type RepInput } from './harness/pipeline.js';
import { exportSeries, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-x';
const COACH = 'coach-gym-x';
const PASSWORDS = {
  'st-a': 'st-a-secret-4f1c9e',
  'st-b': 'st-b-secret-8a02d7',
  [COACH]: 'coach-secret-19ab6f',
  'neurolift.ingest': DYNSEC_PASSWORDS.ingest,
  'neurolift.alerts': DYNSEC_PASSWORDS.alerts,
} as const;
type User = keyof typeof PASSWORDS;
const ALERTS_TOPIC = `gym/v1/${GYM}/alerts`;

let rig: DynsecServers;
let servers: LocalServices;
let pipeline: Pipeline;
const clients: MqttClient[] = [];
let stationAClient: MqttClient;
let stationA: AckingPublisher;
let stationB: AckingPublisher;
let coachClient: MqttClient;
const coachReceived: Array<{ topic: string; payload: string }> = [];

/**
 * Connects as `user` (MQTT 5 unless told), with its own password; ended in afterAll. The client id is the
 * user's name: the only one the broker takes from a device, so a device has one connection at a time.
 */
async function connectAs(user: User, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(servers.env.MQTT_URL, {
    protocolVersion: 5,
    clientId: user,
    username: user,
    password: PASSWORDS[user],
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  rig = await startDynsecServers();
  servers = rig.servers;
  // Registered as the device registry does, while the broker runs.
  await rig.access.upsertDevice(testDevice('st-a', 'equipment', [GYM], PASSWORDS['st-a']), PASSWORDS['st-a']);
  await rig.access.upsertDevice(testDevice('st-b', 'equipment', [GYM], PASSWORDS['st-b']), PASSWORDS['st-b']);
  await rig.access.upsertDevice(testDevice(COACH, 'coach-app', [GYM], PASSWORDS[COACH]), PASSWORDS[COACH]);
  pipeline = await startTestPipeline(pipelineEnv(servers.env, dynsecPipelineUsers()));
  await openStationA();
  stationB = ackingPublisher(await connectAs('st-b'));
  const coach = (coachClient = await connectAs(COACH));
  coach.on('message', (topic, payload) => coachReceived.push({ topic, payload: payload.toString() }));
  expect(await subackCode(coach, ALERTS_TOPIC)).toBe(1);
  // Telemetry the coach must not read: the broker refuses the subscription.
  expect(await subackCode(coach, `gym/v1/${GYM}/+/+`)).toBe(REASON.notAuthorized);
});

/** st-a's connection the tests share. */
async function openStationA(): Promise<void> {
  stationAClient = await connectAs('st-a');
  stationA = ackingPublisher(stationAClient);
}

/** Runs `use` while st-a's shared connection is closed (another one of st-a's would take its place), then opens it again. */
async function withoutStationA(use: () => Promise<void>): Promise<void> {
  await stationAClient.endAsync();
  try {
    await use();
  } finally {
    await openStationA();
  }
}

afterAll(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  await pipeline?.close();
  await rig?.stop();
});

const topicOf = (station: string, channel: string): string => `gym/v1/${GYM}/${station}/${channel}`;
const rep = (fields: Partial<RepInput> = {}): string =>
  repPayload({ ts: Date.now() - 10_000, setId: 's-1', repIndex: 1, meanVelocity: 0.6, ...fields });

async function repSeries(station: string): Promise<number[] | undefined> {
  const series = await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{gym="${GYM}",station="${station}"}`);
  return series[0]?.values;
}

describe('authentication', () => {
  it('refuses a client without credentials (MQTT 5 and 3.1.1)', async () => {
    expect(await connackCode(servers.env.MQTT_URL, {})).toBe(REASON.notAuthorized);
    expect(await connackCode(servers.env.MQTT_URL, { protocolVersion: 4 })).toBe(REASON.v311NotAuthorized);
  });

  it('refuses a wrong password, another station’s password and an unknown user', async () => {
    const url = servers.env.MQTT_URL;
    expect(await connackCode(url, { clientId: 'st-a', username: 'st-a', password: 'wrong' })).toBe(REASON.notAuthorized);
    expect(await connackCode(url, { clientId: 'st-a', username: 'st-a', password: PASSWORDS['st-b'] })).toBe(REASON.notAuthorized);
    expect(await connackCode(url, { clientId: 'st-z', username: 'st-z', password: 'anything' })).toBe(REASON.notAuthorized);
    await withoutStationA(async () => {
      expect(await connackCode(url, { clientId: 'st-a', username: 'st-a', password: PASSWORDS['st-a'] })).toBe(REASON.success);
    });
  });

  it('the pipeline connects with its own users: ingest as neurolift.ingest, alerts as neurolift.alerts', async () => {
    const log = await waitFor(
      async () => {
        const text = await readFile(servers.mosquitto.logFile, 'utf8');
        return /as neurolift-ingest \(p5, c0, k\d+, u'neurolift\.ingest'\)/.test(text) && /as neurolift-alerts \(p5, c1, k\d+, u'neurolift\.alerts'\)/.test(text) ? text : undefined;
      },
      { what: 'both pipeline connections in the broker log' },
    );
    expect(log).not.toMatch(/neurolift-(ingest|alerts) disconnected, not authorised/);
    expect((await fetch(`${pipeline.apiUrl}/readyz`)).status).toBe(200);
  });
});

describe('topic access (device roles)', () => {
  it('a station publishes below its own topics and its rep is stored', async () => {
    expect(await stationA.publish(topicOf('st-a', 'rep'), rep({ setId: 'own-1', meanVelocity: 0.61 }))).toBe(REASON.success);
    expect(await waitFor(() => repSeries('st-a'), { what: 'st-a’s rep in the TSDB' })).toEqual([0.61]);
  });

  it('a station cannot publish as another station: refused by the broker, nothing reaches the pipeline', async () => {
    const before = await ingestCounts(pipeline.apiUrl);
    const lettersBefore = (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`)).body.total;
    // MQTT 5: PUBACK 0x87 not authorized.
    expect(await stationA.publish(topicOf('st-b', 'rep'), rep({ setId: 'spoof-1' }))).toBe(REASON.notAuthorized);
    expect(await stationA.publish(topicOf('st-b', 'status'), JSON.stringify({ v: 1, online: false }))).toBe(REASON.notAuthorized);
    // st-a's credentials with st-b's client id, or any other than its own: refused at CONNECT (st-b's connection, used below, stays).
    expect(await connackCode(servers.env.MQTT_URL, { clientId: 'st-b', username: 'st-a', password: PASSWORDS['st-a'] })).toBe(REASON.notAuthorized);
    expect(await connackCode(servers.env.MQTT_URL, { clientId: 'st-b-spoof', username: 'st-a', password: PASSWORDS['st-a'] })).toBe(REASON.notAuthorized);
    // MQTT 3.1.1 has no reason codes: the broker acknowledges and drops the message.
    await withoutStationA(async () => {
      const v311 = await connectAs('st-a', { protocolVersion: 4 });
      expect(await ackingPublisher(v311).publish(topicOf('st-b', 'rep'), rep({ setId: 'spoof-3' }))).toBe(REASON.success);
      await v311.endAsync();
    });

    // A rep of st-a's own after them: once stored, anything forwarded before it would have been handled.
    expect(await stationA.publish(topicOf('st-a', 'rep'), rep({ setId: 'own-2', repIndex: 1, meanVelocity: 0.62 }))).toBe(REASON.success);
    await waitFor(async () => ((await repSeries('st-a'))?.includes(0.62) ? true : undefined), { what: 'st-a’s second rep' });
    const after = await waitForIngestQuiet(pipeline.apiUrl, before, 1);
    expect(after.received - before.received).toBe(1);
    expect(await exportSeries(servers.env.INFLUX_URL, `{station="st-b"}`)).toEqual([]);
    const letters = (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`)).body;
    expect(letters.total).toBe(lettersBefore);
    expect(letters.items.filter((item) => item.topic.includes('/st-b/'))).toEqual([]);
  });

  it('a station receives nothing of another station’s topics, whatever it subscribes to', async () => {
    // st-b's presence, retained as the protocol asks: a later subscriber of st-a must not get it either.
    expect(await stationB.publish(topicOf('st-b', 'status'), JSON.stringify({ v: 1, online: true }), { retain: true })).toBe(REASON.success);
    // st-a's own connection subscribes: a second one of st-a's would take its place.
    const snoop = stationAClient;
    const received: string[] = [];
    snoop.on('message', (topic) => received.push(topic));
    // Its own topics are granted; the plugin refuses the rest at SUBSCRIBE (0x87), and would refuse their messages at delivery.
    const filters = [`gym/v1/${GYM}/st-a/#`, `gym/v1/${GYM}/st-b/#`, 'gym/v1/+/+/+', '#', '$SYS/#'];
    const granted: Record<string, number> = {};
    for (const filter of filters) granted[filter] = await subackCode(snoop, filter);
    expect(granted).toEqual(Object.fromEntries(filters.map((filter, i) => [filter, i === 0 ? 1 : REASON.notAuthorized])));

    expect(await stationB.publish(topicOf('st-b', 'rep'), rep({ setId: 'b-1', meanVelocity: 0.7 }))).toBe(REASON.success);
    // st-a's own message after st-b's: when it arrives, st-b's would have arrived before it.
    expect(await stationA.publish(topicOf('st-a', 'status'), JSON.stringify({ v: 1, online: true }))).toBe(REASON.success);
    await waitFor(async () => (received.includes(topicOf('st-a', 'status')) ? true : undefined), { what: 'st-a’s own status at its subscriber' });
    expect(received.filter((topic) => !topic.startsWith(`gym/v1/${GYM}/st-a/`))).toEqual([]);
    // st-b's messages did reach the pipeline (the ingest user reads every station).
    expect(await waitFor(() => repSeries('st-b'), { what: 'st-b’s rep in the TSDB' })).toEqual([0.7]);
  });

  it('only the alerts service publishes coach alerts; coaches read alerts and no telemetry', async () => {
    // A station, and the ingest's user, cannot publish on the alerts topic; ingest cannot publish telemetry.
    expect(await stationA.publish(ALERTS_TOPIC, JSON.stringify({ id: 'f'.repeat(32), rule: 'high_fatigue', message: 'spoofed' }))).toBe(REASON.notAuthorized);
    const ingestUser = ackingPublisher(await connectAs('neurolift.ingest', { clientId: 'ingest-probe' }));
    expect(await ingestUser.publish(ALERTS_TOPIC, '{}')).toBe(REASON.notAuthorized);
    expect(await ingestUser.publish(topicOf('st-a', 'rep'), rep({ setId: 'by-ingest' }))).toBe(REASON.notAuthorized);
    const alertsUser = ackingPublisher(await connectAs('neurolift.alerts', { clientId: 'alerts-probe' }));
    expect(await alertsUser.publish(topicOf('st-a', 'rep'), rep({ setId: 'by-alerts' }))).toBe(REASON.notAuthorized);

    // A station going offline mid-set: the alerts service publishes station_offline as neurolift.alerts.
    expect(await stationA.publish(topicOf('st-a', 'rep'), rep({ setId: 'off-1', athleteId: 'ath-off', meanVelocity: 0.5 }))).toBe(REASON.success);
    expect(await stationA.publish(topicOf('st-a', 'status'), JSON.stringify({ v: 1, online: false }))).toBe(REASON.success);
    const alert = await waitFor(
      async () => {
        const alerts = coachReceived.filter((m) => m.topic === ALERTS_TOPIC).map((m) => AlertMessage.parse(JSON.parse(m.payload)));
        return alerts.find((a) => a.rule === 'station_offline');
      },
      { what: 'the station_offline alert at the coach app', timeoutMs: 20_000 },
    );
    expect(alert).toMatchObject({ rule: 'station_offline', gymId: GYM, stationId: 'st-a', setId: 'off-1', athleteId: 'ath-off' });
    // Everything the coach got is the alerts service's (other rules may fire on st-a's sets too): no
    // spoofed alert, no telemetry of the stations.
    expect(coachReceived.map((m) => m.topic)).toEqual(coachReceived.map(() => ALERTS_TOPIC));
    for (const message of coachReceived) expect(AlertMessage.safeParse(JSON.parse(message.payload)).success).toBe(true);
  });

  it('a coach app publishes nothing, not even below its own name: refused, nothing reaches the pipeline', async () => {
    const coach = ackingPublisher(coachClient);
    const lettersBefore = (await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`)).body.total;
    expect(await coach.publish(topicOf(COACH, 'rep'), rep({ setId: 'by-coach' }))).toBe(REASON.notAuthorized);
    expect(await coach.publish(ALERTS_TOPIC, '{}')).toBe(REASON.notAuthorized);
    // A station's message after them: once it is stored, anything forwarded before it was handled.
    expect(await stationB.publish(topicOf('st-b', 'rep'), rep({ setId: 'after-coach', meanVelocity: 0.71 }))).toBe(REASON.success);
    await waitFor(async () => ((await repSeries('st-b'))?.includes(0.71) ? true : undefined), { what: 'st-b’s rep after the coach’s' });
    expect((await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters?limit=1000`)).body.total).toBe(lettersBefore);
    expect(await exportSeries(servers.env.INFLUX_URL, `{station="${COACH}"}`)).toEqual([]);
  });
});

describe('api', () => {
  const url = (route: string): string => `${pipeline.apiUrl}${route}`;
  const routes: ReadonlyArray<{ name: string; method: string; route: string; body?: unknown }> = [
    { name: 'dead letters', method: 'GET', route: '/v1/dead-letters' },
    { name: 'read a profile', method: 'GET', route: '/v1/athletes/ath-sec/profile' },
    { name: 'write a profile', method: 'PUT', route: '/v1/athletes/ath-sec/profile', body: { bodyMassKg: 80 } },
    { name: 'live snapshot', method: 'GET', route: `/v1/gyms/${GYM}/live/snapshot` },
    { name: 'live stream', method: 'GET', route: `/v1/gyms/${GYM}/live` },
  ];

  it.each(routes)('$name: 401 without the token and with a wrong one', async ({ method, route, body }) => {
    const init = (headers: Record<string, string>): RequestInit => ({
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: API_TOKEN }, { authorization: `Basic ${API_TOKEN}` }]) {
      const res = await fetch(url(route), init(headers));
      expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      await res.body?.cancel();
    }
  });

  it('a refused write changes nothing, and the live stream refuses a wrong ?token=', async () => {
    expect((await getJson(url('/v1/athletes/ath-sec/profile'))).status).toBe(404);
    const res = await fetch(url(`/v1/gyms/${GYM}/live?token=wrong-token`), { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(401);
    await res.body?.cancel();
    const snapshot = await fetch(url(`/v1/gyms/${GYM}/live/snapshot?token=${API_TOKEN}`), { signal: AbortSignal.timeout(5000) });
    expect(snapshot.status, 'the snapshot takes the token in the header only').toBe(401);
    await snapshot.body?.cancel();
  });
});
