import { CHANNEL_SCHEMAS, deviceTopic, isId, parseDeviceMessage, type Channel } from '@neurolift/contracts';
import type { DeviceClientOptions } from '@neurolift/device-client';
import { createLogger } from '@neurolift/platform';
import { segmentImuBlocks } from '@neurolift/stimulus';
import { describe, expect, it } from 'vitest';
import { barImuSamples, BAR_IMU_HZ, sliceSamples } from './bar-imu.js';
import { planGym, type StationTimeline, type TimelineEvent } from './gym-model.js';
import { heartRateProfile } from './heart-rate-model.js';
import { startSimulation, type SimulatedClient } from './simulator.js';

const NOW = 1_793_032_889_123;
const base = { gymId: 'gym-wear', stations: 4, setsPerStation: 3, seed: 11, runId: 'rw', wearables: true } as const;
const encoder = new TextEncoder();
const logger = createLogger({ name: 'device-sim-test', level: 'silent' });

const ofKind = <K extends TimelineEvent['kind']>(timeline: StationTimeline, kind: K) =>
  timeline.events.filter((event): event is Extract<TimelineEvent, { kind: K }> => event.kind === kind);

describe('planGym with wearables', () => {
  const plan = planGym(base);

  it('gives every athlete a heart-rate strap and every second rack a bar IMU that measures its sets', () => {
    for (const [index, timeline] of plan.entries()) {
      expect(timeline.devices?.hr?.id).toBe(`hr-${timeline.athlete.id}`);
      expect(isId(timeline.devices?.hr?.id ?? '')).toBe(true);
      if (index % 2 === 1) {
        expect(timeline.devices?.imu?.id).toBe(`imu-${timeline.station.id}`);
        expect(isId(timeline.devices?.imu?.id ?? '')).toBe(true);
        expect(ofKind(timeline, 'rep')).toEqual([]);
        expect(timeline.sets.every((set) => set.imu !== undefined)).toBe(true);
        expect(ofKind(timeline, 'set').every((event) => event.device === 'imu')).toBe(true);
      } else {
        expect(timeline.devices?.imu).toBeUndefined();
        expect(ofKind(timeline, 'imu')).toEqual([]);
        expect(ofKind(timeline, 'rep').length).toBe(timeline.sets.reduce((sum, set) => sum + set.reps.length, 0));
      }
    }
  });

  it('keeps the athletes and the racks’ own plans of a gym without wearables', () => {
    const without = planGym({ ...base, wearables: false });
    expect(plan.map((timeline) => timeline.athlete)).toEqual(without.map((timeline) => timeline.athlete));
    expect(ofKind(plan[0] as StationTimeline, 'rep')).toEqual(ofKind(without[0] as StationTimeline, 'rep'));
    expect(without.every((timeline) => timeline.devices === undefined)).toBe(true);
  });

  it('plans imu blocks of a second, contiguous over each set, and valid v1.1 messages', () => {
    const timeline = plan[1] as StationTimeline;
    for (const set of timeline.sets) {
      const blocks = ofKind(timeline, 'imu').filter((event) => event.message.setId === set.setId);
      expect(blocks.map((block) => block.message.first)).toEqual(blocks.map((_, i) => i * 100));
      expect(blocks.reduce((sum, block) => sum + block.message.count, 0)).toBe(set.imu?.samples);
      const samples = barImuSamples(set.imu ?? { seed: 0, options: { kind: 'paused', hz: 100 }, samples: 0 });
      expect(samples.accel.x).toHaveLength(set.imu?.samples ?? -1);
      const first = blocks[0]?.message;
      if (first === undefined) throw new Error('no block');
      const { first: from, count, ...rest } = first;
      const payload = { v: 1, ...rest, t0: NOW - 60_000, ...sliceSamples(samples, from, count) };
      const outcome = parseDeviceMessage(deviceTopic(base.gymId, timeline.devices?.imu?.id ?? '', 'imu'), encoder.encode(JSON.stringify(payload)), { now: NOW });
      expect(outcome.ok ? 'ok' : outcome.detail).toBe('ok');
      expect(JSON.stringify(payload).length).toBeLessThan(8 * 1024);
    }
  });

  it('gives the imu segmenter the planned number of reps of a set', () => {
    const timeline = plan[1] as StationTimeline;
    for (const set of timeline.sets) {
      if (set.imu === undefined) throw new Error('no imu plan');
      const samples = barImuSamples(set.imu);
      const blocks = ofKind(timeline, 'imu')
        .filter((event) => event.message.setId === set.setId)
        .map(({ message }) => ({ t0: NOW + message.first * 10, hz: BAR_IMU_HZ, loadKg: message.loadKg, mount: message.mount, ...sliceSamples(samples, message.first, message.count) }));
      expect(segmentImuBlocks(blocks).length).toBe(set.reps.length);
    }
  });

  it('plans heart rate once a second from the start to 65 s after the last set: rising in sets, recovering in rest', () => {
    for (const timeline of plan) {
      const blocks = ofKind(timeline, 'hr');
      expect(blocks.map((block) => block.message.startMs)).toEqual(blocks.map((_, i) => i * 5000));
      for (const block of blocks) {
        expect(block.atMs).toBe(block.message.startMs + block.message.bpm.length * 1000);
        expect(CHANNEL_SCHEMAS.hr.safeParse({ v: 1, t0: NOW, ...block.message }).success).toBe(true);
        const rr = block.message.rr ?? [];
        const meanRr = rr.reduce((sum, interval) => sum + interval, 0) / rr.length;
        const meanBpm = block.message.bpm.reduce((sum, bpm) => sum + bpm, 0) / block.message.bpm.length;
        expect(Math.abs(60_000 / meanRr - meanBpm)).toBeLessThan(8);
      }
      const bpm = blocks.flatMap((block) => block.message.bpm);
      const profile = heartRateProfile(timeline.athlete);
      expect(profile.restingBpm).toBeGreaterThanOrEqual(60);
      expect(profile.restingBpm).toBeLessThanOrEqual(75);
      expect(Math.min(...bpm)).toBeGreaterThanOrEqual(profile.restingBpm - 5);
      expect(Math.max(...bpm)).toBeLessThanOrEqual(profile.maxBpm);
      expect(Math.max(...bpm)).toBeGreaterThan(profile.restingBpm + 40);

      // The set's end is near its peak; 60 s later the heart rate has recovered part of the way.
      const lastSetEnd = Math.max(...timeline.events.filter((e) => e.kind === 'rep' || e.kind === 'imu').map((e) => e.atMs));
      const at = (ms: number) => bpm[Math.floor(ms / 1000)] ?? Number.NaN;
      expect(at(lastSetEnd)).toBeGreaterThan(at(lastSetEnd + 60_000) + 10);
      expect(bpm.length * 1000).toBeGreaterThanOrEqual(lastSetEnd + 60_000);
    }
  });
});

interface Sent {
  readonly stationId: string;
  readonly channel: Channel;
  readonly body: Record<string, unknown>;
}

/** Clients that validate each message as the pipeline would and acknowledge it at once. */
function recordingClients(sent: Sent[]) {
  return (options: DeviceClientOptions): SimulatedClient => {
    const publish = (channel: Channel) => (body: object) => {
      const parsed = CHANNEL_SCHEMAS[channel].safeParse({ ...body, v: 1 });
      if (!parsed.success) return Promise.reject(new Error(`${channel}: ${parsed.error.message}`));
      sent.push({ stationId: options.stationId, channel, body: body as Record<string, unknown> });
      return Promise.resolve();
    };
    return {
      gymId: options.gymId,
      stationId: options.stationId,
      connect: () => Promise.resolve(),
      publishRep: publish('rep'),
      publishSamples: publish('samples'),
      publishSet: publish('set'),
      publishStatus: publish('status'),
      publishImu: publish('imu'),
      publishHr: publish('hr'),
      pending: () => 0,
      isConnected: () => true,
      close: () => Promise.resolve(),
    };
  };
}

describe('startSimulation with wearables', () => {
  it('publishes the straps’ and bar IMUs’ blocks from their own stations, contiguous in time', async () => {
    const sent: Sent[] = [];
    const options = { url: 'mqtt://127.0.0.1:1', ...base, speed: 1e6, fastSets: true, clock: () => NOW, logger };
    const summary = await startSimulation(options, { createClient: recordingClients(sent) }).done;
    const plan = planGym(base);
    const count = (kind: string) => plan.flatMap((timeline) => timeline.events).filter((event) => event.kind === kind).length;
    expect(summary).toMatchObject({ failed: 0, setsPlanned: 12, setsCompleted: 12, published: { imu: count('imu'), hr: count('hr'), rep: count('rep'), set: count('set') } });
    expect(count('imu')).toBeGreaterThan(0);

    for (const timeline of plan) {
      const hr = sent.filter((message) => message.stationId === timeline.devices?.hr?.id);
      expect(hr.every((message) => message.channel === 'hr')).toBe(true);
      const t0s = hr.map((message) => message.body['t0'] as number);
      expect(t0s.slice(1).map((t0, i) => t0 - (t0s[i] ?? 0))).toEqual(t0s.slice(1).map(() => 5000));

      const imuId = timeline.devices?.imu?.id;
      if (imuId === undefined) continue;
      expect(sent.filter((message) => message.stationId === timeline.station.id && message.channel !== 'status')).toEqual([]);
      for (const set of timeline.sets) {
        const blocks = sent.filter((message) => message.stationId === imuId && message.channel === 'imu' && message.body['setId'] === set.setId);
        const starts = blocks.map((block) => block.body['t0'] as number);
        expect(starts.slice(1).map((t0, i) => t0 - (starts[i] ?? 0))).toEqual(starts.slice(1).map(() => 1000));
        const setEvents = sent.filter((message) => message.stationId === imuId && message.channel === 'set' && message.body['setId'] === set.setId);
        expect(setEvents.map((message) => message.body['event'])).toEqual(timeline.station.sendsSetEvents ? ['start', 'end'] : []);
      }
    }
  });

  it('counts wearable blocks as failed when the client has no wearable publishers', async () => {
    const sent: Sent[] = [];
    const withoutWearables = (options: DeviceClientOptions): SimulatedClient => {
      const { publishImu: _imu, publishHr: _hr, ...client } = recordingClients(sent)(options);
      return client;
    };
    const options = { url: 'mqtt://127.0.0.1:1', ...base, stations: 2, speed: 1e6, fastSets: true, clock: () => NOW, logger };
    const summary = await startSimulation(options, { createClient: withoutWearables }).done;
    expect(summary.published.hr).toBe(0);
    expect(summary.failed).toBeGreaterThan(0);
  });
});
