// Coach alerts end to end on real servers: a grinding set yields exactly one high_fatigue alert on
// MQTT, on a signed webhook and in the TSDB, even when its delivery job is retried; a failing webhook
// is retried and then dead-lettered; a station going offline mid-set alerts at once; the daily rules
// run from one scheduler per gym and fire once per day.
import { AlertsConfigSchema, SIGNATURE_HEADER, TIMESTAMP_HEADER, startAlerts, verifyWebhook } from '@neurolift/alerts-service';
import { AlertMessage, redisKeys, type AlertCheckJob } from '@neurolift/contracts';
import { createLogger, loadConfig } from '@neurolift/platform';
import type { Pipeline } from '@neurolift/pipeline';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAlertClients, finishedJob, type AlertClients } from './harness/alert-clients.js';
import { writeAlertsConfig } from './harness/alerts-config-file.js';
import { getJson, pipelineEnv, publishRep, startTestPipeline, type DeadLetterList } from './harness/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './harness/recording-proxy.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';
import { startWebhookReceiver, type WebhookReceiver } from './harness/webhook-receiver.js';

const GYM = 'gym-alert';
const FAILING_GYM = 'gym-hookfail';
const REJECTING_GYM = 'gym-hookreject';
const SECRET = 'webhook-secret-0123456789';
const WEBHOOK_ATTEMPTS = 3;

let servers: LocalServices;
let pipeline: Pipeline;
let tsdb: RecordingProxy;
let hooks: WebhookReceiver;
let env: Record<string, string>;
let clients: AlertClients;
let device: MqttClient;
let checksQueue: Queue;
let alertsQueue: Queue;
let checkEvents: QueueEvents;
let redis: Redis;
const keys = redisKeys('{nl}');

beforeAll(async () => {
  servers = await startServers();
  tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  hooks = await startWebhookReceiver();
  const configFile = await writeAlertsConfig('nl-alerts-', {
    gyms: {
      [GYM]: { dailyLocalTime: '05:30', timeZone: 'Europe/Berlin', webhook: { url: `${hooks.url}/ok`, secret: SECRET } },
      [FAILING_GYM]: { webhook: { url: `${hooks.url}/fail`, secret: SECRET } },
      [REJECTING_GYM]: { webhook: { url: `${hooks.url}/reject`, secret: SECRET } },
    },
  });
  env = pipelineEnv(servers.env, {
    INFLUX_URL: tsdb.url,
    ALERTS_CONFIG_FILE: configFile,
    WEBHOOK_ATTEMPTS: String(WEBHOOK_ATTEMPTS),
    WEBHOOK_BACKOFF_MS: '50',
    SET_IDLE_TIMEOUT_MS: '3000',
    TIME_MAX_AGE_MS: String(30 * 86_400_000),
    MQTT_CLIENT_ID: 'alerts-test',
  });
  pipeline = await startTestPipeline(env);
  clients = await connectAlertClients(servers.env);
  ({ device, checksQueue, alertsQueue, checkEvents, redis } = clients);
});

afterAll(async () => {
  await clients?.close();
  await pipeline?.close();
  await hooks?.close();
  await tsdb?.close();
  await servers?.stop();
});

const mqttAlerts = (rule: string, athleteId: string) => clients.mqttAlerts(rule, athleteId);

const publishSet = (gym: string, station: string, athleteId: string, setId: string, velocities: readonly number[], t0: number): Promise<void> =>
  clients.publishSet({ gym, station, athleteId, setId, velocities, t0 });

/**
 * The console's state of a station once the set `setId` has closed there and its set_closed check has run
 * (which adds the session NSI); see AlertClients.closedOnConsole.
 */
const closedOnConsole = (gym: string, station: string, setId: string) => clients.closedOnConsole(gym, station, setId);

/** Set ids marked in the gym's in-set-pending hash. */
async function pendingSetIds(): Promise<string[]> {
  return Object.keys(await redis.hgetall(keys.inSetPending(GYM))).map((field) => (JSON.parse(field) as { setId: string }).setId);
}

const jobDone = finishedJob;

describe('alerts', () => {
  it('a grinding set yields exactly one high_fatigue alert on MQTT, the webhook and the TSDB, even when its job is retried', async () => {
    let injected = 0;
    // The first alert write to the TSDB fails: the delivery job is retried after MQTT already went out.
    tsdb.inject((body) => (body.startsWith('alert,') && injected++ === 0 ? { status: 503 } : undefined));
    // Velocity loss stays under 30 % until the last rep, which loses 43.75 %: red, never amber.
    await publishSet(GYM, 'st-grind', 'ath-grind', 'grind-1', [0.8, 0.78, 0.75, 0.72, 0.45], Date.now() - 60_000);

    const [alert] = await waitFor(async () => (mqttAlerts('high_fatigue', 'ath-grind').length > 0 ? mqttAlerts('high_fatigue', 'ath-grind') : undefined), {
      what: 'the high_fatigue alert on MQTT',
      timeoutMs: 20_000,
    });
    expect(alert).toMatchObject({ severity: 'red', gymId: GYM, stationId: 'st-grind', setId: 'grind-1', threshold: 40, unit: 'percent' });
    expect(alert?.value).toBeCloseTo(43.75, 9);
    expect(alert?.message).toBe('Athlete ath-grind: velocity loss 44 % in set grind-1 (back_squat) at rep 5, above 40 %');

    const done = await waitFor(() => jobDone(alertsQueue, alert?.id ?? ''), { what: 'the delivery job', timeoutMs: 20_000 });
    expect(injected).toBeGreaterThanOrEqual(1);
    expect(done.attemptsMade).toBeGreaterThanOrEqual(2);
    const hook = await waitFor(async () => hooks.received('/ok').find((h) => h.headers['x-neurolift-alert-id'] === alert?.id), { what: 'the webhook' });
    expect(verifyWebhook(SECRET, { signature: String(hook.headers[SIGNATURE_HEADER]), timestamp: String(hook.headers[TIMESTAMP_HEADER]) }, hook.body, Date.now() / 1000)).toBe(true);
    expect(verifyWebhook('wrong-secret-0123456789', { signature: String(hook.headers[SIGNATURE_HEADER]), timestamp: String(hook.headers[TIMESTAMP_HEADER]) }, hook.body, Date.now() / 1000)).toBe(false);
    expect(JSON.parse(hook.body)).toEqual(alert);

    // The set's close evaluates high fatigue again (same alert id): it must not be delivered again.
    const closed = await waitFor(() => closedOnConsole(GYM, 'st-grind', 'grind-1'), { what: 'the set close to reach the console', timeoutMs: 20_000 });
    expect(closed.reps.map((rep) => rep.meanVelocity)).toEqual([0.8, 0.78, 0.75, 0.72, 0.45]);
    expect(closed.sessionNsi).toBeGreaterThanOrEqual(0);
    const points = tsdb.points().filter((point) => point.measurement === 'alert' && point.tags['rule'] === 'high_fatigue' && point.tags['athlete'] === 'ath-grind');
    expect(points).toHaveLength(1);
    expect(points[0]?.tags).toEqual({ gym: GYM, athlete: 'ath-grind', station: 'st-grind', rule: 'high_fatigue', severity: 'red' });
    expect(points[0]?.fields['alert_id']).toBe(`"${alert?.id}"`);
    expect(mqttAlerts('high_fatigue', 'ath-grind')).toHaveLength(1);
    expect(hooks.received('/ok').filter((h) => AlertMessage.parse(JSON.parse(h.body)).rule === 'high_fatigue')).toHaveLength(1);
    tsdb.inject(undefined);
  });

  it('a webhook that keeps failing is retried and then dead-lettered with the reason', async () => {
    await publishSet(FAILING_GYM, 'st-fail', 'ath-fail', 'fail-1', [0.8, 0.79, 0.78, 0.77, 0.4], Date.now() - 60_000);
    const [alert] = await waitFor(async () => (mqttAlerts('high_fatigue', 'ath-fail').length > 0 ? mqttAlerts('high_fatigue', 'ath-fail') : undefined), {
      what: 'the alert on MQTT',
      timeoutMs: 20_000,
    });
    const letters = await waitFor(
      async () => {
        const list = await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters`);
        return list.body.items.find((item) => item.reason === 'webhook_failed' && item.payload.includes(alert?.id ?? '?')) ? list.body : undefined;
      },
      { what: 'the webhook dead letter', timeoutMs: 20_000 },
    );
    expect(letters.byReason['webhook_failed']).toBe(1);
    expect(hooks.received('/fail').filter((h) => h.headers['x-neurolift-alert-id'] === alert?.id)).toHaveLength(WEBHOOK_ATTEMPTS);
  });

  it('a webhook that refuses the request (4xx) is dead-lettered at once, without retries', async () => {
    await publishSet(REJECTING_GYM, 'st-rej', 'ath-rej', 'rej-1', [0.8, 0.79, 0.78, 0.77, 0.4], Date.now() - 60_000);
    const [alert] = await waitFor(async () => (mqttAlerts('high_fatigue', 'ath-rej').length > 0 ? mqttAlerts('high_fatigue', 'ath-rej') : undefined), {
      what: 'the alert on MQTT',
      timeoutMs: 20_000,
    });
    await waitFor(
      async () => {
        const list = await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters`);
        return list.body.items.find((item) => item.reason === 'webhook_rejected' && item.payload.includes(alert?.id ?? '?'));
      },
      { what: 'the webhook_rejected dead letter', timeoutMs: 20_000 },
    );
    expect(hooks.received('/reject').filter((h) => h.headers['x-neurolift-alert-id'] === alert?.id)).toHaveLength(1);
  });

  it('in-set checks run before queued set-close checks, and one waits per gym however many rep batches came', async () => {
    await checksQueue.pause();
    try {
      await publishSet(GYM, 'st-prio', 'ath-prio', 'prio-1', [0.7, 0.69, 0.68], Date.now() - 60_000);
      await publishSet(GYM, 'st-prio-2', 'ath-prio-2', 'prio-2', [0.7, 0.69, 0.68], Date.now() - 60_000);
      // The set jobs have run and queued their set_closed checks behind the paused queue (sets of earlier
      // tests may still be closing under load: only these two sets are looked at).
      const ours = (job: { data: unknown }) => ['prio-1', 'prio-2'].includes((job.data as { setId?: string }).setId ?? '');
      const prioritized = await waitFor(async () => ((await checksQueue.getPrioritized()).filter(ours).length === 2 ? (await checksQueue.getPrioritized()).filter(ours) : undefined), {
        what: 'both set_closed checks',
        timeoutMs: 30_000,
      });
      expect(prioritized.map((job) => job.name)).toEqual(['set_closed', 'set_closed']);
      // Both sets' reps (several rep batches) wait for one pass of the gym.
      const waiting = await checksQueue.getWaiting();
      expect(waiting.map((job) => job.data as { kind: string; gymId?: string }).filter((data) => data.gymId === GYM)).toEqual([{ v: 1, kind: 'in_set', gymId: GYM }]);
      expect(waiting.filter(ours)).toEqual([]);
      expect(await pendingSetIds()).toEqual(expect.arrayContaining(['prio-1', 'prio-2']));
    } finally {
      await checksQueue.resume();
    }
    for (const [station, setId] of [['st-prio', 'prio-1'], ['st-prio-2', 'prio-2']] as const) {
      await waitFor(() => closedOnConsole(GYM, station, setId), { what: `the set_closed check of ${setId} after the resume`, timeoutMs: 20_000 });
    }
    // The pass judged both sets (their bars are on the console) and cleared what it read.
    expect((await pendingSetIds()).filter((setId) => setId.startsWith('prio-'))).toEqual([]);
  });

  it('a station going offline while its set is open alerts at once', async () => {
    await publishRep(device, GYM, 'st-off', { ts: Date.now() - 5000, athleteId: 'ath-off', setId: 'off-1', repIndex: 1, meanVelocity: 0.7 });
    await device.publishAsync(`gym/v1/${GYM}/st-off/status`, JSON.stringify({ v: 1, online: false }), { qos: 1 });
    const [alert] = await waitFor(async () => (mqttAlerts('station_offline', 'ath-off').length > 0 ? mqttAlerts('station_offline', 'ath-off') : undefined), {
      what: 'the station_offline alert',
    });
    expect(alert).toMatchObject({ severity: 'amber', stationId: 'st-off', setId: 'off-1' });
  });

  it('the daily rules run from one scheduler per gym at its local time and fire once per day', async () => {
    const schedulers = await checksQueue.getJobSchedulers();
    const daily = schedulers.filter((s) => s.key.startsWith('daily.')).map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz }));
    expect(daily.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'daily.*', pattern: '0 6 * * *', tz: 'UTC' },
      { key: `daily.${GYM}`, pattern: '30 5 * * *', tz: 'Europe/Berlin' },
      { key: `daily.${FAILING_GYM}`, pattern: '0 6 * * *', tz: 'UTC' },
      { key: `daily.${REJECTING_GYM}`, pattern: '0 6 * * *', tz: 'UTC' },
    ]);
    // A second instance upserts the same schedulers: still one per gym.
    const second = await startAlerts(loadConfig('alerts', AlertsConfigSchema, { ...env, ALERTS_MQTT_CLIENT_ID: 'alerts-second' }), createLogger({ name: 'test', level: 'warn' }));
    await second.close();
    expect((await checksQueue.getJobSchedulers()).filter((s) => s.key.startsWith('daily.'))).toHaveLength(4);

    // An athlete who trained 8 days ago and not since: low exposure, judged for yesterday.
    await publishSet(GYM, 'st-old', 'ath-lapsed', 'old-1', [0.6, 0.58, 0.57], Date.now() - 8 * 86_400_000);
    // The set job enters the athlete in the gym's index after storing the set: what the daily run reads.
    await waitFor(async () => (await redis.zscore(keys.gymAthletes(GYM), 'ath-lapsed')) ?? undefined, { what: 'the old set to be stored', timeoutMs: 20_000 });
    const run = { v: 1, kind: 'daily', gymId: GYM } satisfies AlertCheckJob;
    // Two runs the same day (a retry, a second instance): one alert.
    for (const id of ['daily-run-1', 'daily-run-2']) {
      const job = await checksQueue.add('daily', run, { jobId: id });
      await job.waitUntilFinished(checkEvents, 20_000);
    }
    const [alert] = await waitFor(async () => (mqttAlerts('low_exposure', 'ath-lapsed').length > 0 ? mqttAlerts('low_exposure', 'ath-lapsed') : undefined), {
      what: 'the low_exposure alert',
      timeoutMs: 20_000,
    });
    expect(alert).toMatchObject({ gymId: GYM, value: 0, threshold: 2, unit: 'sessions' });
    expect(alert?.stationId).toBeUndefined();
    await waitFor(() => jobDone(alertsQueue, alert?.id ?? ''), { what: 'its delivery' });
    expect(mqttAlerts('low_exposure', 'ath-lapsed')).toHaveLength(1);
  }, 120_000);
});
