import { Id } from '@neurolift/contracts';
import type { Logger } from '@neurolift/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { LiveFeed, LiveFeedMessage, LiveSnapshot, LiveStateReader } from '../ports.js';
import { DEFAULT_SSE_OPTIONS, openSseStream, type SseOptions, type SseStream } from '../sse-stream.js';

const GymParams = z.object({ gymId: Id });

export interface LiveRouteDeps {
  /** Fastify's own logger is off (it would log the URL, and with it the `?token=`). */
  readonly logger?: Logger;
  readonly liveState: LiveStateReader;
  readonly liveFeed: LiveFeed;
  readonly sse?: Partial<SseOptions>;
  /** How often a stream sends the `heart_rate` event (the gym's athletes' fresh heart rate), ms. Default 5000. */
  readonly heartRateMs?: number;
  /**
   * Whether the caller may still follow the gym (token not revoked or expired, gym still in its scope);
   * asked every `accessRecheckMs` (default 5000), and the stream ends when it says no.
   */
  readonly stillAllowed?: (request: FastifyRequest) => Promise<boolean>;
  readonly accessRecheckMs?: number;
}

export const DEFAULT_HEART_RATE_MS = 5000;
export const DEFAULT_ACCESS_RECHECK_MS = 5000;

function badGym(reply: FastifyReply): FastifyReply {
  return reply.code(400).send({ error: 'bad_request', message: 'gymId breaks the id rule' });
}

function forward(stream: SseStream, message: LiveFeedMessage, reload: () => void): void {
  switch (message.kind) {
    case 'event':
      if (message.event.type === 'station') stream.send('station', message.event.station);
      else stream.send('alert', message.event.alert);
      return;
    case 'resync':
      reload();
      return;
  }
}

/**
 * The live console's data: `GET /v1/gyms/:gymId/live/snapshot` (JSON) and `GET /v1/gyms/:gymId/live`
 * (Server-Sent Events: `snapshot`, then every `station` and `alert` event of the gym, heartbeat comments,
 * and every `heartRateMs` a `heart_rate` event `{ athletes: { <athleteId>: { bpm, ts } } }` with the fresh
 * heart rate of the athletes at the gym's stations: an athlete absent from it has none now).
 */
export function registerLiveRoutes(app: FastifyInstance, deps: LiveRouteDeps): void {
  const sse: SseOptions = { ...DEFAULT_SSE_OPTIONS, ...deps.sse };
  void app.register(
    async (live) => {
      const streams = new Set<SseStream>();
      // Open streams would keep app.close() waiting for ever: end them first (clients reconnect elsewhere).
      live.addHook('preClose', async () => {
        for (const stream of streams) stream.close();
      });

      live.get('/gyms/:gymId/live/snapshot', async (request, reply) => {
        const params = GymParams.safeParse(request.params);
        if (!params.success) return badGym(reply);
        return reply.header('cache-control', 'no-store').send(await deps.liveState.snapshot(params.data.gymId));
      });

      live.get('/gyms/:gymId/live', async (request, reply) => {
        const params = GymParams.safeParse(request.params);
        if (!params.success) return badGym(reply);
        const { gymId } = params.data;

        // Subscribe before reading the snapshot and hold events back until it is sent: nothing published
        // in between is lost (an event already in the snapshot arrives twice, which the page tolerates).
        const held: LiveFeedMessage[] = [];
        let stream: SseStream | undefined = undefined;
        let unsubscribe: (() => void) | undefined;
        let heartRateTimer: NodeJS.Timeout | undefined;
        let accessTimer: NodeJS.Timeout | undefined;
        let gone = false;
        const cleanup = (): void => {
          gone = true;
          clearInterval(heartRateTimer);
          clearInterval(accessTimer);
          unsubscribe?.();
          if (stream !== undefined) streams.delete(stream);
        };
        reply.raw.on('close', cleanup);
        const reload = (): void => {
          deps.liveState.snapshot(gymId).then(
            (snapshot) => stream?.send('snapshot', snapshot),
            (error: unknown) => {
              deps.logger?.warn({ err: error, gymId }, 'live snapshot reload failed');
              stream?.close();
            },
          );
        };

        let snapshot: LiveSnapshot;
        try {
          unsubscribe = await deps.liveFeed.subscribe(gymId, (message) => {
            if (stream === undefined) held.push(message);
            else forward(stream, message, reload);
          });
          snapshot = await deps.liveState.snapshot(gymId);
        } catch (error) {
          cleanup();
          deps.logger?.warn({ err: error, gymId }, 'live stream unavailable');
          return reply.code(503).send({ error: 'unavailable', message: 'live state is unavailable, retry shortly' });
        }
        reply.hijack();
        if (gone) {
          cleanup(); // the client left while we subscribed
          return reply;
        }
        const opened = openSseStream(reply.raw, sse, cleanup);
        stream = opened;
        streams.add(opened);
        opened.send('snapshot', snapshot);
        for (const message of held.splice(0)) forward(opened, message, reload);
        const stillAllowed = deps.stillAllowed;
        if (stillAllowed !== undefined) {
          let checking = false;
          accessTimer = setInterval(() => {
            if (checking) return;
            checking = true;
            stillAllowed(request)
              .then(
                (allowed) => {
                  if (!allowed) opened.close(); // revoked, expired, or the gym left its scope: no more events
                },
                (error: unknown) => deps.logger?.warn({ err: error, gymId }, 'live access re-check failed; the stream stays open'),
              )
              .finally(() => (checking = false));
          }, deps.accessRecheckMs ?? DEFAULT_ACCESS_RECHECK_MS);
          accessTimer.unref();
        }
        const readHeartRates = deps.liveState.heartRates?.bind(deps.liveState);
        if (readHeartRates !== undefined) {
          let reading = false;
          heartRateTimer = setInterval(() => {
            if (reading) return; // a slow Redis: never pile reads up
            reading = true;
            readHeartRates(gymId)
              .then(
                (athletes) => opened.send('heart_rate', { athletes }),
                (error: unknown) => deps.logger?.warn({ err: error, gymId }, 'live heart rate read failed'),
              )
              .finally(() => (reading = false));
          }, deps.heartRateMs ?? DEFAULT_HEART_RATE_MS);
          heartRateTimer.unref();
        }
        return reply;
      });
    },
    { prefix: '/v1' },
  );
}
