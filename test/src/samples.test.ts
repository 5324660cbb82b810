// Reps from raw samples on real servers: a synthetic barbell trace published as `samples` blocks over
// MQTT yields the rep points the pure segmenter finds in it (source = samples) and a closed set with
// metrics; the same trace sent twice, or with its blocks shuffled and redelivered, yields the same points.
import { QUEUES, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import {
  createSegmenterState,
  generateSyntheticTrace,
  mulberry32,
  redeliverBlocks,
  segmentBlock,
  segmentBlocks,
  shuffleBlocks,
  splitIntoBlocks,
  type SamplesBlock,
  type SegmentedRep,
} from '@neurolift/stimulus';
import { Queue } from 'bullmq';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, getJson, pipelineEnv, startTestPipeline, type DeadLetterList } from './harness/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './harness/recording-proxy.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-samples';
const HZ = 100;

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let setsQueue: Queue;
let tsdb: RecordingProxy;

beforeAll(async () => {
  servers = await startServers();
  tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  // Sets close by their `end` here; the idle timeout only has to outlast a pause between two bursts of one set.
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, SET_IDLE_TIMEOUT_MS: '20000', MQTT_CLIENT_ID: 'samples-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
  setsQueue = new Queue(QUEUES.sets, { connection: { url: servers.env.REDIS_URL }, prefix: '{nl}' });
});

afterAll(async () => {
  await device?.endAsync();
  await setsQueue?.close();
  await pipeline?.close();
  await tsdb?.close();
  await servers?.stop();
});

/** One squat set of 6 reps (partials and a grind included), with a load cell, a few minutes ago. */
const trace = generateSyntheticTrace(mulberry32(20261126), {
  hz: HZ,
  t0: Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000,
  reps: 6,
  loadKg: 120,
  withForce: true,
});
// 10 min old: a late upload for the worker (SEGMENTER_LIVE_WINDOW_MS, 5 min), as far as the wait for gaps goes.
// The device stops 600 ms after the last lockout: within the filter's look-ahead and the 250 ms a
// stop must last, so the last rep is only complete when the set closes.
const lastLockout = trace.truth.at(-1)?.concentricEnd ?? 0;
const kept = Math.ceil(((lastLockout + 600 - trace.t0) * HZ) / 1000);
const cut = { ...trace, position: trace.position.slice(0, kept), ...(trace.force ? { force: trace.force.slice(0, kept) } : {}) };
const blocks = splitIntoBlocks(cut, mulberry32(7), 50, 400);
const expected: SegmentedRep[] = segmentBlocks(blocks);
const traceEnd = trace.t0 + Math.ceil((cut.position.length * 1000) / HZ);

async function publishSet(station: string, setId: string, athleteId: string, delivery: readonly SamplesBlock[]): Promise<void> {
  const topic = `gym/v1/${GYM}/${station}/samples`;
  for (const block of delivery) {
    await device.publishAsync(topic, JSON.stringify({ v: 1, athleteId, setId, exercise: 'back_squat', ...block }), { qos: 1 });
  }
  const end = { v: 1, event: 'end', ts: traceEnd, setId, athleteId, exercise: 'back_squat' };
  await device.publishAsync(`gym/v1/${GYM}/${station}/set`, JSON.stringify(end), { qos: 1 });
}

async function setDone(station: string, setId: string): Promise<true | undefined> {
  const job = await setsQueue.getJob(setJobId(GYM, station, setId, 0));
  return job?.finishedOn ? true : undefined;
}

/** The rep points of a station as InfluxDB would hold them (last write wins), by field. */
function repPoints(station: string) {
  const field = (name: string) => tsdb.latest('rep', { station }, name);
  return {
    meanVelocity: field('mean_velocity').map(({ ts, value }) => ({ ts, value: Number(value) })),
    repIndex: field('rep_index').map(({ value }) => value),
    rom: field('rom').map(({ value }) => Number(value)),
    meanPower: field('mean_power').map(({ value }) => Number(value)),
    partial: field('partial').map(({ value }) => value),
    source: field('source').map(({ value }) => value),
  };
}

describe('samples → reps', () => {
  it('the trace is a fair test: the segmenter finds every rep of its truth, the last one only at the close', () => {
    expect(expected).toHaveLength(trace.truth.length);
    expect(blocks.length).toBeGreaterThan(10);
    let state = createSegmenterState();
    let streamed = 0;
    for (const block of blocks) {
      const result = segmentBlock(state, block);
      state = result.state;
      streamed += result.reps.length;
    }
    expect(streamed).toBe(expected.length - 1);
  });

  it('a trace published as blocks yields the segmenter’s reps as rep points (source = samples) and a closed set', async () => {
    const station = 'st-in-order';
    await publishSet(station, 's-in-order', 'ath-s1', blocks);
    await waitFor(() => setDone(station, 's-in-order'), { what: 'the set job', timeoutMs: 30_000 });

    const reps = repPoints(station);
    expect(reps.meanVelocity).toEqual(expected.map((rep) => ({ ts: rep.ts, value: rep.meanVelocity })));
    expect(reps.repIndex).toEqual(expected.map((rep) => `${rep.repIndex}i`));
    expect(reps.rom).toEqual(expected.map((rep) => rep.rom));
    expect(reps.meanPower).toEqual(expected.map((rep) => rep.meanPower));
    expect(reps.partial).toEqual(expected.map((rep) => String(rep.partial)));
    expect(new Set(reps.source)).toEqual(new Set(['"samples"']));

    const set = (field: string) => tsdb.latest('set', { station }, field);
    expect(set('reps')).toEqual([{ ts: expected.at(-1)?.ts, value: `${expected.length}i` }]);
    expect(Number(set('mean_velocity')[0]?.value)).toBeCloseTo(expected.reduce((sum, rep) => sum + rep.meanVelocity, 0) / expected.length, 9);
    expect(set('velocity_loss_pct')).toHaveLength(1);
    expect(tsdb.latest('neurotrophic_stimulus', { athlete: 'ath-s1' }, 'nsi')).toHaveLength(1);
  });

  it('the same trace sent twice yields the same points', async () => {
    const station = 'st-twice';
    await publishSet(station, 's-twice', 'ath-s2', [...blocks, ...blocks]);
    await waitFor(() => setDone(station, 's-twice'), { what: 'the set job', timeoutMs: 30_000 });
    expect(repPoints(station)).toEqual(repPoints('st-in-order'));
    expect(tsdb.latest('set', { station }, 'reps')).toEqual(tsdb.latest('set', { station: 'st-in-order' }, 'reps'));
  });

  it('shuffled and redelivered blocks yield the same points, and nothing is dead-lettered', async () => {
    const station = 'st-shuffled';
    const prng = mulberry32(99);
    const delivery = redeliverBlocks(shuffleBlocks(blocks, prng, HZ), prng, 0.3);
    expect(delivery.map((block) => block.t0)).not.toEqual(blocks.map((block) => block.t0));
    await publishSet(station, 's-shuffled', 'ath-s3', delivery);
    await waitFor(() => setDone(station, 's-shuffled'), { what: 'the set job', timeoutMs: 30_000 });
    expect(repPoints(station)).toEqual(repPoints('st-in-order'));

    const letters = await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters`);
    expect(letters.body.total).toBe(0);
  });

  it('a late upload split over jobs, a block missing for more than 2 s of later samples: the reps of in-order delivery', async () => {
    const station = 'st-late-gap';
    const samplesQueue = new Queue(QUEUES.samples, { connection: { url: servers.env.REDIS_URL }, prefix: '{nl}' });
    try {
      const [first, missing, ...rest] = blocks;
      expect(rest.reduce((sum, block) => sum + block.position.length, 0)).toBeGreaterThan(2 * HZ);
      const topic = `gym/v1/${GYM}/${station}/samples`;
      for (const block of [first, ...rest]) {
        await device.publishAsync(topic, JSON.stringify({ v: 1, athleteId: 'ath-s5', setId: 's-late-gap', exercise: 'back_squat', ...block }), { qos: 1 });
      }
      // The worker segments what came (live, it would give the gap up here: 2 s of later samples are in).
      await waitFor(async () => ((await samplesQueue.getWaitingCount()) + (await samplesQueue.getActiveCount()) === 0 ? true : undefined), { what: 'the first burst segmented' });
      await publishSet(station, 's-late-gap', 'ath-s5', [missing as SamplesBlock]);
      await waitFor(() => setDone(station, 's-late-gap'), { what: 'the set job', timeoutMs: 30_000 });
      expect(repPoints(station)).toEqual(repPoints('st-in-order'));
      const letters = await getJson<DeadLetterList>(`${pipeline.apiUrl}/v1/dead-letters`);
      expect(letters.body.items.filter((item) => item.topic.includes(station))).toEqual([]);
    } finally {
      await samplesQueue.close();
    }
  });

  it('a set whose end arrives while its blocks are still queued waits for them', async () => {
    const station = 'st-queued';
    const samplesQueue = new Queue(QUEUES.samples, { connection: { url: servers.env.REDIS_URL }, prefix: '{nl}' });
    try {
      await samplesQueue.pause();
      await publishSet(station, 's-queued', 'ath-s4', blocks);
      const waiting = await waitFor(
        async () => {
          const job = await setsQueue.getJob(setJobId(GYM, station, 's-queued', 0));
          return (await job?.getState()) === 'delayed' ? job : undefined;
        },
        { what: 'the set job to wait for the queued blocks' },
      );
      expect(waiting.finishedOn).toBeUndefined();
      expect(tsdb.latest('set', { station }, 'reps')).toEqual([]);
      // Every block is in the inbox, but the set's samples jobs were deduplicated: one waits for all of them.
      expect(blocks.length).toBeGreaterThan(1);
      expect(await samplesQueue.getWaitingCount()).toBe(1);
      await samplesQueue.resume();
      await waitFor(() => setDone(station, 's-queued'), { what: 'the set job', timeoutMs: 30_000 });
      expect(repPoints(station)).toEqual(repPoints('st-in-order'));
      expect(tsdb.latest('set', { station }, 'reps')).toEqual(tsdb.latest('set', { station: 'st-in-order' }, 'reps'));
    } finally {
      await samplesQueue.resume();
      await samplesQueue.close();
    }
  });
});
