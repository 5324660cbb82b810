// A broker that lost its dynamic security file gets it back from the registry: `npm run devices --
// broker-file` writes every registered device with its current password hash, role and state, and the
// pipeline's users. A fresh Mosquitto started on that file lets each device in with the password it
// already has, on its own gym's topics only, and still refuses a disabled one.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { BOOTSTRAP_PRINCIPAL, createRedisAuditLog, createRedisRegistryStore, createRedisTokenStore, createRegistryAdmin, INGEST_USER, tenancyKeys } from '@neurolift/tenancy';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Closer } from './harness/closer.js';
import { DYNSEC_PASSWORDS, startDynsecServers, type DynsecServers } from './harness/dynsec-broker.js';
import { REASON, ackingPublisher, connackCode } from './harness/mqtt-reason-codes.js';
import { REPO_ROOT } from './harness/pipeline.js';
import { startServers, type LocalServices } from './harness/servers.js';

const closer = new Closer();
let rig: DynsecServers<'mosquitto' | 'redis'>;
let fresh: LocalServices<'mosquitto'>;
const passwords = new Map<string, string>();

/** `npm run devices -- broker-file`, the built entry point as a child process. */
async function brokerFile(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['services/api/dist/cli/devices.js', 'broker-file'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

beforeAll(async () => {
  rig = closer.add(await startDynsecServers({ services: ['mosquitto', 'redis'] }), (started) => started.stop());
  const redis = closer.add(new Redis(rig.servers.env.REDIS_URL), (client) => client.quit());
  const keys = tenancyKeys(DEFAULT_REDIS_PREFIX);
  const store = createRedisRegistryStore(redis, keys);
  const admin = createRegistryAdmin({
    store,
    broker: rig.access,
    tokens: createRedisTokenStore(redis, keys),
    audit: createRedisAuditLog(redis, keys, { maxAgeMs: 86_400_000, maxEntries: 1000 }),
    clock: Date.now,
  });
  await admin.addTenant(BOOTSTRAP_PRINCIPAL, { id: 'acme', name: 'Acme', bucket: 'acme' });
  const acme = { ...BOOTSTRAP_PRINCIPAL, tenant: 'acme', operator: false };
  for (const [principal, id, kind, gyms] of [
    [BOOTSTRAP_PRINCIPAL, 'rack-d1', 'equipment', ['home-1']],
    [acme, 'rack-a1', 'equipment', ['acme-1']],
    [acme, 'band-a1', 'wearable', ['acme-1', 'acme-2']],
    [acme, 'rack-off', 'equipment', ['acme-1']],
  ] as const) {
    const added = await admin.addDevice(principal, { id, kind, gyms });
    if (!added.ok) throw new Error(added.message);
    passwords.set(id, added.value.password);
  }
  // A rotation and a disable: the file must hold the current hash and state, not the first ones.
  const rotated = await admin.rotatePassword(acme, 'rack-a1');
  if (!rotated.ok) throw new Error(rotated.message);
  passwords.set('rack-a1', rotated.value.password);
  await admin.setEnabled(acme, 'rack-off', false);

  const env = { REDIS_URL: rig.servers.env.REDIS_URL, BROKER_ADMIN_URL: rig.servers.env.MQTT_URL, BROKER_ADMIN_PASSWORD: DYNSEC_PASSWORDS.admin, INGEST_MQTT_PASSWORD: DYNSEC_PASSWORDS.ingest, ALERTS_MQTT_PASSWORD: DYNSEC_PASSWORDS.alerts };
  const written = await brokerFile(env);
  if (written.code !== 0) throw new Error(`broker-file: exit ${written.code}: ${written.stderr}`);
  expect(written.stdout).not.toContain(passwords.get('rack-a1'));
  // A new broker, as after losing its volume, on the rebuilt file only.
  const dir = await mkdtemp(path.join(tmpdir(), 'neurolift-broker-file-'));
  const file = path.join(dir, 'dynamic-security.json');
  await writeFile(file, written.stdout, { mode: 0o600 });
  fresh = closer.add(await startServers({ services: ['mosquitto'], dir, dynsec: { file } }), (started) => started.stop());
}, 120_000);

afterAll(async () => {
  await closer.close();
});

/**
 * Connects as the device with the password it has had all along, under its own id (the only client id
 * the file lets it use), and publishes at `gym`: the PUBACK's code. Closed after, as the next one takes its id.
 */
async function publishAs(id: string, gym: string): Promise<number> {
  const client = await mqtt.connectAsync(fresh.env.MQTT_URL, { protocolVersion: 5, clientId: id, username: id, password: passwords.get(id) ?? '', reconnectPeriod: 0 });
  try {
    return await ackingPublisher(client).publish(`gym/v1/${gym}/${id}/rep`, '{}');
  } finally {
    await client.endAsync(true);
  }
}
const delivered = (code: number): boolean => code === REASON.success || code === REASON.noMatchingSubscribers;

describe('the broker file rebuilt from the registry', () => {
  it('lets every enabled device in with its current password, on its own gyms only', async () => {
    expect(delivered(await publishAs('rack-d1', 'home-1'))).toBe(true);
    // Under its own id only: the file binds each device to it.
    expect(await connackCode(fresh.env.MQTT_URL, { clientId: 'neurolift-ingest-1', username: 'rack-d1', password: passwords.get('rack-d1') ?? '' })).toBe(REASON.notAuthorized);
    expect(delivered(await publishAs('rack-a1', 'acme-1'))).toBe(true);
    expect(await publishAs('rack-a1', 'acme-2')).toBe(REASON.notAuthorized);
    expect(delivered(await publishAs('band-a1', 'acme-2'))).toBe(true);
    expect(await publishAs('band-a1', 'home-1')).toBe(REASON.notAuthorized);
  });

  it('refuses a disabled device and a stranger; the pipeline users get in', async () => {
    expect(await connackCode(fresh.env.MQTT_URL, { clientId: 'rack-off', username: 'rack-off', password: passwords.get('rack-off') ?? '' })).toBe(REASON.notAuthorized);
    expect(await connackCode(fresh.env.MQTT_URL, { username: 'stranger', password: 'stranger-password-0123' })).toBe(REASON.notAuthorized);
    expect(await connackCode(fresh.env.MQTT_URL, { username: INGEST_USER, password: DYNSEC_PASSWORDS.ingest })).toBe(REASON.success);
  });

  it('names the settings it needs', async () => {
    const run = await brokerFile({ REDIS_URL: rig.servers.env.REDIS_URL });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BROKER_ADMIN_PASSWORD, INGEST_MQTT_PASSWORD and ALERTS_MQTT_PASSWORD');
  });
});
