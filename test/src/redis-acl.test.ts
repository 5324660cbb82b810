// The production Redis ACL on a real Redis: the `neurolift` user exactly as docker-compose.yml defines
// it (read from that file) runs the whole pipeline, and may touch nothing outside its `{nl}` keys nor
// run admin or dangerous commands.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QUEUES, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { load } from 'js-yaml';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, connectDevice, pipelineEnv, publishRep, startTestPipeline } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const PASSWORD = 'services-password-0123456789';
const GYM = 'gym-acl';

/** The `--user …` arguments of the compose file's redis command, with the password filled in. */
async function composeAclUser(): Promise<string[]> {
  const compose = load(await readFile(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: { redis: { command: string[] } } };
  const command = compose.services.redis.command;
  const at = command.indexOf('--user');
  const end = command.findIndex((arg, i) => i > at && arg.startsWith('--'));
  return command.slice(at, end === -1 ? undefined : end).map((arg) => arg.replace('${REDIS_SERVICES_PASSWORD}', PASSWORD));
}

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let redisUrl: string;

beforeAll(async () => {
  const user = await composeAclUser();
  expect(user.slice(0, 3)).toEqual(['--user', 'neurolift', 'on']);
  servers = await startServers({ redisExtraArgs: user });
  redisUrl = servers.env.REDIS_URL.replace('redis://', `redis://neurolift:${PASSWORD}@`);
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { REDIS_URL: redisUrl, MQTT_CLIENT_ID: 'acl-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
});

afterAll(async () => {
  await device?.endAsync();
  await pipeline?.close();
  await servers?.stop();
});

it('the pipeline runs as the compose file’s ACL user; that user cannot leave its keys or administer Redis', async () => {
  const t0 = Date.now() - 60_000;
  for (const [i, v] of [0.7, 0.68, 0.66].entries()) await publishRep(device, GYM, 'st-acl', { ts: t0 + i * 3000, setId: 's-acl', repIndex: i + 1, meanVelocity: v });
  await device.publishAsync(`gym/v1/${GYM}/st-acl/set`, JSON.stringify({ v: 1, event: 'end', ts: t0 + 9000, setId: 's-acl', athleteId: 'ath-1', exercise: 'back_squat' }), { qos: 1 });
  const sets = new Queue(QUEUES.sets, { connection: { url: redisUrl }, prefix: '{nl}' });
  try {
    await waitFor(async () => ((await sets.getJob(setJobId(GYM, 'st-acl', 's-acl', 0)))?.finishedOn ? true : undefined), { what: 'the set job', timeoutMs: 20_000 });
  } finally {
    await sets.close();
  }
  const nsi = await exportSeries(servers.env.INFLUX_URL, 'neurotrophic_stimulus_nsi{athlete="ath-1"}');
  expect(nsi[0]?.timestamps).toEqual([t0 + 6000]);

  const restricted = new Redis(redisUrl);
  try {
    await expect(restricted.set('{nl}:acl-probe', '1')).resolves.toBe('OK');
    await expect(restricted.get('other-app:key')).rejects.toThrow(/NOPERM/);
    await expect(restricted.flushall()).rejects.toThrow(/NOPERM/);
    await expect(restricted.config('GET', 'maxmemory-policy')).rejects.toThrow(/NOPERM/);
    await expect(restricted.keys('*')).rejects.toThrow(/NOPERM/);
  } finally {
    restricted.disconnect();
  }
});
