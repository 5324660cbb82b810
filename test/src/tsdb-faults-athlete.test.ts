// A TSDB outage in the middle of an athlete's fold, through the whole pipeline on real servers. A strap's block
// uploaded late (the sets and the rest of the heart rate came first) changes a minute of cardio, so the athlete's
// state is folded again from it and every later minute and set rewritten; the TSDB answers 503 to the athlete's
// series twice. BullMQ retries the heart-rate job, which finds its minute stored already: the fold stays pending
// until one is saved (decision 0014), so the final points equal those of the same session without the outage.
import { heartRateJobId, MEASUREMENTS, QUEUES } from '@neurolift/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { putProfile } from './harness/athlete-profile.js';
import { startRecordedPipeline, type RecordedPipeline } from './harness/recorded-pipeline.js';
import { waitFor } from './harness/servers.js';
import { finalPoints, normalise, type FinalPoint } from './harness/wearable-points.js';
import { planWearableSession, recentSessionStart, WEARABLE_PROFILE, type WearableSession } from './harness/wearable-session.js';

const GYM = 'gym-outage';
const DAY_MS = 86_400_000;

let rig: RecordedPipeline;

beforeAll(async () => {
  rig = await startRecordedPipeline({ SET_IDLE_TIMEOUT_MS: '3000', TIME_MAX_AGE_MS: String(7 * DAY_MS), MQTT_CLIENT_ID: 'tsdb-faults-athlete-test' });
}, 60_000);

afterAll(async () => {
  rig?.tsdb.inject(undefined);
  await rig?.close();
});

const START = recentSessionStart();

const sessionOf = (athleteId: string, n: number): WearableSession => planWearableSession({ gym: GYM, athleteId, rack: `rack-${n}`, strap: `strap-${n}` }, START);

/** The block uploaded last: the second half of minute 5 of the cardio (its first half is stored by then). */
const LATE_BLOCK = 11;

/** Sets live (each processed before the next message), the strap's blocks but one, then that one; returns its job's attempts. */
async function run(session: WearableSession, beforeLate: () => void = () => undefined): Promise<number> {
  const { device, queues, tsdb } = rig;
  const { athleteId, strap } = session.ids;
  await putProfile(rig.pipeline.apiUrl, athleteId, WEARABLE_PROFILE);
  for (const message of session.messages.filter((m) => m.kind !== 'hr')) {
    await device.publishAsync(message.topic, message.payload, { qos: 1 });
    const closes = message.closes;
    if (closes) await waitFor(() => rig.setDone(GYM, closes.station, closes.setId), { what: `set ${closes.setId}`, timeoutMs: 30_000 });
  }
  const blocks = session.messages.filter((m) => m.kind === 'hr');
  const late = blocks[LATE_BLOCK];
  const lateBlock = session.hrBlocks[LATE_BLOCK];
  if (late === undefined || lateBlock === undefined) throw new Error('no late block');
  for (const message of blocks.filter((m) => m !== late)) await device.publishAsync(message.topic, message.payload, { qos: 1 });
  const heartRateDone = () => finalPoints(tsdb.points(), athleteId).filter((p) => p.measurement === MEASUREMENTS.heartRate).length;
  await queues.settled(tsdb, () => heartRateDone() === session.readings.length - lateBlock.bpm.length);
  beforeLate();
  await device.publishAsync(late.topic, late.payload, { qos: 1 });
  const jobId = heartRateJobId(GYM, strap, lateBlock.t0);
  // Retries wait in the delayed set, which settled() does not count: wait for the job itself.
  const job = await waitFor(async () => {
    const found = await queues.get(QUEUES.heartRate).getJob(jobId);
    return (await found?.getState()) === 'completed' ? found : undefined;
  }, { what: `the late block's job ${jobId}`, timeoutMs: 60_000 });
  await queues.settled(tsdb, () => heartRateDone() === session.readings.length);
  return job.attemptsMade;
}

const normalised = (session: WearableSession): FinalPoint[] =>
  normalise(finalPoints(rig.tsdb.points(), session.ids.athleteId), {
    athleteId: session.ids.athleteId,
    rename: { [session.ids.athleteId]: 'ATHLETE', [session.ids.rack]: 'RACK', [session.ids.strap]: 'STRAP' },
    shiftMs: 0,
    sessionStart: START,
  });

it('a late heart-rate block whose fold meets a 503 twice writes, once retried, the points of a run without the outage', async () => {
  const steady = sessionOf('ath-steady', 1);
  const outage = sessionOf('ath-outage', 2);
  expect(await run(steady)).toBe(1);

  let refused = 0;
  const attempts = await run(outage, () =>
    rig.tsdb.inject((body) => (body.includes(`${MEASUREMENTS.stimulus},athlete=${outage.ids.athleteId}`) && refused < 2 ? (refused++, { status: 503 }) : undefined)),
  );
  rig.tsdb.inject(undefined);

  const expected = normalised(steady);
  // The late minute moved every later session point: the steady run has them, with an aerobic dose.
  expect(expected.filter((p) => p.measurement === MEASUREMENTS.stimulus).length).toBeGreaterThan(20);
  const measurements = [...new Set(expected.map((p) => p.measurement))].sort();
  const got = normalised(outage);
  for (const measurement of measurements) {
    const of = (points: readonly FinalPoint[]) => points.filter((p) => p.measurement === measurement);
    expect(of(got), `${measurement} after the outage`).toEqual(of(expected));
  }
  expect(got.length).toBe(expected.length);
  // Both failed attempts stored the minute; the third wrote the fold.
  expect(refused).toBe(2);
  expect(attempts).toBe(3);
}, 240_000);
