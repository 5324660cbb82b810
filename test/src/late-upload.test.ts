// A session uploaded late gives exactly what the same session gives live (device protocol v1.1, "Who
// publishes": a gateway that was offline uploads later, up to 7 days old). On real servers, the same whole
// session (20 min of cardio on a strap, three back-squat sets on a rack as rep + set messages, a fourth set
// measured by a bar IMU as imu blocks) for two athletes:
//  - "live": timestamps of the last hour, published in time order, each set processed before the next;
//  - "late": the same session 3 h earlier, every message published at once in a seeded shuffled order.
// Every point of every measurement of the late athlete equals the live athlete's (times shifted, ids
// renamed, field values compared exactly), and so do the alerts, except the in-set ones (decision 0019:
// late reps raise none).
import { isDeepStrictEqual } from 'node:util';
import { MEASUREMENTS, QUEUES } from '@neurolift/contracts';
import { dayOf } from '@neurolift/stimulus';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAlertsConfig } from './harness/alerts-config-file.js';
import { putProfile as putAthleteProfile } from './harness/athlete-profile.js';
import { startRecordedPipeline, type RecordedPipeline } from './harness/recorded-pipeline.js';
import type { RecordingProxy } from './harness/recording-proxy.js';
import { getJson, type DeadLetterList } from './harness/pipeline.js';
import { waitFor } from './harness/servers.js';
import { countByMeasurement, finalPoints, normalise, PipelineQueues, type FinalPoint } from './harness/wearable-points.js';
import { planWearableSession, shuffled, WEARABLE_PROFILE, type SessionIds, type WearableSession } from './harness/wearable-session.js';

const GYM = 'gym-upload';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
/** The late session is the live one this much earlier. */
const SHIFT = 3 * HOUR;
/** The session lasts about 36 min from its start (the strap's tail included). */
const SESSION_MS = 40 * MINUTE;
const IN_SET_RULES = new Set(['near_failure', 'partial_rep']);

let rig: RecordedPipeline;
let device: MqttClient;
let tsdb: RecordingProxy;
let queues: PipelineQueues;

beforeAll(async () => {
  // incomplete_recovery on too: a set-level rule that reads heart rate, judged again when heart rate comes later.
  const configFile = await writeAlertsConfig('nl-late-upload-', { gyms: { [GYM]: { optionalRules: { incomplete_recovery: true } } } });
  rig = await startRecordedPipeline({
    ALERTS_CONFIG_FILE: configFile,
    SET_IDLE_TIMEOUT_MS: '3000',
    TIME_MAX_AGE_MS: String(7 * DAY_MS),
    MQTT_CLIENT_ID: 'late-upload-test',
  });
  ({ device, tsdb, queues } = rig);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

/**
 * The live session's start: a whole minute 40 min ago (its last heart-rate reading a few minutes ago),
 * moved back an hour at a time until neither it nor the late one (3 h earlier) crosses a UTC midnight.
 */
function liveStart(): number {
  let start = Math.floor((Date.now() - SESSION_MS) / MINUTE) * MINUTE;
  const crosses = (from: number) => dayOf(from) !== dayOf(from + SESSION_MS);
  while (crosses(start) || crosses(start - SHIFT)) start -= HOUR;
  return start;
}
const LIVE_START = liveStart();

const ids = (athleteId: string, n: number): SessionIds => ({ gym: GYM, athleteId, rack: `rack-${n}`, strap: `strap-${n}`, imu: `bar-${n}` });
const LIVE = planWearableSession(ids('ath-live', 1), LIVE_START);
const LATE = planWearableSession(ids('ath-late', 2), LIVE_START - SHIFT);

const putProfile = (athleteId: string): Promise<void> => putAthleteProfile(rig.pipeline.apiUrl, athleteId, WEARABLE_PROFILE);
const setDone = (station: string, setId: string): Promise<true | undefined> => rig.setDone(GYM, station, setId);

/** Set points of a session: three rack sets and the IMU set. */
const SET_POINTS = 4;

async function settled(sessions: readonly WearableSession[]): Promise<void> {
  await queues.settled(tsdb, () =>
    sessions.every((session) => {
      const points = finalPoints(tsdb.points(), session.ids.athleteId);
      return points.filter((p) => p.measurement === MEASUREMENTS.heartRate).length >= session.readings.length && points.filter((p) => p.measurement === MEASUREMENTS.set).length >= SET_POINTS;
    }),
  );
}

const normalised = (session: WearableSession, points: readonly FinalPoint[]) =>
  normalise(points, {
    athleteId: session.ids.athleteId,
    rename: { [session.ids.athleteId]: 'ATHLETE', [session.ids.rack]: 'RACK', [session.ids.strap]: 'STRAP', [session.ids.imu ?? '-']: 'BAR' },
    shiftMs: session.start - LIVE_START,
    sessionStart: session.start,
  });

/** Every final point of the athlete, normalised, alerts apart. */
function pointsOf(session: WearableSession): { points: FinalPoint[]; alerts: FinalPoint[] } {
  const all = normalised(session, finalPoints(tsdb.points(), session.ids.athleteId));
  return { points: all.filter((p) => p.measurement !== MEASUREMENTS.alert), alerts: all.filter((p) => p.measurement === MEASUREMENTS.alert) };
}

/** An alert point in short: rule/severity, station, set, time in s from the session's start, value. */
const describeAlert = (p: FinalPoint) => `${p.tags.rule}/${p.tags.severity} ${p.tags.station} ${p.fields.set_id ?? ''} @${(p.ts - LIVE_START) / 1000} s ${p.fields.value}`;

let live: { points: FinalPoint[]; alerts: FinalPoint[] };
let late: { points: FinalPoint[]; alerts: FinalPoint[] };

describe('a session uploaded late', () => {
  it('both sessions are processed: the live one in time order, the late one shuffled, all at once', async () => {
    for (const session of [LIVE, LATE]) await putProfile(session.ids.athleteId);
    expect(LIVE.imuSet?.truth).toHaveLength(5);

    // Live: in time order, each set processed before the next message.
    for (const message of LIVE.messages) {
      await device.publishAsync(message.topic, message.payload, { qos: 1 });
      const closes = message.closes;
      if (closes) await waitFor(() => setDone(closes.station, closes.setId), { what: `live set ${closes.setId}`, timeoutMs: 30_000 });
    }
    // Late: everything at once, in no particular order.
    const order = shuffled(LATE.messages, 20261207);
    expect(order.map((m) => m.topic)).not.toEqual(LATE.messages.map((m) => m.topic));
    await Promise.all(order.map((message) => device.publishAsync(message.topic, message.payload, { qos: 1 })));
    await settled([LIVE, LATE]);
    // The session-end checks are due 2 h after a session's last set: the late one's ran already, the live
    // one's would run in the future. Run both now, then compare.
    expect(await queues.promote(QUEUES.alertChecks, `session-end.${LIVE.ids.athleteId}.`)).toBeGreaterThan(0);
    await queues.promote(QUEUES.alertChecks, `session-end.${LATE.ids.athleteId}.`);
    await settled([LIVE, LATE]);
    live = pointsOf(LIVE);
    late = pointsOf(LATE);
    // What a session with wearables writes: reps (device and imu), sets, heart rate, the athlete series.
    expect(countByMeasurement(live.points)).toMatchObject({ rep: 20, set: SET_POINTS, heart_rate: LIVE.readings.length, neurotrophic_exposure: 1 });
    expect(live.points.filter((p) => p.measurement === MEASUREMENTS.rep && p.fields.source === '"imu"')).toHaveLength(5);
    console.info(`points of each athlete: ${JSON.stringify(countByMeasurement(live.points))} live, ${JSON.stringify(countByMeasurement(late.points))} late`);
    // No block or message of either session was refused or came too late to count (`samples_late`,
    // `samples_after_finish` would mean reps made without it).
    const letters = await getJson<DeadLetterList>(`${rig.pipeline.apiUrl}/v1/dead-letters?limit=100`);
    expect(letters.body.items.map((item) => `${item.reason} ${item.topic}`)).toEqual([]);
  }, 240_000);

  it('every point of every measurement of the late athlete equals the live athlete\'s', () => {
    const measurements = [...new Set([...live.points, ...late.points].map((p) => p.measurement))].sort();
    const of = (points: readonly FinalPoint[], measurement: string) => points.filter((p) => p.measurement === measurement);
    // All that differ first (a failure names every one), then the first one's points in detail.
    expect(measurements.filter((m) => !isDeepStrictEqual(of(late.points, m), of(live.points, m))), 'measurements that differ').toEqual([]);
    for (const measurement of measurements) expect(of(late.points, measurement), `${measurement}: the late athlete's points`).toEqual(of(live.points, measurement));
  });

  it('the set-level alerts are the same (in-set ones apart: late reps raise none, decision 0019)', () => {
    const setLevel = (alerts: readonly FinalPoint[]) => alerts.filter((p) => !IN_SET_RULES.has(p.tags.rule ?? ''));
    const inSet = (alerts: readonly FinalPoint[]) => alerts.filter((p) => IN_SET_RULES.has(p.tags.rule ?? ''));
    console.info(
      `alerts live: ${live.alerts.map(describeAlert).join('; ')}\nalerts late: ${late.alerts.map(describeAlert).join('; ')}\nin-set live ${inSet(live.alerts).length}, late ${inSet(late.alerts).length}`,
    );
    expect(live.alerts.length).toBeGreaterThan(0);
    // A session-end check due in the past waits ALERT_SESSION_END_SETTLE_MS, so it judges the whole uploaded session.
    expect(setLevel(late.alerts)).toEqual(setLevel(live.alerts));
  });
});
