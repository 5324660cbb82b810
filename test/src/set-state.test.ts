// The set bookkeeping that ingest keeps in Redis (Lua scripts), exercised directly on a real Redis:
// which event closes a set, what a redelivery or a late rep does, and that the closer's list and
// lock behave. Times are passed in explicitly.
import { QUEUES, parseDeviceMessage, redisKeys, type SetJob } from '@neurolift/contracts';
import { buildCommit, createRedisIntakeStore } from '@neurolift/ingest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServers, type LocalServices } from './harness/servers.js';

const IDLE_MS = 30_000;
const T = 1_800_000_000_000;
let servers: LocalServices<'redis'>;
let redis: Redis;
let queues: Queue[];
let store: ReturnType<typeof createRedisIntakeStore>;
let prefix: string;
let n = 0;

beforeAll(async () => {
  servers = await startServers({ services: ['redis'] });
  redis = new Redis(servers.env.REDIS_URL, { maxRetriesPerRequest: null });
});

beforeEach(async () => {
  prefix = `{t${++n}}`;
  const options = { connection: redis, prefix };
  queues = [new Queue(QUEUES.reps, options), new Queue(QUEUES.samples, options), new Queue(QUEUES.alertChecks, options), new Queue(QUEUES.heartRate, options)];
  store = createRedisIntakeStore({
    redis,
    repsQueue: queues[0] as Queue,
    samplesQueue: queues[1] as Queue,
    alertChecksQueue: queues[2] as Queue,
    heartRateQueue: queues[3] as Queue,
    keys: redisKeys(prefix),
    setIdleTimeoutMs: IDLE_MS,
    deadLetterMax: 100,
  });
});

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await redis?.quit();
  await servers?.stop();
});

type Message = { channel: 'rep' | 'set' | 'status'; station?: string; body: Record<string, unknown> };

const rep = (setId: string, repIndex: number, extra: Record<string, unknown> = {}): Message => ({
  channel: 'rep',
  body: { v: 1, ts: T + repIndex * 1000, athleteId: 'a1', setId, exercise: 'back_squat', repIndex, loadKg: 100, meanVelocity: 0.5, ...extra },
});
const setEvent = (event: 'start' | 'end', setId: string): Message => ({
  channel: 'set',
  body: { v: 1, event, ts: T, setId, athleteId: 'a1', exercise: 'back_squat' },
});

/** Commits messages as one micro-batch at time `now` and returns the closing list afterwards. */
async function commit(now: number, ...messages: Message[]): Promise<SetJob[]> {
  const received = messages.map((m) => {
    const topic = `gym/v1/g1/${m.station ?? 'st1'}/${m.channel}`;
    const payload = Buffer.from(JSON.stringify(m.body));
    return { topic, payload, receivedAt: now, outcome: parseDeviceMessage(topic, payload, { now: T }) };
  });
  await store.commit(buildCommit(received, now, 1024));
  return store.peekClosing(100);
}

const closing = (setId: string, closedBy: string, revision = 0, stationId = 'st1') => ({ v: 1, gymId: 'g1', stationId, setId, closedBy, revision });

describe('set state in Redis', () => {
  it('an end event closes the set once, however often it is redelivered', async () => {
    expect(await commit(T, rep('s1', 1), rep('s1', 2))).toEqual([]);
    expect(await commit(T, setEvent('end', 's1'))).toEqual([closing('s1', 'end')]);
    expect(await commit(T, setEvent('end', 's1'), rep('s1', 2))).toEqual([closing('s1', 'end')]);
  });

  it('a rep of another set closes the open set of the same station only', async () => {
    await commit(T, rep('s1', 1), { ...rep('x1', 1), station: 'st2' });
    expect(await commit(T, rep('s2', 1))).toEqual([closing('s1', 'next_set')]);
    expect(await redis.hget(redisKeys(prefix).station('st2'), 'openSet')).toBe('x1');
  });

  it('a late rep of a closed set re-closes it with the next revision, once per batch', async () => {
    await commit(T, rep('s1', 1), setEvent('end', 's1'));
    const after = await commit(T, rep('s1', 2), rep('s1', 3));
    expect(after).toEqual([closing('s1', 'end'), closing('s1', 'late_rep', 1)]);
    expect(await redis.hlen(redisKeys(prefix).setReps('st1', 's1'))).toBe(3);
  });

  it('marks a set whose reps did not come 1, 2, 3 … each after the one before (its rep points are written again at close)', async () => {
    const outOfOrder = (setId: string) => redis.hget(redisKeys(prefix).set('st1', setId), 'repsOutOfOrder');
    await commit(T, rep('s1', 1), rep('s1', 2));
    await commit(T, rep('s1', 3));
    expect(await outOfOrder('s1')).toBeNull();
    expect(await redis.hget(redisKeys(prefix).set('st1', 's1'), 'maxRep')).toBe('3');
    await commit(T, rep('s2', 2), rep('s2', 1));
    expect(await outOfOrder('s2')).toBe('1');
    await commit(T, rep('s3', 1), rep('s3', 3));
    expect(await outOfOrder('s3')).toBe('1');
    await commit(T, rep('s4', 1));
    await commit(T, rep('s4', 1));
    expect(await outOfOrder('s4')).toBe('1'); // a redelivery too: writing the points again is harmless
  });

  it('a set start opens the set and closes the previous one; reps keep their full record', async () => {
    await commit(T, rep('s1', 1, { rom: 0.5 }));
    expect(await commit(T, setEvent('start', 's2'))).toEqual([closing('s1', 'next_set')]);
    const stored = JSON.parse((await redis.hget(redisKeys(prefix).setReps('st1', 's1'), '1')) ?? '{}') as Record<string, unknown>;
    expect(stored).toMatchObject({ gymId: 'g1', stationId: 'st1', setId: 's1', repIndex: 1, rom: 0.5, source: 'device' });
    expect(stored).not.toHaveProperty('v');
  });

  it('idle sets close when their deadline passes, not before', async () => {
    await commit(T, rep('s1', 1));
    await commit(T + 10_000, rep('s1', 2));
    expect(await store.closeIdleSets(T + 10_000 + IDLE_MS - 1, 100)).toBe(0);
    expect(await store.closeIdleSets(T + 10_000 + IDLE_MS, 100)).toBe(1);
    expect(await store.peekClosing(10)).toEqual([closing('s1', 'idle')]);
    expect(await store.closeIdleSets(T + 100_000, 100)).toBe(0);
  });

  it('status updates station presence, with the receive time for a last will', async () => {
    await commit(T + 5, { channel: 'status', body: { v: 1, online: false } });
    expect(await redis.hgetall(redisKeys(prefix).station('st1'))).toMatchObject({ online: '0', statusTs: String(T + 5), gymId: 'g1' });
  });

  it('only the lock holder removes closing entries', async () => {
    await commit(T, rep('s1', 1), setEvent('end', 's1'));
    expect(await store.holdLock('a', 5000)).toBe(true);
    expect(await store.holdLock('b', 5000)).toBe(false);
    expect(await store.removeClosing('b', 1)).toBe(false);
    expect(await store.peekClosing(10)).toHaveLength(1);
    expect(await store.removeClosing('a', 1)).toBe(true);
    expect(await store.peekClosing(10)).toEqual([]);
  });

  it('dead letters are bounded and counted per reason', async () => {
    const bad = Array.from({ length: 120 }, () => ({ channel: 'rep' as const, body: { v: 1 } }));
    await commit(T, ...bad);
    const keys = redisKeys(prefix);
    expect(await redis.llen(keys.deadLetters)).toBe(100);
    expect(await redis.hget(keys.deadLetterCounts, 'schema')).toBe('120');
  });
});
