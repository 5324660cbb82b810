// Coach alerts with wearables (protocol v1.1) on real servers:
//  - incomplete_recovery (off by default, enabled for one gym here): a working set that starts while the
//    athlete's heart rate is still high raises one amber alert, whether the heart rate came before the set
//    (hr blocks through the pipeline) or after it (the worker's second set_closed check), however often
//    the check runs; a gym without the rule gets none;
//  - a late set (reps 3 h old, a gateway uploading late) raises no in-set alert and stays off the live
//    console, while the same reps live raise them; the set-close rules still judge the late set.
import { alertId } from '@neurolift/alerts';
import { AlertMessage, redisKeys, type AlertCheckJob } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { createRedisHeartRateStore, type HeartRateStore } from '@neurolift/storage';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAlertClients, finishedJob, type AlertClients, type AlertSet } from './harness/alert-clients.js';
import { writeAlertsConfig } from './harness/alerts-config-file.js';
import { putProfile as putAthleteProfile } from './harness/athlete-profile.js';
import { pipelineEnv, startTestPipeline } from './harness/pipeline.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-hr';
const GYM_OFF = 'gym-hr-off';
const GYM_LATE = 'gym-late';
const HOUR = 3_600_000;

let servers: LocalServices;
let pipeline: Pipeline;
let clients: AlertClients;
let device: MqttClient;
let checksQueue: Queue;
let alertsQueue: Queue;
let checkEvents: QueueEvents;
let redis: Redis;
let heartRate: HeartRateStore;
let onMqtt: AlertMessage[];
const keys = redisKeys('{nl}');

beforeAll(async () => {
  servers = await startServers();
  const configFile = await writeAlertsConfig('nl-alerts-hr-', { gyms: { [GYM]: { optionalRules: { incomplete_recovery: true } } } });
  pipeline = await startTestPipeline(
    pipelineEnv(servers.env, {
      ALERTS_CONFIG_FILE: configFile,
      SET_IDLE_TIMEOUT_MS: '3000',
      TIME_MAX_AGE_MS: String(7 * 86_400_000),
      MQTT_CLIENT_ID: 'alerts-hr-test',
    }),
  );
  clients = await connectAlertClients(servers.env);
  ({ device, checksQueue, alertsQueue, checkEvents, redis, onMqtt } = clients);
  heartRate = createRedisHeartRateStore({ redis, keys });
});

afterAll(async () => {
  await clients?.close();
  await pipeline?.close();
  await servers?.stop();
});

const mqttAlerts = (rule: string, athleteId: string) => clients.mqttAlerts(rule, athleteId);
const putProfile = (athleteId: string, profile: unknown): Promise<void> => putAthleteProfile(pipeline.apiUrl, athleteId, profile);

const publishSet = (set: AlertSet): Promise<void> => clients.publishSet(set);
/** The console's state of a station once `setId` closed there and its set_closed check ran (session NSI added). */
const closedOnConsole = (gym: string, station: string, setId: string) => clients.closedOnConsole(gym, station, setId);

/** The set's record in the athlete's state once the worker has folded it (what set_closed reads). */
async function folded(athleteId: string, station: string, setId: string): Promise<true | undefined> {
  const text = await redis.hget(keys.athleteSets(athleteId), `${station}.${setId}`);
  return text !== null && text.includes('"model"') ? true : undefined;
}

/** Runs a set_closed check as the worker enqueues it (a second one when heart rate covering the set came later). */
async function runSetClosed(job: Omit<Extract<AlertCheckJob, { kind: 'set_closed' }>, 'v' | 'kind'>, jobId: string): Promise<void> {
  const added = await checksQueue.add('set_closed', { v: 1, kind: 'set_closed', ...job } satisfies AlertCheckJob, { jobId });
  await added.waitUntilFinished(checkEvents, 20_000);
}

const deliveryJob = (id: string) => finishedJob(alertsQueue, id);

/** (rest 60, max 190): 150 bpm is 69 % of heart-rate reserve, 100 bpm 31 %. */
const HR_PROFILE = { oneRepMaxKg: { back_squat: 160 }, restingHr: 60, maxHr: 190 };
/** Steady reps: no in-set or set-close rule but the one under test fires. */
const STEADY = [0.6, 0.59, 0.58] as const;

describe('incomplete_recovery', () => {
  it('a working set starting at 69 % of heart-rate reserve (hr blocks through the pipeline) raises one amber alert', async () => {
    const athleteId = 'ath-hr-1';
    await putProfile(athleteId, HR_PROFILE);
    const t0 = Math.floor((Date.now() - 60_000) / 1000) * 1000;
    // The strap is its own station: 40 s of 150 bpm up to the first rep, in two blocks.
    const bpm = Array<number>(20).fill(150);
    for (const start of [t0 - 39_000, t0 - 19_000]) {
      await device.publishAsync(`gym/v1/${GYM}/strap-1/hr`, JSON.stringify({ v: 1, t0: start, athleteId, bpm }), { qos: 1 });
    }
    await waitFor(async () => ((await heartRate.seconds(athleteId, t0 - 10_000, t0)).length === 11 ? true : undefined), {
      what: 'the heart rate stored by the worker',
      timeoutMs: 20_000,
    });
    await publishSet({ gym: GYM, station: 'st-hr-1', athleteId, setId: 'hr-1', velocities: STEADY, t0 });

    const [alert] = await waitFor(async () => (mqttAlerts('incomplete_recovery', athleteId).length > 0 ? mqttAlerts('incomplete_recovery', athleteId) : undefined), {
      what: 'the incomplete_recovery alert on MQTT',
      timeoutMs: 30_000,
    });
    expect(alert).toMatchObject({ severity: 'amber', gymId: GYM, stationId: 'st-hr-1', setId: 'hr-1', exercise: 'back_squat', threshold: 60, unit: 'percent', ts: t0 });
    expect(alert?.value).toBeCloseTo((90 / 130) * 100, 9);
    expect(alert?.id).toBe(alertId({ athleteId, rule: 'incomplete_recovery', scope: 'set/st-hr-1.hr-1' }));
    expect(alert?.message).toContain('started at 150 bpm, 69 % of heart-rate reserve (rest 60, max 190 bpm), at or above 60 %');

    // Checked again (a retry, or heart rate of the same set arriving later): still one alert.
    await waitFor(() => closedOnConsole(GYM, 'st-hr-1', 'hr-1'), { what: 'the set close', timeoutMs: 20_000 });
    await runSetClosed({ gymId: GYM, stationId: 'st-hr-1', setId: 'hr-1', athleteId }, 'again-hr-1');
    await waitFor(() => deliveryJob(alert?.id ?? ''), { what: 'its delivery' });
    expect(mqttAlerts('incomplete_recovery', athleteId)).toHaveLength(1);
  });

  it('heart rate that arrives after the set raises it at the next set_closed check, once', async () => {
    const athleteId = 'ath-hr-2';
    await putProfile(athleteId, HR_PROFILE);
    const t0 = Math.floor((Date.now() - 120_000) / 1000) * 1000;
    await publishSet({ gym: GYM, station: 'st-hr-2', athleteId, setId: 'hr-2', velocities: STEADY, t0 });
    await waitFor(() => closedOnConsole(GYM, 'st-hr-2', 'hr-2'), { what: 'the set close', timeoutMs: 20_000 });
    const id = alertId({ athleteId, rule: 'incomplete_recovery', scope: 'set/st-hr-2.hr-2' });
    expect(await alertsQueue.getJob(id)).toBeUndefined(); // no heart rate at the start: nothing

    // The wearable's gateway uploads later: 30 s of 150 bpm up to the first rep, then the worker's check.
    await heartRate.merge(athleteId, t0 - 29_000, Array<number>(30).fill(150));
    await runSetClosed({ gymId: GYM, stationId: 'st-hr-2', setId: 'hr-2', athleteId }, 'late-hr-2-a');
    await runSetClosed({ gymId: GYM, stationId: 'st-hr-2', setId: 'hr-2', athleteId }, 'late-hr-2-b');
    await waitFor(() => deliveryJob(id), { what: 'the late incomplete_recovery alert', timeoutMs: 20_000 });
    await waitFor(async () => (mqttAlerts('incomplete_recovery', athleteId).length > 0 ? true : undefined), { what: 'it on MQTT' });
    expect(mqttAlerts('incomplete_recovery', athleteId)).toHaveLength(1);
  });

  it('a recovered start, or a gym without the rule, raises nothing', async () => {
    const cases = [
      { gym: GYM, athleteId: 'ath-hr-rested', bpm: 100 }, // 31 % of reserve
      { gym: GYM_OFF, athleteId: 'ath-hr-off', bpm: 170 }, // 85 %, but the rule is off there
    ];
    for (const { gym, athleteId, bpm } of cases) {
      await putProfile(athleteId, HR_PROFILE);
      const t0 = Math.floor((Date.now() - 60_000) / 1000) * 1000;
      await heartRate.merge(athleteId, t0 - 29_000, Array<number>(30).fill(bpm));
      await publishSet({ gym, station: `st-${athleteId}`, athleteId, setId: 'quiet-1', velocities: STEADY, t0 });
      await waitFor(() => closedOnConsole(gym, `st-${athleteId}`, 'quiet-1'), { what: `the set close of ${athleteId}`, timeoutMs: 20_000 });
      expect(await alertsQueue.getJob(alertId({ athleteId, rule: 'incomplete_recovery', scope: `set/st-${athleteId}.quiet-1` }))).toBeUndefined();
      expect(mqttAlerts('incomplete_recovery', athleteId)).toEqual([]);
    }
  });
});

describe('late sets raise no in-set alert (decision 0019)', () => {
  // Near failure at rep 4 (0.33 m/s ≤ MVT 0.30 + 0.05), partial rep 4 (ROM 0.30 of 0.55), high fatigue red.
  const GRINDING = [0.8, 0.7, 0.5, 0.33];
  const ROMS = [0.55, 0.55, 0.55, 0.3];
  const idOf = (athleteId: string, rule: string, scope: string) => alertId({ athleteId, rule: rule as AlertMessage['rule'], scope });

  it('reps 3 h old raise no near_failure or partial_rep and do not show on the console; the set-close rules still judge the set', async () => {
    const athleteId = 'ath-late';
    await publishSet({ gym: GYM_LATE, station: 'st-late', athleteId, setId: 'late-1', velocities: GRINDING, roms: ROMS, t0: Date.now() - 3 * HOUR });
    // high_fatigue is a set-close rule too: its alert (recorded, not pushed: older than ALERT_PUSH_MAX_AGE_MS)
    // tells that the set closed and every check of it has run.
    const fatigue = await waitFor(() => deliveryJob(idOf(athleteId, 'high_fatigue', 'set/st-late.late-1/red')), { what: 'the set-close high_fatigue alert', timeoutMs: 30_000 });
    expect(fatigue.returnvalue).toBe('recorded_stale');
    await waitFor(() => folded(athleteId, 'st-late', 'late-1'), { what: 'the set in the athlete state' });
    expect(await alertsQueue.getJob(idOf(athleteId, 'near_failure', 'set/st-late.late-1'))).toBeUndefined();
    expect(await alertsQueue.getJob(idOf(athleteId, 'partial_rep', 'set/st-late.late-1'))).toBeUndefined();
    expect(onMqtt.filter((alert) => alert.athleteId === athleteId)).toEqual([]);
    expect(await redis.hget(keys.liveStations(GYM_LATE), 'st-late')).toBeNull();
  });

  it('the same reps live raise near_failure and partial_rep, and show on the console', async () => {
    const athleteId = 'ath-live';
    await publishSet({ gym: GYM_LATE, station: 'st-live', athleteId, setId: 'live-1', velocities: GRINDING, roms: ROMS, t0: Date.now() - 30_000 });
    for (const rule of ['near_failure', 'partial_rep', 'high_fatigue']) {
      await waitFor(async () => (mqttAlerts(rule, athleteId).length > 0 ? true : undefined), { what: `the ${rule} alert on MQTT`, timeoutMs: 30_000 });
    }
    expect(mqttAlerts('near_failure', athleteId)[0]).toMatchObject({ setId: 'live-1', unit: 'm/s' });
    const live = await waitFor(() => closedOnConsole(GYM_LATE, 'st-live', 'live-1'), { what: 'the set on the console', timeoutMs: 20_000 });
    expect(live.reps.map((rep) => rep.meanVelocity)).toEqual(GRINDING);
  });
});
