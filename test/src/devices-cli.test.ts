// The admin CLI as operators run it: the built `services/api/dist/cli/{devices,tokens}.js` as child
// processes against a real Redis and a real Mosquitto with the dynamic security plugin. Devices it adds
// connect with the password it printed, and each later command takes effect at the broker at once;
// tokens it issues authenticate until revoked; every change is in the tenant's audit log as `cli`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { DEFAULT_REDIS_PREFIX } from '@neurolift/contracts';
import { createRedisAuditLog, createRedisTokenStore, tenancyKeys } from '@neurolift/tenancy';
import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Closer } from './harness/closer.js';
import { DYNSEC_PASSWORDS, startDynsecServers, type DynsecServers } from './harness/dynsec-broker.js';
import { REASON, ackingPublisher, connackCode } from './harness/mqtt-reason-codes.js';
import { REPO_ROOT } from './harness/pipeline.js';
import { waitFor } from './harness/servers.js';

interface CliRun {
  readonly line: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let rig: DynsecServers<'mosquitto' | 'redis'>;
let url: string;
let redis: Redis;
const closer = new Closer();
const keys = tenancyKeys(DEFAULT_REDIS_PREFIX);
/** Everything the ingest user receives on gym/v1/#. */
const atIngest: string[] = [];
/** Every run, and each secret with the run that printed it, for the last test. */
const runs: CliRun[] = [];
const secrets: Array<{ readonly secret: string; readonly printedBy: CliRun }> = [];
/** The token `tokens create` issued. */
let tokenId = '';

/** The CLI's settings: Redis and the broker's admin (without `broker`: Redis only, as for tokens). */
function cliEnv(broker = true): Record<string, string> {
  const base = { PATH: process.env.PATH ?? '', REDIS_URL: rig.servers.env.REDIS_URL };
  return broker ? { ...base, BROKER_ADMIN_URL: url, BROKER_ADMIN_USERNAME: rig.admin.username, BROKER_ADMIN_PASSWORD: rig.admin.password } : base;
}

/** `npm run <cli> -- <args>` without npm: the built entry point as a child process. */
async function cli(name: 'devices' | 'tokens', args: readonly string[], env: Record<string, string> = cliEnv(name === 'devices')): Promise<CliRun> {
  const child = spawn(process.execPath, [`services/api/dist/cli/${name}.js`, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const run = { line: `${name} ${args.join(' ')}`, code, stdout, stderr };
  runs.push(run);
  return run;
}

/** A `key: value` line of a command's answer; a secret is remembered with the run that printed it. */
function field(run: CliRun, key: string, secret = false): string {
  const value = new RegExp(`^${key}:\\s+(\\S+)$`, 'm').exec(run.stdout)?.[1];
  if (value === undefined) throw new Error(`no ${key} in the output of ${run.line}: ${run.stdout}${run.stderr}`);
  if (secret) secrets.push({ secret: value, printedBy: run });
  return value;
}

/** Connects as the device (its id is the only client id the broker takes from it). */
async function connectDevice(id: string, password: string): Promise<MqttClient> {
  return closer.add(await mqtt.connectAsync(url, { protocolVersion: 5, clientId: id, username: id, password, reconnectPeriod: 0 }), (c) => c.endAsync(true));
}

/** Connects as the device and publishes on its topic at `gym`; resolves when the ingest user has it. Closed after: the device's next connection takes its id. */
async function publishesAt(id: string, password: string, gym: string): Promise<void> {
  const client = await connectDevice(id, password);
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  expect(await ackingPublisher(client).publish(`gym/v1/${gym}/${id}/rep`, marker)).toBe(REASON.success);
  await waitFor(async () => (atIngest.includes(marker) ? true : undefined), { what: `${id}'s message at the ingest user` });
  await client.endAsync(true);
}

/** Refused with its own client id: for the password or the state, not for the id. */
const refusedAtBroker = async (username: string, password: string): Promise<void> => {
  expect(await connackCode(url, { clientId: username, username, password })).toBe(REASON.notAuthorized);
};

beforeAll(async () => {
  rig = await startDynsecServers({ services: ['mosquitto', 'redis'] });
  url = rig.servers.env.MQTT_URL;
  redis = closer.add(new Redis(rig.servers.env.REDIS_URL), (r) => r.quit());
  const ingest = closer.add(
    await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'ingest-observer', username: 'neurolift.ingest', password: DYNSEC_PASSWORDS.ingest, reconnectPeriod: 0 }),
    (c) => c.endAsync(true),
  );
  ingest.on('message', (_topic, payload) => atIngest.push(payload.toString()));
  await ingest.subscribeAsync('gym/v1/#', { qos: 1 });
});

afterAll(async () => {
  await closer.close();
  await rig?.stop();
});

describe('npm run devices', () => {
  let password = '';

  it('add: the printed password connects and publishes under its gym, and nowhere else', async () => {
    const added = await cli('devices', ['add', 'rack-a1', '--kind', 'equipment', '--gym', 'gym-a']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(field(added, 'id')).toBe('rack-a1');
    password = field(added, 'password', true);
    await publishesAt('rack-a1', password, 'gym-a');
    const client = await connectDevice('rack-a1', password);
    expect(await ackingPublisher(client).publish('gym/v1/gym-b/rack-a1/rep', 'other gym')).toBe(REASON.notAuthorized);

    const again = await cli('devices', ['add', 'rack-a1', '--kind', 'equipment', '--gym', 'gym-a']);
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'add rack-a1: device id rack-a1 is not available\n' });
  });

  it('disable refuses it at the broker; enable lets it in again', async () => {
    expect(await cli('devices', ['disable', 'rack-a1'])).toMatchObject({ code: 0, stdout: 'rack-a1 disabled\n', stderr: '' });
    await refusedAtBroker('rack-a1', password);
    expect(await cli('devices', ['enable', 'rack-a1'])).toMatchObject({ code: 0, stdout: 'rack-a1 enabled\n', stderr: '' });
    await publishesAt('rack-a1', password, 'gym-a');
  });

  it('rotate: the old password is refused, the new one printed works', async () => {
    const rotated = await cli('devices', ['rotate', 'rack-a1']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    const next = field(rotated, 'password', true);
    expect(next).not.toBe(password);
    await refusedAtBroker('rack-a1', password);
    await publishesAt('rack-a1', next, 'gym-a');
    password = next;
  });

  it('list: a table and JSON with id, kind, gyms, enabled and when the password was set, never a password', async () => {
    const listed = await cli('devices', ['list']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/^ID\s+KIND\s+GYMS\s+ENABLED\s+PASSWORD SET AT\n/);
    expect(listed.stdout).toMatch(/^rack-a1\s+equipment\s+gym-a\s+yes\s+\d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    const asJson = await cli('devices', ['list', '--json']);
    const { devices } = JSON.parse(asJson.stdout) as { devices: Array<Record<string, unknown>> };
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ id: 'rack-a1', tenant: 'default', kind: 'equipment', gyms: ['gym-a'], enabled: true });
    expect(Object.keys(devices[0] ?? {}).sort()).toEqual(['createdAt', 'enabled', 'gyms', 'id', 'kind', 'passwordSetAt', 'tenant']);
    expect(Date.parse(String(devices[0]?.passwordSetAt))).toBeGreaterThan(Date.parse(String(devices[0]?.createdAt)));
  });

  it('refusals answer 1 with the reason; usage errors 2 with the usage; a bad setting 1 naming it', async () => {
    expect(await cli('devices', ['disable', 'ghost-1'])).toMatchObject({ code: 1, stdout: '', stderr: 'disable ghost-1: no such device\n' });
    expect(await cli('devices', ['add', 'alerts', '--kind', 'coach-app', '--gym', 'gym-a'])).toMatchObject({ code: 1, stderr: `add alerts: "alerts" is reserved (alerts, and ids starting neurolift-, the pipeline's own client ids)\n` });
    expect(await cli('devices', ['add', 'rack-a9', '--kind', 'equipment', '--gym', 'gym-a', '--gym', 'gym-b'])).toMatchObject({ code: 1, stderr: 'add rack-a9: equipment belongs to exactly one gym\n' });
    const usage = await cli('devices', ['add', 'rack-a9', '--kind', 'equipment']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/^devices: --gym is required \(repeat it for each gym\)\n\nUsage: npm run devices -- <command>/);
    expect(await cli('devices', ['list', '--tenant', 'ghost'])).toMatchObject({ code: 1, stderr: 'no such tenant: ghost (add it with: npm run devices -- tenant-add)\n' });
    const badSetting = await cli('devices', ['list'], { ...cliEnv(), REDIS_URL: 'http://127.0.0.1:6379' });
    expect(badSetting).toMatchObject({ code: 1, stdout: '' });
    expect(badSetting.stderr).toContain('REDIS_URL: must be a URL starting with redis:// or rediss://');
  });

  it('another tenant: its own gyms and devices, apart from the default tenant’s', async () => {
    const tenant = await cli('devices', ['tenant-add', 'acme', '--name', 'Acme Fitness', '--bucket', 'acme']);
    expect(tenant).toMatchObject({ code: 0, stderr: '' });
    expect([field(tenant, 'tenant'), field(tenant, 'bucket')]).toEqual(['acme', 'acme']);
    // The tenant's first admin token, printed once: an admin of acme.
    const principal = await createRedisTokenStore(redis, keys).authenticate(field(tenant, 'admin token', true), Date.now());
    expect(principal).toMatchObject({ tenant: 'acme', role: 'admin', gyms: 'all', operator: false, actor: field(tenant, 'admin token id') });
    expect(await cli('devices', ['gym-add', 'gym-b', '--tenant', 'acme'])).toMatchObject({ code: 0, stdout: 'gym gym-b belongs to tenant acme\n' });
    expect(await cli('devices', ['gym-add', 'gym-a', '--tenant', 'acme'])).toMatchObject({ code: 1, stderr: 'gym-add gym-a: gym id gym-a is not available\n' });
    const chosen = 'band-1-chosen-password';
    const added = await cli('devices', ['add', 'band-1', '--kind', 'wearable', '--gym', 'gym-b', '--password', chosen, '--tenant', 'acme']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(field(added, 'password', true)).toBe(chosen);
    await publishesAt('band-1', chosen, 'gym-b');
    expect((await cli('devices', ['list', '--tenant', 'acme'])).stdout).toMatch(/^band-1\s+wearable\s+gym-b\s+yes\s/m);
    expect((await cli('devices', ['list'])).stdout).not.toContain('band-1');
    expect(await cli('devices', ['disable', 'band-1'])).toMatchObject({ code: 1, stderr: 'disable band-1: no such device\n' });
  });

  it('without BROKER_ADMIN_PASSWORD only the registry changes, and it says so', async () => {
    const added = await cli('devices', ['add', 'band-2', '--kind', 'wearable', '--gym', 'gym-b', '--tenant', 'acme'], cliEnv(false));
    expect(added).toMatchObject({ code: 0, stderr: 'BROKER_ADMIN_PASSWORD is not set: only the registry changes, not the broker’s users\n' });
    await refusedAtBroker('band-2', field(added, 'password', true));
    expect((await cli('devices', ['list', '--tenant', 'acme'])).stdout).toMatch(/^band-2\s+wearable\s+gym-b\s+yes\s/m);
  });

  it('remove deletes it from the registry and the broker', async () => {
    expect(await cli('devices', ['remove', 'rack-a1'])).toMatchObject({ code: 0, stdout: 'rack-a1 removed\n', stderr: '' });
    await refusedAtBroker('rack-a1', password);
    expect((await cli('devices', ['list'])).stdout).toBe('no devices\n');
  });
});

describe('npm run tokens', () => {
  it('create, list and revoke: the printed secret authenticates until revoked (Redis only, no broker settings)', async () => {
    const tokens = createRedisTokenStore(redis, keys);
    const created = await cli('tokens', ['create', '--role', 'coach', '--gym', 'gym-a', '--name', 'Front desk tablet', '--expires', '30d']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = field(created, 'id');
    tokenId = id;
    const secret = field(created, 'secret', true);
    expect(await tokens.authenticate(secret, Date.now())).toEqual({ actor: id, tenant: 'default', role: 'coach', gyms: ['gym-a'], operator: false });

    const listed = await cli('tokens', ['list']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+Front desk tablet\\s+coach\\s+gym-a\\s+\\S+Z\\s+\\S+\\s+\\S+Z$`, 'm'));
    const asJson = JSON.parse((await cli('tokens', ['list', '--json'])).stdout) as { tokens: Array<Record<string, unknown>> };
    expect(asJson.tokens).toHaveLength(1);
    expect(asJson.tokens[0]).toMatchObject({ id, name: 'Front desk tablet', role: 'coach', gyms: ['gym-a'], createdBy: 'cli' });
    expect(Object.keys(asJson.tokens[0] ?? {})).not.toContain('hash');

    expect(await cli('tokens', ['revoke', id])).toMatchObject({ code: 0, stdout: `${id} revoked\n`, stderr: '' });
    expect(await tokens.authenticate(secret, Date.now())).toBeUndefined();
    expect(await cli('tokens', ['revoke', id])).toMatchObject({ code: 1, stderr: `revoke ${id}: no such token\n` });
    expect(await cli('tokens', ['create', '--role', 'viewer', '--gym', 'gym-b', '--name', 'x'])).toMatchObject({ code: 1, stderr: 'create: not gyms of this tenant: gym-b\n' });
  });
});

describe('what the CLI leaves behind', () => {
  it('the audit log has each change, with actor cli, in the tenant it concerns', async () => {
    const audit = createRedisAuditLog(redis, keys, { maxAgeMs: 86_400_000, maxEntries: 1000 });
    const actions = async (tenant: string) => (await audit.read(tenant, 100)).reverse().map(({ actor, action, target }) => `${actor} ${action} ${target}`);
    expect(await actions('default')).toEqual([
      'cli device.add rack-a1',
      'cli device.disable rack-a1',
      'cli device.enable rack-a1',
      'cli device.rotate rack-a1',
      'cli device.remove rack-a1',
      `cli token.create ${tokenId}`,
      `cli token.revoke ${tokenId}`,
    ]);
    expect((await actions('acme')).map((action) => action.replace(/tok_[a-f0-9]{16}/, 'tok_…'))).toEqual([
      'cli tenant.create acme',
      'cli token.create tok_…',
      'cli gym.add gym-b',
      'cli device.add band-1',
      'cli device.add band-2',
    ]);
  });

  it('printed each password and secret once, on stdout, in the answer to the command that made it', () => {
    expect(secrets.length).toBe(6);
    for (const { secret, printedBy } of secrets) {
      expect(runs.filter((run) => run.stdout.includes(secret) || run.stderr.includes(secret)).map((run) => run.line)).toEqual([printedBy.line]);
      expect(printedBy.stderr).not.toContain(secret);
    }
  });
});
