import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from '@neurolift/contracts';
import { createDeviceClient, type DeviceClient, type DeviceClientOptions } from '@neurolift/device-client';
import type { Logger } from '@neurolift/platform';
import { planGym, type StationTimeline, type TimelineEvent } from './gym-model.js';

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
}

export interface PublishedEvent {
  readonly stationId: string;
  readonly kind: TimelineEvent['kind'];
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

/** What tests replace: the device client factory (default: the real MQTT one). */
export interface SimulationOverrides {
  readonly createClient?: (options: DeviceClientOptions) => DeviceClient;
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
  const timelines = planGym({
    gymId: options.gymId,
    stations: options.stations,
    setsPerStation: options.setsPerStation,
    seed: options.seed,
    runId,
    ...(options.omitSetEvents === undefined ? {} : { omitSetEvents: options.omitSetEvents }),
  });
  const abort = new AbortController();
  const published: Record<Channel, number> = { rep: 0, samples: 0, set: 0, status: 0, imu: 0, hr: 0 };
  let failed = 0;
  let setsCompleted = 0;
  const startedAt = performance.now();

  const stations = timelines.map((timeline) => {
    let lastError = '';
    const client = createClient({
      url: options.url,
      gymId: options.gymId,
      stationId: timeline.station.id,
      model: timeline.station.model,
      firmware: timeline.station.firmware,
      clock,
      ...(options.password === undefined ? {} : { password: options.password }),
      onEvent: (event) => {
        const stationId = timeline.station.id;
        if (event.type === 'connect') logger.info({ stationId, sessionPresent: event.sessionPresent }, 'station connected');
        else if (event.type === 'offline') logger.warn({ stationId }, 'station offline, buffering');
        else if (event.error.message !== lastError) logger.warn({ stationId, error: event.error.message }, 'station connection error');
        lastError = event.type === 'error' ? event.error.message : '';
      },
    });
    return { timeline, client };
  });

  async function playStation(timeline: StationTimeline, client: DeviceClient): Promise<void> {
    const stationId = timeline.station.id;
    try {
      await client.connect();
    } catch (error) {
      if (abort.signal.aborted) return; // closed while still connecting
      logger.error({ stationId, err: error }, 'station could not connect; its timeline is skipped');
      failed += timeline.events.length;
      await client.close({ graceful: false });
      return;
    }
    const remaining = new Map(timeline.sets.map((set) => [set.setId, 0]));
    for (const event of timeline.events) {
      if (event.kind !== 'status') remaining.set(event.message.setId, (remaining.get(event.message.setId) ?? 0) + 1);
    }
    const inFlight: Array<Promise<void>> = [];
    for (const event of timeline.events) {
      const waitMs = startedAt + event.atMs / options.speed - performance.now();
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) break;
      const ts = clock();
      inFlight.push(
        publishEvent(client, event, ts).then(
          () => {
            published[event.kind] += 1;
            options.onEvent?.({ stationId, kind: event.kind, ts, message: { ...event.message, ts } });
            if (event.kind === 'status') return;
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
    await client.close({ graceful: true }); // waits (bounded) for the acknowledgements; rejects the rest
    await Promise.all(inFlight);
    logger.info({ stationId, stopped: abort.signal.aborted }, 'station finished');
  }

  logger.info(
    { gymId: options.gymId, runId, stations: timelines.length, setsPerStation: options.setsPerStation, speed: options.speed, expectedSeconds: expectedSeconds(timelines, options.speed) },
    'simulation started',
  );
  const done = Promise.all(stations.map(({ timeline, client }) => playStation(timeline, client))).then(() => ({
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
        await Promise.all(stations.map(({ client }) => client.close({ graceful: true })));
        await done;
      })();
      return closing;
    },
  };
}

function publishEvent(client: DeviceClient, event: TimelineEvent, ts: number): Promise<void> {
  switch (event.kind) {
    case 'rep':
      return client.publishRep({ ...event.message, ts });
    case 'set':
      return client.publishSet({ ...event.message, ts });
    case 'status':
      return client.publishStatus({ ...event.message, ts });
  }
}

function expectedSeconds(timelines: readonly StationTimeline[], speed: number): number {
  const longest = Math.max(0, ...timelines.map((timeline) => timeline.durationMs));
  return Math.round(longest / speed / 100) / 10;
}
