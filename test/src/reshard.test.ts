// Changing REDIS_SHARDS on a deployment with data (decision 0022): deployment A runs a first stream with one
// shard, stops (its ingest's persistent session keeps what devices send meanwhile at the broker), is resharded
// to four shards with `npm run shards -- reshard --to 4`, and starts again with REDIS_SHARDS=4 for the second
// stream: late reps of sets of the first stream (their sets must re-close with every rep: set state moved) and
// new sets of the same athletes (their model folds on the history: athlete state moved). Deployment B runs both
// streams with one shard throughout. Every final point of A (the last write of each, as InfluxDB keeps it)
// equals B's: nothing lost, nothing duplicated, nothing computed from a partial state.
import { QUEUES, setJobId, shardLayout } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { keyPlace } from '@neurolift/storage';
import { runShardsCli } from '@neurolift/api';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDevice, pipelineEnv, startTestPipeline } from './harness/pipeline.js';
import { startRecordingProxy, type RecordedPoint, type RecordingProxy } from './harness/recording-proxy.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYMS = 6;
const STATIONS_PER_GYM = 2;
const T0 = Date.now() - 2 * 3600_000;
const MODEL_MEASUREMENTS = new Set(['rep', 'set', 'neurotrophic_stimulus', 'neurotrophic_exposure', 'neurotrophic_acute']);

interface Message {
  readonly topic: string;
  readonly payload: string;
}

const stations = Array.from({ length: GYMS * STATIONS_PER_GYM }, (_, i) => ({ gym: `gym-r${Math.floor(i / STATIONS_PER_GYM)}`, station: `st-r${i}`, athlete: `ath-r${i}` }));

function setMessages(set: number, reps: readonly number[], end: boolean): Message[] {
  return stations.flatMap(({ gym, station, athlete }, s) => {
    const base = { athleteId: athlete, setId: `set-${set}`, exercise: 'back_squat' };
    const ts = (rep: number) => T0 + set * 180_000 + rep * 4000 + s;
    const out = reps.map((rep) => ({
      topic: `gym/v1/${gym}/${station}/rep`,
      payload: JSON.stringify({ v: 1, ...base, ts: ts(rep), repIndex: rep, loadKg: 100 + 5 * set, meanVelocity: Number((0.8 - 0.03 * rep - 0.01 * set).toFixed(3)) }),
    }));
    if (end) out.push({ topic: `gym/v1/${gym}/${station}/set`, payload: JSON.stringify({ v: 1, event: 'end', ts: ts(reps.length + 1), ...base }) });
    return out;
  });
}

/** Stream one: two sets of five reps. Stream two: a sixth rep of the first set (late), then a third set. */
const FIRST = [...setMessages(0, [1, 2, 3, 4, 5], true), ...setMessages(1, [1, 2, 3, 4, 5], true)];
const LATE = setMessages(0, [6], false);
const THIRD = setMessages(2, [1, 2, 3, 4, 5], true);

interface Deployment {
  readonly servers: LocalServices;
  readonly tsdb: RecordingProxy;
  readonly device: MqttClient;
  pipeline?: Pipeline;
}

async function open(): Promise<Deployment> {
  const servers = await startServers();
  const tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  const device = await connectDevice(servers.env.MQTT_URL);
  return { servers, tsdb, device };
}

async function start(deployment: Deployment, shards: number): Promise<void> {
  deployment.pipeline = await startTestPipeline(pipelineEnv(deployment.servers.env, { INFLUX_URL: deployment.tsdb.url, REDIS_SHARDS: String(shards), MQTT_CLIENT_ID: 'reshard-ingest' }));
}

async function publish(deployment: Deployment, messages: readonly Message[]): Promise<void> {
  for (const message of messages) await deployment.device.publishAsync(message.topic, message.payload, { qos: 1 });
}

/** Waits until every set job of `revisions` is done in the layout's shards, no job waits or runs, and the TSDB has been quiet a while. */
async function settle(deployment: Deployment, shards: number, sets: ReadonlyArray<{ set: number; revision: number }>): Promise<void> {
  const layout = shardLayout('{nl}', shards);
  const queues = layout.prefixes.flatMap((prefix) => Object.values(QUEUES).map((name) => new Queue(name, { connection: { url: deployment.servers.env.REDIS_URL }, prefix })));
  try {
    await waitFor(
      async () => {
        for (const { gym, station } of stations) {
          for (const { set, revision } of sets) {
            const queue = queues.find((q) => q.name === QUEUES.sets && q.opts.prefix === layout.prefixes[layout.gymShard('default', gym)]);
            if (!(await queue?.getJob(setJobId(gym, station, `set-${set}`, revision)))?.finishedOn) return undefined;
          }
        }
        return true;
      },
      { what: 'every set job', timeoutMs: 90_000, intervalMs: 200 },
    );
    let seen = -1;
    await waitFor(
      async () => {
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children')));
        const busy = counts.some((count) => Object.values(count).some((n) => n > 0));
        const points = deployment.tsdb.points().length;
        const quiet = !busy && points === seen;
        seen = points;
        return quiet ? true : undefined;
      },
      { what: 'the queues drained and the TSDB quiet', timeoutMs: 60_000, intervalMs: 1500 },
    );
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

/** The last write of every model point (what InfluxDB keeps), keyed by measurement, tags and time. */
function finalPoints(points: readonly RecordedPoint[]): Map<string, Readonly<Record<string, string>>> {
  const out = new Map<string, Readonly<Record<string, string>>>();
  for (const point of points) {
    if (!MODEL_MEASUREMENTS.has(point.measurement)) continue;
    const tags = Object.entries(point.tags).sort(([a], [b]) => a.localeCompare(b));
    const key = `${point.measurement},${tags.map(([k, v]) => `${k}=${v}`).join(',')} ${point.ts}`;
    out.set(key, { ...(out.get(key) ?? {}), ...point.fields });
  }
  return out;
}

let a: Deployment;
let b: Deployment;

beforeAll(async () => {
  [a, b] = await Promise.all([open(), open()]);
}, 60_000);

afterAll(async () => {
  for (const deployment of [a, b]) {
    await deployment?.device.endAsync();
    await deployment?.pipeline?.close();
    await deployment?.tsdb.close();
    await deployment?.servers.stop();
  }
});

it('reshards a deployment from one shard to four between two streams, and ends with the same points as one that never did', async () => {
  // B: one shard throughout.
  await start(b, 1);
  await publish(b, FIRST);
  await settle(b, 1, [{ set: 0, revision: 0 }, { set: 1, revision: 0 }]);
  await publish(b, [...LATE, ...THIRD]);
  await settle(b, 1, [{ set: 0, revision: 1 }, { set: 2, revision: 0 }]);

  // A: the first stream on one shard, then stopped; the late reps come while it is down (kept by the broker).
  await start(a, 1);
  await publish(a, FIRST);
  await settle(a, 1, [{ set: 0, revision: 0 }, { set: 1, revision: 0 }]);
  await a.pipeline?.close();
  await publish(a, LATE);

  const out: string[] = [];
  const io = (argv: string[]) => ({ argv, env: { REDIS_URL: a.servers.env.REDIS_URL, REDIS_SHARDS: '1' }, stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => out.push(text) } });
  expect(await runShardsCli(io(['reshard', '--to', '4', '--dry-run'])), out.join('')).toBe(0);
  expect(await runShardsCli(io(['reshard', '--to', '4'])), out.join('')).toBe(0);
  expect(out.join('')).toMatch(/moved [1-9]\d* keys/);

  // Under the old shard's prefix only the control plane is left; all four new shards hold data.
  const redis = new Redis(a.servers.env.REDIS_URL);
  try {
    const left = (await redis.keys('{nl}:*')).map((key) => key.slice('{nl}:'.length));
    expect(left.filter((name) => keyPlace(name).kind !== 'control')).toEqual([]);
    for (const prefix of shardLayout('{nl}', 4).prefixes) expect((await redis.keys(`${prefix}:*`)).length, prefix).toBeGreaterThan(0);
  } finally {
    redis.disconnect();
  }

  await start(a, 4);
  await publish(a, THIRD);
  await settle(a, 4, [{ set: 0, revision: 1 }, { set: 2, revision: 0 }]);

  const [fromA, fromB] = [finalPoints(a.tsdb.points()), finalPoints(b.tsdb.points())];
  // The late rep re-closed its set: six reps in the set point of every station's first set.
  const lateSets = [...fromA].filter(([key, fields]) => key.startsWith('set,') && fields['set_id'] === '"set-0"' && fields['reps'] === '6i');
  expect(lateSets).toHaveLength(stations.length);
  expect(fromA.size).toBeGreaterThan(stations.length * 3);
  expect(new Map([...fromA].sort())).toEqual(new Map([...fromB].sort()));
}, 240_000);
