// The live coach console end to end: a real Redis, the api in-process, headless Chromium. Live state and
// events are written exactly as services/alerts writes them (the contracts' keys and schemas), and the
// page must follow them without a reload. With UPDATE_SCREENSHOTS=1 it also saves docs/console.png, the
// README's screenshot (a plain run leaves the docs alone).
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ApiConfigSchema, startApi, type ApiService } from '@neurolift/api';
import { AlertMessage, LiveEvent, LiveStation, redisKeys, type LiveRep } from '@neurolift/contracts';
import { createLogger, createRegistry, loadConfig } from '@neurolift/platform';
import { createRedisTokenStore, tenancyKeys } from '@neurolift/tenancy';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensurePackages } from '../../infra/local-services.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local-services.mjs';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';
// The worker's write of an athlete's live heart rate (not exported by the worker package: its built module).
import { writeLiveHeartRate } from '@neurolift/stimulus-worker';

const TOKEN = 'console-test-token-0123456789';
const keys = redisKeys('{console}');
const SCREENSHOT = fileURLToPath(new URL('../../docs/console.png', import.meta.url));
/** The console's colours (console.css), as getComputedStyle reports them. */
const COLOURS = { green: 'rgb(34, 197, 94)', amber: 'rgb(245, 165, 36)', red: 'rgb(239, 68, 68)' };
const NOW = Date.now();

let servers: LocalServices<'redis'>;
let redis: Redis;
let api: ApiService;
let browser: Browser;

const apiEnv = () => ({ REDIS_URL: servers.env.REDIS_URL, REDIS_PREFIX: keys.prefix, API_PORT: '0', API_HOST: '127.0.0.1', API_TOKEN: TOKEN });

beforeAll(async () => {
  servers = await startServers({ services: ['redis'] });
  redis = new Redis(servers.env.REDIS_URL);
  api = await startApi(loadConfig('api', ApiConfigSchema, apiEnv()), createLogger({ name: 'test', level: 'error' }), {
    registry: createRegistry({ defaultMetrics: false }),
  });
  // Debian's Chromium (installed with apt-get when missing and running as root, like the servers).
  await ensurePackages(['chromium']);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await redis?.quit();
  await servers?.stop();
});

interface SetSpec {
  gymId: string; stationId: string; athleteId: string; setId: string; exercise: string; loadKg: number;
  /** Mean velocity of each rep so far, m/s. */
  velocities: number[];
  open?: boolean; sessionNsi?: number; startedAt?: number;
}

/** A station's live state as the alerts service builds it: loss against the fastest of the first three reps. */
function liveStation(spec: SetSpec): LiveStation {
  const startedAt = spec.startedAt ?? NOW - 60_000;
  const reps: LiveRep[] = spec.velocities.map((meanVelocity, i) => {
    const reference = Math.max(...spec.velocities.slice(0, Math.min(i + 1, 3)));
    const velocityLossPct = Math.round(((reference - meanVelocity) / reference) * 1000) / 10;
    return { repIndex: i + 1, meanVelocity, velocityLossPct, ts: startedAt + i * 3_500 };
  });
  const { velocities: _, startedAt: __, open, ...ids } = spec;
  return LiveStation.parse({
    ...ids,
    reps,
    velocityLossPct: reps.at(-1)?.velocityLossPct ?? 0,
    fatigueAmberPct: 30,
    fatigueRedPct: 40,
    open: open ?? true,
    updatedAt: reps.at(-1)?.ts ?? startedAt,
  });
}

async function putStation(station: LiveStation): Promise<void> {
  const event = LiveEvent.parse({ type: 'station', station });
  await redis
    .multi()
    .hset(keys.liveStations(station.gymId), station.stationId, JSON.stringify(station))
    .publish(keys.liveChannel(station.gymId), JSON.stringify(event))
    .exec();
}

/** Publishes the set one rep at a time, as a lifter would produce it. */
async function liftReps(spec: SetSpec, from: number): Promise<LiveStation> {
  let station = liveStation({ ...spec, velocities: spec.velocities.slice(0, from) });
  for (let n = from; n <= spec.velocities.length; n++) {
    station = liveStation({ ...spec, velocities: spec.velocities.slice(0, n) });
    await putStation(station);
  }
  return station;
}

function highFatigue(station: LiveStation, severity: 'amber' | 'red'): AlertMessage {
  const threshold = severity === 'red' ? station.fatigueRedPct : station.fatigueAmberPct;
  const rep = station.reps.find((r) => (r.velocityLossPct ?? 0) > threshold) ?? station.reps[station.reps.length - 1];
  const loss = rep?.velocityLossPct ?? 0;
  return AlertMessage.parse({
    id: createHash('md5').update(`${station.setId}/${severity}`).digest('hex'),
    rule: 'high_fatigue',
    severity,
    gymId: station.gymId,
    stationId: station.stationId,
    athleteId: station.athleteId,
    setId: station.setId,
    exercise: station.exercise,
    value: loss,
    threshold,
    unit: 'percent',
    message: `Athlete ${station.athleteId}: velocity loss ${Math.round(loss)} % in set ${station.setId} (${station.exercise}) at rep ${rep?.repIndex ?? 0}, above ${threshold} %`,
    model: 'nsi-1',
    ts: rep?.ts ?? NOW,
  });
}

async function putAlert(alert: AlertMessage): Promise<void> {
  await redis
    .multi()
    .lpush(keys.liveAlerts(alert.gymId), JSON.stringify(alert))
    .ltrim(keys.liveAlerts(alert.gymId), 0, 49)
    .publish(keys.liveChannel(alert.gymId), JSON.stringify(LiveEvent.parse({ type: 'alert', alert })))
    .exec();
}

async function openPage(path: string): Promise<{ page: Page; navigations: () => number }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 1024 } });
  page.setDefaultTimeout(10_000);
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.goto(`${api.url}${path}`);
  return { page, navigations: () => navigations };
}

/** Evaluated as a string: the test project is compiled for Node, without DOM types. */
async function backgroundColor(page: Page, selector: string): Promise<string> {
  return String(await page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`));
}

/** One attribute of every element matching `selector`, in document order. */
async function attributes(page: Page, selector: string, name: string): Promise<Array<string | null>> {
  return Promise.all((await page.locator(selector).all()).map((element) => element.getAttribute(name)));
}

const repVelocities = (page: Page, stationId: string) => attributes(page, `[data-station="${stationId}"] [data-rep]`, 'data-velocity');

async function subscribers(channel: string): Promise<number> {
  const reply = await redis.pubsub('NUMSUB', channel);
  return Number(reply[1]);
}

const gym = (gymId: string) => (spec: Omit<SetSpec, 'gymId'>): SetSpec => ({ gymId, ...spec });

describe('live coach console', () => {
  it('shows the gym on load and follows reps, gauges and alerts live, without reloading', async () => {
    const riverside = gym('riverside');
    const squat = riverside({ stationId: 'rack-1', athleteId: 'ath-7f3c', setId: 'sq-0931', exercise: 'back_squat', loadKg: 120, velocities: [0.62, 0.64, 0.6, 0.57, 0.53], sessionNsi: 12.4 });
    const bench = riverside({ stationId: 'rack-2', athleteId: 'ath-2b91', setId: 'bp-0412', exercise: 'bench_press', loadKg: 85, velocities: [0.55, 0.53, 0.5, 0.47, 0.43, 0.36] });
    const deadlift = riverside({ stationId: 'platform-3', athleteId: 'ath-c4d0', setId: 'dl-0207', exercise: 'deadlift', loadKg: 180, velocities: [0.48, 0.45, 0.4, 0.33, 0.27], sessionNsi: 26.3, startedAt: NOW - 20_000 });
    const press = riverside({ stationId: 'cable-4', athleteId: 'ath-19ea', setId: 'op-1170', exercise: 'overhead_press', loadKg: 50, velocities: [0.71, 0.69, 0.66, 0.64], sessionNsi: 31, open: false });
    await putStation(liveStation({ ...squat, velocities: squat.velocities.slice(0, 3) }));
    await putStation(liveStation({ ...bench, velocities: bench.velocities.slice(0, 4) }));
    await putStation(liveStation(press));

    const { page, navigations } = await openPage(`/console?gym=riverside&token=${TOKEN}`);
    await page.locator('[data-connection="live"]').waitFor();
    expect(await page.locator('[data-station]').count()).toBe(3);
    expect(await repVelocities(page, 'rack-1')).toEqual(['0.62', '0.64', '0.6']);
    expect(await page.getAttribute('[data-station="cable-4"]', 'data-open')).toBe('false');
    expect(await page.getAttribute('[data-station="cable-4"] [data-nsi]', 'data-nsi')).toBe('31');
    expect(await page.getAttribute('[data-station="rack-2"] [data-nsi]', 'data-nsi')).toBe('');
    expect(await page.getAttribute('[data-station="rack-2"] [data-gauge]', 'data-level')).toBe('green');

    // Live: two more squat reps, the bench set turns amber, a deadlift set appears and turns red.
    await liftReps(squat, 4);
    const benchDone = await liftReps(bench, 5);
    await putAlert(highFatigue(benchDone, 'amber'));
    const deadliftDone = await liftReps(deadlift, 1);
    await putAlert(highFatigue(deadliftDone, 'red'));

    await page.locator('[data-station="rack-1"] [data-rep="5"][data-velocity="0.53"]').waitFor();
    expect(await repVelocities(page, 'rack-1')).toEqual(['0.62', '0.64', '0.6', '0.57', '0.53']);
    await page.locator('[data-station="rack-2"] [data-gauge][data-level="amber"][data-vl="34.5"]').waitFor();
    await page.locator('[data-station="platform-3"] [data-gauge][data-level="red"][data-vl="43.7"]').waitFor();
    expect(await repVelocities(page, 'platform-3')).toEqual(['0.48', '0.45', '0.4', '0.33', '0.27']);
    expect(await page.getAttribute('[data-station="rack-1"] [data-gauge]', 'data-level')).toBe('green');
    expect(await backgroundColor(page, '[data-station="rack-1"] .gauge-fill')).toBe(COLOURS.green);
    expect(await backgroundColor(page, '[data-station="rack-2"] .gauge-fill')).toBe(COLOURS.amber);
    expect(await backgroundColor(page, '[data-station="platform-3"] .gauge-fill')).toBe(COLOURS.red);
    expect(await page.locator('[data-station="platform-3"] [data-field="vl"]').textContent()).toBe('44 %');

    const alerts = page.locator('[data-alert-rule]');
    await alerts.nth(1).waitFor();
    expect(await attributes(page, '[data-alert-rule]', 'data-severity')).toEqual(['red', 'amber']);
    expect(await alerts.first().textContent()).toContain('Athlete ath-c4d0: velocity loss 44 % in set dl-0207 (deadlift) at rep 5, above 40 %');
    expect(await attributes(page, '[data-station]', 'data-station')).toEqual(['cable-4', 'platform-3', 'rack-1', 'rack-2']);
    expect(navigations()).toBe(1);

    const png = await page.screenshot(process.env['UPDATE_SCREENSHOTS'] === '1' ? { path: SCREENSHOT } : {});
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // a PNG of the rendered console
    await page.close();
  });

  it('asks for the gym and token without them, and the form opens the console', async () => {
    await putStation(liveStation({ gymId: 'lobby', stationId: 'rack-1', athleteId: 'ana', setId: 's1', exercise: 'back_squat', loadKg: 60, velocities: [0.8, 0.78] }));
    const { page } = await openPage('/console');
    await page.locator('[data-login]').waitFor();
    expect(await page.locator('[data-console]').isHidden()).toBe(true);
    await page.fill('input[name="gym"]', 'lobby');
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.locator('[data-station="rack-1"] [data-rep="2"][data-velocity="0.78"]').waitFor();
    expect(await page.locator('[data-login]').isHidden()).toBe(true);
    await page.close();
  });

  it("a coach's token of one gym opens it, and another gym brings the form back saying so", async () => {
    const coach = await createRedisTokenStore(redis, tenancyKeys(keys.prefix)).issue({ tenant: 'default', role: 'coach', gyms: ['lobby'], name: 'lobby coaches', createdBy: 'test' });
    await putStation(liveStation({ gymId: 'lobby', stationId: 'rack-2', athleteId: 'bo', setId: 's1', exercise: 'back_squat', loadKg: 60, velocities: [0.7] }));
    const own = await openPage(`/console?gym=lobby&token=${coach.secret}`);
    await own.page.locator('[data-station="rack-2"]').waitFor();
    await own.page.close();
    const other = await openPage(`/console?gym=elsewhere&token=${coach.secret}`);
    await other.page.locator('[data-login-error]').waitFor();
    expect(await other.page.locator('[data-login-error]').textContent()).toBe('This token has no gym of this id.');
    await other.page.close();
  });

  it('a refused token brings the form back with the reason', async () => {
    const { page } = await openPage('/console?gym=lobby&token=not-the-token-0123456789');
    await page.locator('[data-login-error]').waitFor();
    expect(await page.locator('[data-login-error]').textContent()).toBe('The token was refused.');
    expect(await page.inputValue('input[name="gym"]')).toBe('lobby');
    expect(await page.inputValue('input[name="token"]')).toBe('');
    await page.close();
  });

  it('shares one Redis subscription per gym, drops invalid events, and unsubscribes when the last page closes', async () => {
    const channel = keys.liveChannel('dock');
    const [first, second] = await Promise.all([openPage(`/console?gym=dock&token=${TOKEN}`), openPage(`/console?gym=dock&token=${TOKEN}`)]);
    for (const { page } of [first, second]) await page.locator('[data-connection="live"]').waitFor();
    expect(await subscribers(channel)).toBe(1);

    const valid = liveStation({ gymId: 'dock', stationId: 'rack-9', athleteId: 'kim', setId: 's1', exercise: 'deadlift', loadKg: 140, velocities: [0.5] });
    await redis.publish(channel, 'not json');
    await redis.publish(channel, JSON.stringify({ type: 'station', station: { ...valid, stationId: 'rack-bad', reps: 'three' } }));
    await redis.publish(channel, JSON.stringify({ type: 'station', station: { ...valid, gymId: 'riverside', stationId: 'rack-other' } }));
    await putStation(valid);
    for (const { page } of [first, second]) await page.locator('[data-station="rack-9"] [data-rep="1"]').waitFor();
    expect(await first.page.locator('[data-station]').count()).toBe(1);

    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    for (const outcome of ['not_json', 'invalid', 'wrong_gym']) expect(metrics).toContain(`neurolift_api_live_messages_total{outcome="${outcome}"} 1`);

    await first.page.close();
    await second.page.close();
    await waitFor(async () => ((await subscribers(channel)) === 0 ? true : undefined), { what: 'the live channel to be unsubscribed' });
  });

  it('keeps following the gym after Redis restarts: the shared subscriber resubscribes', async () => {
    const spec: SetSpec = { gymId: 'annex', stationId: 'rack-5', athleteId: 'jo', setId: 's1', exercise: 'back_squat', loadKg: 90, velocities: [0.7, 0.68, 0.66] };
    await putStation(liveStation({ ...spec, velocities: [0.7] }));
    const { page, navigations } = await openPage(`/console?gym=annex&token=${TOKEN}`);
    await page.locator('[data-station="rack-5"] [data-rep="1"]').waitFor();

    await servers.redis.restart();
    await waitFor(async () => ((await subscribers(keys.liveChannel('annex'))) === 1 ? true : undefined), { what: 'the subscriber to resubscribe' });
    await liftReps(spec, 2);
    await page.locator('[data-station="rack-5"] [data-rep="3"][data-velocity="0.66"]').waitFor();
    expect(await page.locator('[data-connection]').getAttribute('data-connection')).toBe('live');
    expect(navigations()).toBe(1);
    await page.close();
  });

  it('reconnects by itself when the api restarts, and catches up from the new snapshot', async () => {
    const port = await freePort();
    const config = loadConfig('api', ApiConfigSchema, { ...apiEnv(), API_PORT: String(port) });
    const logger = createLogger({ name: 'test', level: 'error' });
    let restarted = await startApi(config, logger, { registry: createRegistry({ defaultMetrics: false }) });
    const spec: SetSpec = { gymId: 'yard', stationId: 'rack-7', athleteId: 'ida', setId: 's1', exercise: 'deadlift', loadKg: 120, velocities: [0.55, 0.52] };
    await putStation(liveStation({ ...spec, velocities: [0.55] }));
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${restarted.url}/console?gym=yard&token=${TOKEN}`);
    await page.locator('[data-station="rack-7"] [data-rep="1"]').waitFor();

    await restarted.close(); // ends the stream; the page waits for the api to come back
    await page.locator('[data-connection="reconnecting"], [data-connection="connecting"]').waitFor();
    await putStation(liveStation(spec)); // published while no api listens: only the snapshot can bring it
    restarted = await startApi(config, logger, { registry: createRegistry({ defaultMetrics: false }) });
    try {
      await page.locator('[data-station="rack-7"] [data-rep="2"][data-velocity="0.52"]').waitFor();
      await page.locator('[data-connection="live"]').waitFor();
    } finally {
      await page.close();
      await restarted.close();
    }
  });

  it("shows the athlete's live heart rate next to the station while it is fresh, as the worker keeps it", async () => {
    const spec: SetSpec = { gymId: 'cardio', stationId: 'rack-3', athleteId: 'ath-hr', setId: 's1', exercise: 'back_squat', loadKg: 100, velocities: [0.7, 0.66] };
    await putStation(liveStation(spec));
    await putStation(liveStation({ ...spec, stationId: 'rack-4', athleteId: 'ath-no-strap' }));
    const block = (t0: number, bpm: number[]) => ({ athleteId: 'ath-hr', t0, bpm });
    const t0 = Date.now() - 4_000;
    expect(await writeLiveHeartRate(redis, keys, block(t0, [126, 128, 130, 131, 132]))).toBe(true);
    // A block uploaded late (older than the one kept) is not live heart rate.
    expect(await writeLiveHeartRate(redis, keys, block(t0 - 60_000, [90, 91]))).toBe(false);
    expect(JSON.parse((await redis.get(keys.athleteLiveHeartRate('ath-hr'))) ?? '{}')).toEqual({ bpm: 132, ts: t0 + 4000 });
    expect(await redis.pttl(keys.athleteLiveHeartRate('ath-hr'))).toBeGreaterThan(60_000);

    const { page, navigations } = await openPage(`/console?gym=cardio&token=${TOKEN}`);
    const heart = page.locator('[data-station="rack-3"] [data-hr]');
    await page.locator('[data-station="rack-3"] [data-hr][data-bpm="132"]').waitFor();
    expect(await heart.textContent()).toBe('♥ 132 bpm');
    expect(await page.locator('[data-station="rack-4"] [data-hr]').isHidden()).toBe(true);

    // Live: the next block's reading arrives with the stream's next heart_rate event, without a reload.
    expect(await writeLiveHeartRate(redis, keys, block(t0 + 5_000, [138, 141]))).toBe(true);
    await page.locator('[data-station="rack-3"] [data-hr][data-bpm="141"]').waitFor();
    expect(await heart.textContent()).toBe('♥ 141 bpm');
    // A new set of the athlete (a station event, which has no heart rate) keeps it.
    await putStation(liveStation({ ...spec, setId: 's2', velocities: [0.71] }));
    await page.locator('[data-station="rack-3"] [data-rep="1"][data-velocity="0.71"]').waitFor();
    expect(await heart.textContent()).toBe('♥ 141 bpm');

    // Stale (older than 15 s, e.g. the strap went quiet): gone from the snapshot and from the page.
    await redis.set(keys.athleteLiveHeartRate('ath-hr'), JSON.stringify({ bpm: 141, ts: Date.now() - 20_000 }), 'PX', 60_000);
    await page.locator('[data-station="rack-3"] [data-hr][hidden]').waitFor({ state: 'attached' });
    const snapshot = await fetch(`${api.url}/v1/gyms/cardio/live/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await snapshot.json()) as { stations: LiveStation[] }).stations.map((s) => s.heartRate)).toEqual([undefined, undefined]);
    await writeLiveHeartRate(redis, keys, block(Date.now() - 1_000, [120]));
    const fresh = await fetch(`${api.url}/v1/gyms/cardio/live/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await fresh.json()) as { stations: LiveStation[] }).stations.map((s) => s.heartRate?.bpm)).toEqual([120, undefined]);
    expect(navigations()).toBe(1);
    await page.close();
  });

  it('the snapshot route reads the same state, newest alert first, skipping entries that break the schema', async () => {
    await redis.hset(keys.liveStations('riverside'), 'broken', '{"stationId":"broken"}');
    const res = await fetch(`${api.url}/v1/gyms/riverside/live/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { stations: LiveStation[]; alerts: AlertMessage[] };
    expect(body.stations.map((s) => s.stationId)).toEqual(['cable-4', 'platform-3', 'rack-1', 'rack-2']);
    expect(body.alerts.map((a) => a.severity)).toEqual(['red', 'amber']);
    expect((await fetch(`${api.url}/v1/gyms/riverside/live/snapshot`)).status).toBe(401);
  });
});
