import type { LiveStation } from '@neurolift/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { alert, buildTestApi, openSse, station, TOKEN } from '../test-fixtures.js';

const bearer = { authorization: `Bearer ${TOKEN}` };
let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The app listening on a free port (event streams need a real socket; inject waits for the end). */
async function listening(options: Parameters<typeof buildTestApi>[0] = {}) {
  const test = buildTestApi({ sse: { heartbeatMs: 50 }, ...options });
  const url = await test.app.listen({ port: 0, host: '127.0.0.1' });
  close = () => test.app.close();
  return { ...test, url };
}

describe('GET /v1/gyms/:gymId/live/snapshot', () => {
  it('returns the gym stations and alerts', async () => {
    const { app, snapshots } = buildTestApi();
    snapshots.set('g1', { stations: [station()], alerts: [alert()] });
    const res = await app.inject({ url: '/v1/gyms/g1/live/snapshot', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ stations: [station()], alerts: [alert()] });
  });

  it('refuses a missing or wrong token, and the token as a query parameter', async () => {
    const { app } = buildTestApi();
    for (const request of [
      { url: '/v1/gyms/g1/live/snapshot' },
      { url: '/v1/gyms/g1/live/snapshot', headers: { authorization: 'Bearer wrong-token-0123456789' } },
      { url: `/v1/gyms/g1/live/snapshot?token=${TOKEN}` },
    ]) {
      const res = await app.inject(request);
      expect(res.statusCode, request.url).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers 400 to a gym id that breaks the id rule', async () => {
    const { app } = buildTestApi();
    const res = await app.inject({ url: '/v1/gyms/g:1/live/snapshot', headers: bearer });
    expect(res.statusCode).toBe(400);
  });
});

describe('GET /v1/gyms/:gymId/live (event stream)', () => {
  it('refuses a missing or wrong token and a bad gym id before streaming', async () => {
    const { app, liveFeed } = buildTestApi();
    expect((await app.inject({ url: '/v1/gyms/g1/live' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/gyms/g1/live?token=wrong-token-0123456789' })).statusCode).toBe(401);
    expect((await app.inject({ url: `/v1/gyms/${'x'.repeat(65)}/live?token=${TOKEN}` })).statusCode).toBe(400);
    expect(liveFeed.listenerCount()).toBe(0);
  });

  it('answers 503 when the live state cannot be read, and leaves no subscription behind', async () => {
    const { app, liveFeed } = buildTestApi({ liveState: { snapshot: () => Promise.reject(new Error('redis down')) } });
    const res = await app.inject({ url: '/v1/gyms/g1/live', headers: bearer });
    expect(res.statusCode).toBe(503);
    expect(liveFeed.listenerCount()).toBe(0);
  });

  it('sends the snapshot, then each event of the gym, with heartbeats; accepts ?token=', async () => {
    const { url, snapshots, pubsub } = await listening();
    snapshots.set('g1', { stations: [station()], alerts: [] });
    const stream = await openSse(`${url}/v1/gyms/g1/live?token=${TOKEN}`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(await stream.next()).toEqual({ retry: '3000' });
    const first = await stream.next();
    expect(first.event).toBe('snapshot');
    expect(JSON.parse(first.data ?? '')).toEqual({ stations: [station()], alerts: [] });

    const updated = station({ reps: [...station().reps, { repIndex: 3, meanVelocity: 0.4, velocityLossPct: 33.3, ts: 3 }], velocityLossPct: 33.3 });
    pubsub.publish('live:g1', 'not json');
    pubsub.publish('live:g1', JSON.stringify({ type: 'station', station: updated }));
    pubsub.publish('live:g1', JSON.stringify({ type: 'alert', alert: alert() }));
    const events = [];
    while (events.length < 2) {
      const block = await stream.next();
      if (block.event !== undefined) events.push({ event: block.event, data: JSON.parse(block.data ?? '') as unknown });
      else expect(block.comment).toBe('heartbeat');
    }
    expect(events).toEqual([
      { event: 'station', data: updated },
      { event: 'alert', data: alert() },
    ]);
    stream.close();
  });

  it('sends a fresh snapshot after the feed reconnected', async () => {
    const { url, snapshots, pubsub } = await listening({ sse: { heartbeatMs: 60_000 } });
    const stream = await openSse(`${url}/v1/gyms/g1/live`, bearer);
    await stream.next(); // retry
    expect(JSON.parse((await stream.next()).data ?? '')).toEqual({ stations: [], alerts: [] });
    snapshots.set('g1', { stations: [station()], alerts: [alert()] });
    pubsub.reconnect();
    const again = await stream.next();
    expect(again.event).toBe('snapshot');
    expect(JSON.parse(again.data ?? '')).toEqual({ stations: [station()], alerts: [alert()] });
    stream.close();
  });

  it('shares one subscription per gym and drops it when the last client disconnects', async () => {
    const { url, pubsub, liveFeed } = await listening();
    const streams = await Promise.all([1, 2].map(() => openSse(`${url}/v1/gyms/g1/live`, bearer)));
    for (const stream of streams) await stream.next();
    expect(pubsub.commands).toEqual(['subscribe live:g1']);
    expect(liveFeed.listenerCount()).toBe(2);

    streams[0]?.close();
    await expect.poll(() => liveFeed.listenerCount()).toBe(1);
    streams[1]?.close();
    await expect.poll(() => pubsub.commands).toEqual(['subscribe live:g1', 'unsubscribe live:g1']);
  });

  it("sends the gym's athletes' fresh heart rate as a heart_rate event every heartRateMs", async () => {
    const reads: string[] = [];
    let bpm = 120;
    const { url, liveFeed } = await listening({
      sse: { heartbeatMs: 60_000 },
      heartRateMs: 20,
      liveState: {
        snapshot: async () => ({ stations: [station({ heartRate: { bpm: 118, ts: 1 } })], alerts: [] }),
        heartRates: async (gymId) => {
          reads.push(gymId);
          return { 'ath-1': { bpm: bpm++, ts: 2 } };
        },
      },
    });
    const stream = await openSse(`${url}/v1/gyms/g1/live`, bearer);
    await stream.next(); // retry
    const snapshot = JSON.parse((await stream.next()).data ?? '') as { stations: LiveStation[] };
    expect(snapshot.stations[0]?.heartRate).toEqual({ bpm: 118, ts: 1 });
    for (const expected of [120, 121]) {
      const block = await stream.next();
      expect(block.event).toBe('heart_rate');
      expect(JSON.parse(block.data ?? '')).toEqual({ athletes: { 'ath-1': { bpm: expected, ts: 2 } } });
    }
    stream.close();
    await expect.poll(() => liveFeed.listenerCount()).toBe(0);
    const after = reads.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reads.length).toBe(after); // the timer stopped with the stream
    expect(new Set(reads)).toEqual(new Set(['g1']));
  });

  it('ends open streams when the app closes', async () => {
    const { url, app, liveFeed } = await listening();
    const stream = await openSse(`${url}/v1/gyms/g1/live`, bearer);
    await stream.next();
    await app.close();
    await stream.ended();
    expect(liveFeed.listenerCount()).toBe(0);
  });
});
