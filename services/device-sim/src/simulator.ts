import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from '@neurolift/contracts';
import { createDeviceClient, type DeviceClient, type DeviceClientOptions, type WearablePublisher } from '@neurolift/device-client';
import type { Logger } from '@neurolift/platform';
import { barImuSamples, BAR_IMU_HZ, sliceSamples, type BarImuSamples } from './bar-imu.js';
import { planGym, type PlannedSet, type SimDevice, type StationTimeline, type TimelineEvent } from './gym-model.js';

export interface SimulationOptions {
  readonly url: string;
  readonly gymId: string;
  readonly stations: number;
  readonly setsPerStation: number;
  /** Simulated time runs this many times faster than real time (rest between sets included). */
  readonly speed: number;
  readonly seed: number;
  /** Every station omits `set` start/end (default: every third station does). */
  readonly omitSetEvents?: boolean;
  /** Epoch ms for message timestamps. Default Date.now. */
  readonly clock?: () => number;
  readonly logger: Logger;
  /** Called for every message the broker acknowledged, with the payload as sent (minus `v`). */
  readonly onEvent?: (event: PublishedEvent) => void;
  /** Part of every setId; default derived from the start time, so runs never share set ids. */
  readonly runId?: string;
  /** Password for every station (username = stationId); for brokers that require one. */
  readonly password?: string;
  /**
   * Device protocol v1.1 wearables (default false): a heart-rate strap per athlete and a bar IMU at
   * every second rack (see PlanGymOptions.wearables). Their samples are physical, so the sets then play
   * in real time: `speed` shortens the rests between sets (and the start offsets) only, and every
   * message's time (the IMU's 100 samples a second, heart rate once a second) matches the clock.
   */
  readonly wearables?: boolean;
  /** With `wearables`, play the sets at `speed` too (tests; the wearables' times then no longer match the clock). Default false. */
  readonly fastSets?: boolean;
}

export interface PublishedEvent {
  /** The station that sent it (a wearable's own station id for `imu`, `hr` and the bar IMU's `set` events). */
  readonly stationId: string;
  readonly kind: TimelineEvent['kind'];
  /** The message's time: `ts`, or `t0` of an `imu` or `hr` block. */
  readonly ts: number;
  readonly message: TimelineEvent['message'] & { readonly ts: number };
}

export interface SimulationSummary {
  readonly runId: string;
  readonly stations: number;
  /** Messages the broker acknowledged, per channel (the clients' own presence messages excluded). */
  readonly published: Readonly<Record<Channel, number>>;
  /** Publishes that failed (rejected by the client or the broker, or unacknowledged at close). */
  readonly failed: number;
  readonly setsPlanned: number;
  /** Sets whose every message was acknowledged. */
  readonly setsCompleted: number;
  /** true when close() ended the run before every timeline was played. */
  readonly stopped: boolean;
  readonly durationMs: number;
}

export interface Simulation {
  readonly done: Promise<SimulationSummary>;
  close(): Promise<void>;
}

/** A device client; the wearables' publishers are needed only with `wearables`. */
export type SimulatedClient = DeviceClient & Partial<WearablePublisher>;

/** What tests replace: the device client factory (default: the real MQTT one). */
export interface SimulationOverrides {
  readonly createClient?: (options: DeviceClientOptions) => SimulatedClient;
}

/**
 * Plays a planned gym against a broker: one DeviceClient per station, each timeline in real time
 * divided by `speed`, every message stamped with the clock at publish time (so it falls inside the
 * pipeline's time window). Publishing does not wait for acknowledgements, like real equipment, so a
 * slow or absent broker delays nothing but the summary. close() stops early, gracefully.
 */
export function startSimulation(options: SimulationOptions, overrides: SimulationOverrides = {}): Simulation {
  if (!(options.speed > 0 && Number.isFinite(options.speed))) throw new RangeError(`speed must be a positive number, got ${options.speed}`);
  const clock = options.clock ?? Date.now;
  const createClient = overrides.createClient ?? createDeviceClient;
  const { logger } = options;
  const runId = options.runId ?? `r${clock().toString(36)}`;
  const wearables = options.wearables === true;
  // Real-time sets: the plan's rests are shortened instead, and the timelines play at 1×.
  const realTimeSets = wearables && options.fastSets !== true;
  const playSpeed = realTimeSets ? 1 : options.speed;
  const timelines = planGym({
    gymId: options.gymId,
    stations: options.stations,
    setsPerStation: options.setsPerStation,
    seed: options.seed,
    runId,
    ...(options.omitSetEvents === undefined ? {} : { omitSetEvents: options.omitSetEvents }),
    ...(wearables ? { wearables } : {}),
    ...(realTimeSets ? { restMs: [90_000 / options.speed, 180_000 / options.speed] as const } : {}),
  });
  const abort = new AbortController();
  const published: Record<Channel, number> = { rep: 0, samples: 0, set: 0, status: 0, imu: 0, hr: 0 };
  let failed = 0;
  let setsCompleted = 0;
  const startedAt = performance.now();

  const connect = (device: SimDevice): SimulatedClient => {
    let lastError = '';
    const stationId = device.id;
    return createClient({
      url: options.url,
      gymId: options.gymId,
      stationId,
      model: device.model,
      firmware: device.firmware,
      clock,
      ...(options.password === undefined ? {} : { password: options.password }),
      onEvent: (event) => {
        if (event.type === 'connect') logger.info({ stationId, sessionPresent: event.sessionPresent }, 'station connected');
        else if (event.type === 'offline') logger.warn({ stationId }, 'station offline, buffering');
        else if (event.error.message !== lastError) logger.warn({ stationId, error: event.error.message }, 'station connection error');
        lastError = event.type === 'error' ? event.error.message : '';
      },
    });
  };
  const stations = timelines.map((timeline) => {
    const { hr, imu } = timeline.devices ?? {};
    const clients: StationClients = {
      station: connect(timeline.station),
      ...(hr === undefined ? {} : { hr: { device: hr, client: connect(hr) } }),
      ...(imu === undefined ? {} : { imu: { device: imu, client: connect(imu) } }),
    };
    return { timeline, clients };
  });

  async function playStation(timeline: StationTimeline, clients: StationClients): Promise<void> {
    const stationId = timeline.station.id;
    const all = allClients(clients);
    try {
      await Promise.all(all.map((client) => client.connect()));
    } catch (error) {
      if (abort.signal.aborted) return; // closed while still connecting
      logger.error({ stationId, err: error }, 'station could not connect; its timeline is skipped');
      failed += timeline.events.length;
      await Promise.all(all.map((client) => client.close({ graceful: false })));
      return;
    }
    const remaining = new Map(timeline.sets.map((set) => [set.setId, 0]));
    for (const event of timeline.events) {
      if (event.kind !== 'status' && event.kind !== 'hr') remaining.set(event.message.setId, (remaining.get(event.message.setId) ?? 0) + 1);
    }
    const wearableClock = createWearableClock(timeline.sets);
    const inFlight: Array<Promise<void>> = [];
    for (const event of timeline.events) {
      const waitMs = startedAt + event.atMs / playSpeed - performance.now();
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) break;
      const now = clock();
      const sent = sendEvent(clients, event, now, wearableClock);
      const ts = sent.ts;
      const sender = sent.stationId;
      inFlight.push(
        sent.done.then(
          () => {
            published[event.kind] += 1;
            options.onEvent?.({ stationId: sender, kind: event.kind, ts, message: { ...event.message, ts } });
            if (event.kind === 'status' || event.kind === 'hr') return;
            const left = (remaining.get(event.message.setId) ?? 1) - 1;
            remaining.set(event.message.setId, left);
            if (left === 0) {
              setsCompleted += 1;
              logger.info({ stationId, setId: event.message.setId, exercise: event.message.exercise, loadKg: event.message.loadKg }, 'set completed');
            }
          },
          (error: unknown) => {
            failed += 1;
            logger.error({ stationId, kind: event.kind, err: error }, 'publish failed');
          },
        ),
      );
    }
    await Promise.all(all.map((client) => client.close({ graceful: true }))); // waits (bounded) for the acknowledgements; rejects the rest
    await Promise.all(inFlight);
    logger.info({ stationId, stopped: abort.signal.aborted }, 'station finished');
  }

  logger.info(
    { gymId: options.gymId, runId, stations: timelines.length, setsPerStation: options.setsPerStation, speed: options.speed, wearables, expectedSeconds: expectedSeconds(timelines, playSpeed) },
    'simulation started',
  );
  const done = Promise.all(stations.map(({ timeline, clients }) => playStation(timeline, clients))).then(() => ({
    runId,
    stations: timelines.length,
    published: { ...published },
    failed,
    setsPlanned: timelines.reduce((sum, timeline) => sum + timeline.sets.length, 0),
    setsCompleted,
    stopped: abort.signal.aborted,
    durationMs: Math.round(performance.now() - startedAt),
  }));

  let closing: Promise<void> | undefined;
  return {
    done,
    close() {
      closing ??= (async () => {
        abort.abort();
        // Also ends stations still waiting for their first connection; a client's close is idempotent.
        await Promise.all(stations.flatMap(({ clients }) => allClients(clients)).map((client) => client.close({ graceful: true })));
        await done;
      })();
      return closing;
    },
  };
}

interface StationClients {
  readonly station: SimulatedClient;
  readonly hr?: { readonly device: SimDevice; readonly client: SimulatedClient };
  readonly imu?: { readonly device: SimDevice; readonly client: SimulatedClient };
}

function allClients(clients: StationClients): SimulatedClient[] {
  return [clients.station, ...(clients.hr ? [clients.hr.client] : []), ...(clients.imu ? [clients.imu.client] : [])];
}

/**
 * The wearables' sample times. Blocks are contiguous: an `imu` set's blocks are stamped from its first
 * sample's time (its `set` start, else its first block's publish time less the block), a strap's from its
 * first second, so timer jitter never opens gaps or overlaps. Samples are generated when a set's first
 * block is sent and dropped after its last.
 */
interface WearableClock {
  imuT0(setId: string, first: number, count: number, now: number): number;
  setStarted(setId: string, ts: number): void;
  samples(setId: string, first: number, count: number): BarImuSamples;
  hrT0(startMs: number, seconds: number, now: number): number;
}

function createWearableClock(sets: readonly PlannedSet[]): WearableClock {
  const setT0 = new Map<string, number>();
  const traces = new Map<string, BarImuSamples>();
  let strapOrigin: number | undefined;
  const periodMs = 1000 / BAR_IMU_HZ;
  return {
    setStarted(setId, ts) {
      if (sets.some((set) => set.setId === setId && set.imu !== undefined)) setT0.set(setId, ts);
    },
    imuT0(setId, first, count, now) {
      let t0 = setT0.get(setId);
      if (t0 === undefined) {
        t0 = now - Math.ceil((first + count) * periodMs);
        setT0.set(setId, t0);
      }
      return Math.round(t0 + first * periodMs);
    },
    samples(setId, first, count) {
      let trace = traces.get(setId);
      const plan = trace === undefined ? sets.find((set) => set.setId === setId)?.imu : undefined;
      if (plan !== undefined) {
        trace = barImuSamples(plan);
        traces.set(setId, trace);
      }
      if (trace === undefined) throw new Error(`set ${setId} has no bar IMU plan`);
      if (first + count >= trace.accel.x.length) traces.delete(setId);
      return sliceSamples(trace, first, count);
    },
    hrT0(startMs, seconds, now) {
      strapOrigin ??= now - seconds * 1000 - startMs;
      return strapOrigin + startMs;
    },
  };
}

/** Publishes one event from the device that sends it; the message time (`ts`, or `t0` of a block) and the sender. */
function sendEvent(clients: StationClients, event: TimelineEvent, now: number, wearable: WearableClock): { done: Promise<void>; ts: number; stationId: string } {
  const station = { client: clients.station, device: { id: clients.station.stationId } };
  // A rejected publish is reported as a failed publish, never thrown.
  switch (event.kind) {
    case 'rep':
      return { done: clients.station.publishRep({ ...event.message, ts: now }), ts: now, stationId: station.device.id };
    case 'status':
      return { done: clients.station.publishStatus({ ...event.message, ts: now }), ts: now, stationId: station.device.id };
    case 'set': {
      const sender = event.device === 'imu' && clients.imu !== undefined ? clients.imu : station;
      if (event.device === 'imu' && event.message.event === 'start') wearable.setStarted(event.message.setId, now);
      return { done: sender.client.publishSet({ ...event.message, ts: now }), ts: now, stationId: sender.device.id };
    }
    case 'imu': {
      const imu = clients.imu;
      if (imu?.client.publishImu === undefined) return missing(clients.station.stationId, 'imu', now);
      const { first, count, ...message } = event.message;
      const t0 = wearable.imuT0(message.setId, first, count, now);
      let samples: BarImuSamples;
      try {
        samples = wearable.samples(message.setId, first, count);
      } catch (error) {
        return { done: Promise.reject(error instanceof Error ? error : new Error(String(error))), ts: t0, stationId: imu.device.id };
      }
      return { done: imu.client.publishImu({ ...message, t0, ...samples }), ts: t0, stationId: imu.device.id };
    }
    case 'hr': {
      const hr = clients.hr;
      if (hr?.client.publishHr === undefined) return missing(clients.station.stationId, 'hr', now);
      const { startMs, ...message } = event.message;
      const t0 = wearable.hrT0(startMs, message.bpm.length, now);
      return { done: hr.client.publishHr({ ...message, t0 }), ts: t0, stationId: hr.device.id };
    }
  }
}

/** A wearable event of a timeline without that wearable's client: fails like a rejected publish. */
function missing(stationId: string, channel: 'imu' | 'hr', now: number): { done: Promise<void>; ts: number; stationId: string } {
  return { done: Promise.reject(new Error(`station ${stationId} has no ${channel} device, or its client cannot publish ${channel}`)), ts: now, stationId };
}

function expectedSeconds(timelines: readonly StationTimeline[], speed: number): number {
  const longest = Math.max(0, ...timelines.map((timeline) => timeline.durationMs));
  return Math.round(longest / speed / 100) / 10;
}
