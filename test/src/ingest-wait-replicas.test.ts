// "Acknowledged means replicated" (INGEST_REDIS_WAIT_REPLICAS, decision 0022) on real servers: ingest with
// WAIT 1 in front of a Redis that has no replica keeps a rep unacknowledged to the broker (the commit is
// retried, and counted as a shortfall; the broker keeps the message in ingest's session) however long it
// waits; once a replica attaches and syncs, ingest acknowledges it, and the rep is on the replica too.
// (The device's own PUBACK comes from the broker at once, whatever ingest does: ingest's metrics tell.)
import { IngestConfigSchema, startIngest, type IngestService } from '@neurolift/ingest';
import { createLogger, createRegistry, loadConfig, type Registry } from '@neurolift/platform';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDevice, pipelineEnv, repPayload } from './harness/pipeline.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

let servers: LocalServices<'mosquitto' | 'redis'>;
let spare: LocalServices<'redis'>;
let ingest: IngestService;
let registry: Registry;
let device: MqttClient;

async function metric(name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, value) => sum + value.value, 0);
}
const shortfalls = () => metric('neurolift_ingest_replica_wait_shortfalls_total');
/** Messages ingest acknowledged to the broker (counted when their PUBACK is sent). */
const acknowledged = () => metric('neurolift_ingest_messages_stored_total');

beforeAll(async () => {
  [servers, spare] = await Promise.all([startServers({ services: ['mosquitto', 'redis'] }), startServers({ services: ['redis'] })]);
  registry = createRegistry({ defaultMetrics: false });
  const env = pipelineEnv({ ...servers.env, INFLUX_URL: 'http://127.0.0.1:9' }, { MQTT_CLIENT_ID: 'wait-replicas-ingest', INGEST_REDIS_WAIT_REPLICAS: '1', INGEST_REDIS_WAIT_TIMEOUT_MS: '100' });
  ingest = await startIngest(loadConfig('ingest', IngestConfigSchema, env), createLogger({ name: 'test', level: 'silent' }), { registry });
  device = await connectDevice(servers.env.MQTT_URL);
}, 60_000);

afterAll(async () => {
  await device?.endAsync();
  await ingest?.close();
  await spare?.stop();
  await servers?.stop();
});

it('holds its PUBACK to the broker until a replica has the commit, then sends it', async () => {
  const rep = { ts: Date.now() - 60_000, athleteId: 'ath-w', setId: 'w-1', repIndex: 1, meanVelocity: 0.7 };
  await device.publishAsync('gym/v1/gym-w/st-w/rep', repPayload(rep), { qos: 1 });

  // No replica: WAIT 1 comes back with 0, again and again; the message stays unacknowledged and in flight.
  await waitFor(async () => ((await shortfalls()) >= 3 ? true : undefined), { what: 'three commits short of a replica', timeoutMs: 20_000 });
  expect(await acknowledged()).toBe(0);
  expect(await metric('neurolift_ingest_in_flight_messages')).toBe(1);

  // A replica attaches: the next retry's WAIT is confirmed and ingest acknowledges the message.
  const master = new URL(servers.env.REDIS_URL);
  const replica = new Redis(spare.env.REDIS_URL);
  try {
    await replica.replicaof(master.hostname, Number(master.port));
    await waitFor(async () => ((await acknowledged()) === 1 ? true : undefined), { what: 'the message acknowledged', timeoutMs: 20_000 });
    expect(await metric('neurolift_ingest_in_flight_messages')).toBe(0);
    // What was acknowledged is on the replica (the set's reps hash, written in the acknowledged commit).
    const stored = await waitFor(async () => (await replica.hget('{nl}:set:st-w:w-1:reps', '1')) ?? undefined, { what: 'the rep on the replica', timeoutMs: 5000 });
    expect(JSON.parse(stored)).toMatchObject({ athleteId: 'ath-w', repIndex: 1, meanVelocity: 0.7 });
  } finally {
    await replica.replicaof('NO', 'ONE').catch(() => undefined);
    replica.disconnect();
  }
});
