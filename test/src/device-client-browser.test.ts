// The device client in a browser: @neurolift/device-client bundled for the browser (rolldown, the
// bundler Vite uses; MQTT.js's browser build comes in by its `browser` condition), loaded in headless
// Chromium, publishing over MQTT over WebSockets (ws://) to the real broker, configured as in
// production (password file, the repository's ACL). What a wearable's gateway in a phone or tablet
// does: its messages reach the pipeline and are stored exactly as over TCP. Then the WebSocket
// listener's security: the same users and ACL as the TCP one, from the browser and from Node.
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as DeviceClientModule from '@neurolift/device-client';
import type { HrInput, ImuInput, RepInput } from '@neurolift/device-client';
import type { Pipeline } from '@neurolift/pipeline';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackages } from '../../infra/local-services.mjs';
import { writeBrokerAuth } from './harness/broker-auth.js';
import { fetchMetrics, metricSum } from './harness/metrics.js';
import { REASON, ackingPublisher, connackCode } from './harness/mqtt-reason-codes.js';
import { REPO_ROOT, pipelineEnv, startTestPipeline } from './harness/pipeline.js';
import { pipelineBrokerUsers } from './harness/pipeline-broker-users.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-web';
/** A bar sensor and a chest strap: wearables, each a station with its own credentials. */
const BAR = 'bar-0417';
const STRAP = 'hrm-5521';
const PASSWORDS = {
  [BAR]: 'bar-secret-3c81f0',
  [STRAP]: 'strap-secret-77d2ae',
  'neurolift.ingest': 'ingest-secret-b7e3a1',
  'neurolift.alerts': 'alerts-secret-c94d20',
  'observer.test': 'observer-secret-0a9e44',
} as const;
/** A test-only reader of all telemetry, over TCP. */
const OBSERVER_ACL = 'user observer.test\ntopic read gym/v1/#';

type DeviceClientApi = typeof DeviceClientModule;
/** What a call in the page reports back: errors as plain data (they do not cross the page boundary as objects). */
type PageResult = { ok: true; value?: unknown } | { ok: false; name: string; code?: string; reasonCode?: number; message: string };

let servers: LocalServices;
let pipeline: Pipeline;
let http: Server;
let pageUrl: string;
let browser: Browser;
let page: Page;
let observer: MqttClient;
/** Node clients over ws (wsClient below); ended in afterAll. */
const wsClients: MqttClient[] = [];
const observed: Array<{ topic: string; payload: string }> = [];
const pageErrors: string[] = [];

/** Bundles the device client's sources for the browser, as a gateway app would (ES module, browser conditions). */
async function bundleDeviceClient(): Promise<string> {
  const bundle = await rolldown({
    input: path.join(REPO_ROOT, 'packages/device-client/src/index.ts'),
    platform: 'browser',
    resolve: { conditionNames: ['source', 'browser', 'import', 'default'] },
    logLevel: 'warn',
  });
  try {
    const { output } = await bundle.generate({ format: 'esm' });
    const [chunk] = output;
    if (output.length !== 1 || chunk?.type !== 'chunk') throw new Error(`expected one chunk, got ${output.map((o) => o.fileName).join(', ')}`);
    return chunk.code;
  } finally {
    await bundle.close();
  }
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>gateway</title>
<script type="module">
  import * as client from '/device-client.js';
  window.deviceClient = client;
</script>`;

async function serve(bundle: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (req.url === '/device-client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'neurolift-browser-client-'));
  const auth = await writeBrokerAuth(dir, PASSWORDS, OBSERVER_ACL);
  const [started, bundle] = await Promise.all([startServers({ dir, mosquittoExtraConfig: auth.mosquittoConfig }), bundleDeviceClient(), ensurePackages(['chromium'])]);
  servers = started;
  pipeline = await startTestPipeline(pipelineEnv(servers.env, pipelineBrokerUsers(PASSWORDS)));
  observer = await mqtt.connectAsync(servers.env.MQTT_URL, { protocolVersion: 5, clientId: 'observer', username: 'observer.test', password: PASSWORDS['observer.test'] });
  observer.on('message', (topic, payload) => observed.push({ topic, payload: payload.toString() }));
  await observer.subscribeAsync(`gym/v1/${GYM}/#`, { qos: 1 });

  http = await serve(bundle);
  pageUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(pageUrl);
  await page.waitForFunction(() => 'deviceClient' in globalThis);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  await Promise.all([observer, ...wsClients].map((client) => client?.endAsync(true)));
  await pipeline?.close();
  await servers?.stop();
});

interface GatewayRun {
  readonly url: string;
  readonly gymId: string;
  readonly stationId: string;
  readonly username?: string;
  readonly password: string;
  /** Each step: a channel and a message; run in order, each awaited (the broker's PUBACK). */
  readonly steps: ReadonlyArray<readonly ['rep' | 'set' | 'imu' | 'hr', unknown]>;
  /** Resolve connect() first (false: publish at once, for a refused connection). */
  readonly connectFirst: boolean;
}

/**
 * Runs a gateway session in the page: createDeviceClient over `url`, connect, the publishes, close.
 * Returns one result per call (connect first when asked, then each publish), errors as data.
 */
function runInBrowser(run: GatewayRun): Promise<PageResult[]> {
  return page.evaluate(async (args: GatewayRun): Promise<PageResult[]> => {
    const api = (globalThis as unknown as { deviceClient: DeviceClientApi }).deviceClient;
    const asResult = (error: unknown): PageResult => {
      const e = error as { name?: string; code?: unknown; reasonCode?: unknown; message?: string };
      return {
        ok: false,
        name: String(e.name),
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
        ...(typeof e.reasonCode === 'number' ? { reasonCode: e.reasonCode } : {}),
        message: String(e.message),
      };
    };
    const attempt = async (call: () => Promise<unknown>): Promise<PageResult> => {
      try {
        return { ok: true, value: await call() };
      } catch (error) {
        return asResult(error);
      }
    };
    const client = api.createDeviceClient({
      url: args.url,
      gymId: args.gymId,
      stationId: args.stationId,
      password: args.password,
      ...(args.username === undefined ? {} : { username: args.username }),
      model: 'browser-gateway',
      // A refused connection is retried in the background; slowly, so the test's broker log stays small.
      mqtt: { reconnectPeriod: 2000, connectTimeout: 5000 },
    });
    const results: PageResult[] = [];
    try {
      if (args.connectFirst) results.push(await attempt(() => client.connect()));
      else void client.connect().catch(() => undefined);
      for (const [channel, message] of args.steps) {
        results.push(
          await attempt(() => {
            switch (channel) {
              case 'rep': return client.publishRep(message as RepInput);
              case 'set': return client.publishSet(message as Parameters<typeof client.publishSet>[0]);
              case 'imu': return client.publishImu(message as ImuInput);
              case 'hr': return client.publishHr(message as HrInput);
            }
          }),
        );
      }
    } finally {
      await client.close({ timeoutMs: 2000 });
    }
    return results;
  }, run);
}

const T0 = Date.now() - 60_000;
const SET_ID = 'web-set-1';
const imuBlock: ImuInput = {
  t0: T0,
  hz: 200,
  athleteId: 'a-web',
  setId: SET_ID,
  exercise: 'back_squat',
  loadKg: 100,
  mount: 'bar',
  accel: { x: [0.12, 0.1, 0.11], y: [-0.05, -0.04, -0.05], z: [9.79, 9.83, 9.81] },
  gyro: { x: [0.001, 0.002, 0.001], y: [0, -0.001, 0], z: [0.003, 0.002, 0.002] },
};
const hrBlock: HrInput = { t0: T0 - 5000, athleteId: 'a-web', bpm: [96, 97, 99, 101, 104], rr: [612, 605, 598, 590] };
const rep = (repIndex: number, meanVelocity: number): RepInput => ({
  ts: T0 + repIndex * 3000,
  athleteId: 'a-web',
  setId: SET_ID,
  exercise: 'back_squat',
  repIndex,
  loadKg: 100,
  meanVelocity,
});

/** A gateway session in the page as the bar sensor, over ws, connecting first: `steps` in order. */
const runAsBar = (steps: GatewayRun['steps']): Promise<PageResult[]> =>
  runInBrowser({ url: servers.env.MQTT_WS_URL, gymId: GYM, stationId: BAR, password: PASSWORDS[BAR], connectFirst: true, steps });

async function storedVelocities(station: string): Promise<number[] | undefined> {
  const series = await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{gym="${GYM}",station="${station}"}`);
  const values = series[0]?.values;
  return values !== undefined && values.length >= 3 ? values : undefined;
}

const storedCount = async (channel: string): Promise<number> => metricSum(await fetchMetrics(pipeline.apiUrl), 'neurolift_ingest_messages_stored_total', { channel });

describe('the device client in headless Chromium, over MQTT over WebSockets', () => {
  it('the page has the bundled client and no Node globals', async () => {
    expect(await page.evaluate(() => typeof (globalThis as unknown as { deviceClient: DeviceClientApi }).deviceClient.createDeviceClient)).toBe('function');
    expect(await page.evaluate(() => typeof (globalThis as { Buffer?: unknown }).Buffer)).toBe('undefined');
    expect(servers.env.MQTT_WS_URL).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('publishes a set, its reps and the v1.1 imu and hr blocks; the broker acknowledges each and the pipeline stores them', async () => {
    const imuBefore = await storedCount('imu');
    const hrBefore = await storedCount('hr');
    const results = await runAsBar([
      ['set', { event: 'start', ts: T0, setId: SET_ID, athleteId: 'a-web', exercise: 'back_squat', loadKg: 100 }],
      ['imu', imuBlock],
      ['rep', rep(1, 0.71)],
      ['rep', rep(2, 0.68)],
      ['rep', rep(3, 0.64)],
      ['set', { event: 'end', ts: T0 + 10_000, setId: SET_ID, athleteId: 'a-web', exercise: 'back_squat', loadKg: 100 }],
    ]);
    expect(results, JSON.stringify(results)).toEqual(Array.from({ length: 7 }, () => ({ ok: true })));
    // The strap: another station, its own credentials, same page.
    const strap = await runInBrowser({ url: `${servers.env.MQTT_WS_URL}/mqtt`, gymId: GYM, stationId: STRAP, password: PASSWORDS[STRAP], connectFirst: true, steps: [['hr', hrBlock]] });
    expect(strap, JSON.stringify(strap)).toEqual([{ ok: true }, { ok: true }]);

    // Through the real pipeline: the reps are in the TSDB under the wearable's station.
    expect(await waitFor(() => storedVelocities(BAR), { what: `the reps of ${BAR} in the TSDB`, timeoutMs: 20_000 })).toEqual([0.71, 0.68, 0.64]);
    // Ingest accepted the imu and hr blocks (validated, passed on to the worker).
    await waitFor(async () => ((await storedCount('imu')) > imuBefore && (await storedCount('hr')) > hrBefore ? true : undefined), { what: 'the imu and hr blocks accepted by ingest' });

    // Byte for byte what a TCP subscriber sees: the protocol's JSON with v: 1, on each station's own topics.
    const bodies = (topic: string): unknown[] => observed.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as unknown);
    await waitFor(async () => (bodies(`gym/v1/${GYM}/${STRAP}/hr`).length > 0 ? true : undefined), { what: 'the hr block at the TCP observer' });
    expect(bodies(`gym/v1/${GYM}/${BAR}/imu`)).toEqual([{ v: 1, ...imuBlock }]);
    expect(bodies(`gym/v1/${GYM}/${STRAP}/hr`)).toEqual([{ v: 1, ...hrBlock }]);
    expect(bodies(`gym/v1/${GYM}/${BAR}/rep`)).toHaveLength(3);
    // Presence: online after connecting, offline (retained) on close.
    expect(bodies(`gym/v1/${GYM}/${BAR}/status`)).toEqual([
      expect.objectContaining({ v: 1, online: true, model: 'browser-gateway' }),
      expect.objectContaining({ v: 1, online: false }),
    ]);
    expect(pageErrors).toEqual([]);
  });

  it('an invalid message is refused in the page before anything is sent', async () => {
    const before = observed.length;
    const results = await runAsBar([['imu', { ...imuBlock, gyro: { x: [0], y: [0], z: [0] } }], ['hr', { ...hrBlock, bpm: [251] }]]);
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, name: 'InvalidMessageError', code: 'NL_ERR_INVALID_MESSAGE', message: expect.stringContaining('gyro.x') as unknown });
    expect(results[2]).toMatchObject({ ok: false, code: 'NL_ERR_INVALID_MESSAGE', message: expect.stringContaining('bpm.0: bpm values must be 25 to 250') as unknown });
    // Only the session's own status messages went out.
    await waitFor(async () => (observed.length >= before + 2 ? true : undefined), { what: 'the status messages of the session' });
    expect(observed.slice(before).map((m) => m.topic)).toEqual([`gym/v1/${GYM}/${BAR}/status`, `gym/v1/${GYM}/${BAR}/status`]);
  });
});

describe('the WebSocket listener has the same authentication and ACL as TCP', () => {
  it('the browser client with a wrong password is refused (not authorized)', async () => {
    const results = await runInBrowser({ url: servers.env.MQTT_WS_URL, gymId: GYM, stationId: BAR, password: 'wrong', connectFirst: true, steps: [] });
    expect(results).toEqual([expect.objectContaining({ ok: false, name: 'BrokerRefusedError', code: 'NL_ERR_BROKER_REFUSED', reasonCode: REASON.notAuthorized })]);
  });

  it('the browser client publishing outside its ACL (another station’s topics) is refused, and nothing arrives', async () => {
    const before = observed.length;
    // Valid credentials of the bar sensor, but speaking as another station: the ACL binds topics to the username.
    const results = await runInBrowser({
      url: servers.env.MQTT_WS_URL,
      gymId: GYM,
      stationId: 'intruder-1',
      username: BAR,
      password: PASSWORDS[BAR],
      connectFirst: true,
      steps: [['rep', rep(9, 0.5)], ['hr', hrBlock]],
    });
    expect(results[0]).toEqual({ ok: true });
    for (const refused of results.slice(1)) {
      expect(refused).toMatchObject({ ok: false, name: 'BrokerRefusedError', code: 'NL_ERR_BROKER_REFUSED', reasonCode: REASON.notAuthorized });
    }
    // A rep on the bar's own topics, after, arrives: the refused ones were not just late.
    const own = await ackingPublisher(await wsClient(BAR)).publish(`gym/v1/${GYM}/${BAR}/set`, JSON.stringify({ v: 1, event: 'start', ts: Date.now(), setId: 'after', athleteId: 'a-web', exercise: 'back_squat' }));
    expect(own).toBe(REASON.success);
    await waitFor(async () => (observed.slice(before).some((m) => m.payload.includes('"after"')) ? true : undefined), { what: 'the own-topic message' });
    expect(observed.slice(before).filter((m) => m.topic.includes('intruder-1'))).toEqual([]);
  });

  it('CONNACK over ws equals CONNACK over TCP for every credential case (MQTT 5 and 3.1.1)', async () => {
    const cases = [
      {},
      { username: BAR, password: 'wrong' },
      { username: BAR, password: PASSWORDS[STRAP] },
      { username: 'nobody', password: 'anything' },
      { username: BAR, password: PASSWORDS[BAR] },
      { protocolVersion: 4 as const },
      { protocolVersion: 4 as const, username: STRAP, password: PASSWORDS[STRAP] },
    ];
    const expected = [REASON.notAuthorized, REASON.notAuthorized, REASON.notAuthorized, REASON.notAuthorized, REASON.success, REASON.v311NotAuthorized, REASON.success];
    const overWs: number[] = [];
    const overTcp: number[] = [];
    for (const options of cases) {
      overWs.push(await connackCode(servers.env.MQTT_WS_URL, options));
      overTcp.push(await connackCode(servers.env.MQTT_URL, options));
    }
    expect(overWs).toEqual(expected);
    expect(overTcp).toEqual(expected);
  });

  it('a station over ws may publish below its own topics in any gym, and nowhere else', async () => {
    const strap = ackingPublisher(await wsClient(STRAP));
    const hr = JSON.stringify({ v: 1, ...hrBlock, t0: Date.now() - 1000 });
    expect(await strap.publish(`gym/v1/${GYM}/${STRAP}/hr`, hr)).toBe(REASON.success);
    expect(await strap.publish(`gym/v1/home-a-web/${STRAP}/hr`, hr)).toBe(REASON.success);
    expect(await strap.publish(`gym/v1/${GYM}/${BAR}/hr`, hr)).toBe(REASON.notAuthorized);
    expect(await strap.publish(`gym/v1/${GYM}/alerts`, '{}')).toBe(REASON.notAuthorized);
    expect(await strap.publish(`other/${STRAP}/hr`, hr)).toBe(REASON.notAuthorized);
  });
});

/** A Node MQTT.js client over WebSockets as `user` (its own password); ended in afterAll. */
async function wsClient(user: typeof BAR | typeof STRAP): Promise<MqttClient> {
  const client = await mqtt.connectAsync(servers.env.MQTT_WS_URL, {
    protocolVersion: 5,
    clientId: `${user}-node-${Math.random().toString(36).slice(2, 8)}`,
    username: user,
    password: PASSWORDS[user],
    reconnectPeriod: 0,
  });
  wsClients.push(client);
  return client;
}
