// The pipeline on a real 3-master Redis Cluster: queues, set state, segmentation and alerts all use the
// hash-tagged prefix `{nl}`, so every MULTI, script and BullMQ job touches one slot on one node. A set
// published over MQTT is stored with its NSI and raises its alert, and every key sits in that slot.
import { QUEUES, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDevice, pipelineEnv, publishRep, startTestPipeline } from './harness/pipeline.js';
import { startRedisCluster, type RedisCluster } from './harness/redis-cluster.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-cluster';

let servers: LocalServices<'mosquitto' | 'victoria-metrics'>;
let cluster: RedisCluster;
let pipeline: Pipeline;
let device: MqttClient;
let coach: MqttClient;
const alerts: string[] = [];

beforeAll(async () => {
  [servers, cluster] = await Promise.all([startServers({ services: ['mosquitto', 'victoria-metrics'] }), startRedisCluster()]);
  const env = { ...servers.env, REDIS_URL: cluster.url };
  pipeline = await startTestPipeline(pipelineEnv(env, { REDIS_CLUSTER: 'true', MQTT_CLIENT_ID: 'cluster-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
  coach = await connectDevice(servers.env.MQTT_URL);
  coach.on('message', (_topic, payload) => alerts.push(payload.toString()));
  await coach.subscribeAsync(`gym/v1/${GYM}/alerts`, { qos: 1 });
}, 90_000);

afterAll(async () => {
  await device?.endAsync();
  await coach?.endAsync();
  await pipeline?.close();
  await cluster?.stop();
  await servers?.stop();
});

it('stores a set, its NSI and its alert through a 3-master Redis Cluster, with every key in the {nl} slot', async () => {
  const t0 = Date.now() - 60_000;
  const velocities = [0.8, 0.78, 0.75, 0.72, 0.45];
  for (const [i, meanVelocity] of velocities.entries()) {
    await publishRep(device, GYM, 'st-c', { ts: t0 + i * 4000, athleteId: 'ath-c', setId: 'c-1', repIndex: i + 1, meanVelocity });
  }
  await device.publishAsync(`gym/v1/${GYM}/st-c/set`, JSON.stringify({ v: 1, event: 'end', ts: t0 + 20_000, setId: 'c-1', athleteId: 'ath-c', exercise: 'back_squat' }), { qos: 1 });

  const nodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
  const client = new Cluster(nodes);
  const sets = new Queue(QUEUES.sets, { connection: new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } }), prefix: '{nl}' });
  try {
    await waitFor(async () => ((await sets.getJob(setJobId(GYM, 'st-c', 'c-1', 0)))?.finishedOn ? true : undefined), { what: 'the set job', timeoutMs: 30_000 });
    const reps = await waitFor(async () => {
      const series = await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{gym="${GYM}"}`);
      return series[0]?.values.length === velocities.length ? series[0] : undefined;
    }, { what: 'the rep points' });
    expect(reps.values).toEqual(velocities);
    const nsi = await waitFor(async () => (await exportSeries(servers.env.INFLUX_URL, 'neurotrophic_stimulus_nsi{athlete="ath-c"}'))[0], { what: 'the NSI point' });
    expect(nsi.timestamps).toEqual([t0 + 16_000]);
    await waitFor(async () => (alerts.some((text) => text.includes('"rule":"high_fatigue"')) ? true : undefined), { what: 'the alert' });

    // Every key of the deployment lives in the one slot of `{nl}`, on one node.
    const slot = Number(await client.cluster('KEYSLOT', '{nl}'));
    const counts = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = new Redis({ port });
        try {
          return { all: Number(await node.dbsize()), inSlot: Number(await node.cluster('COUNTKEYSINSLOT', slot)) };
        } finally {
          node.disconnect();
        }
      }),
    );
    const owners = counts.filter((count) => count.all > 0);
    expect(owners).toHaveLength(1);
    expect(owners[0]?.inSlot).toBe(owners[0]?.all);
  } finally {
    await sets.close();
    client.disconnect();
  }
});
