// infra/mosquitto/dynsec-init.mjs, production's broker-init: it writes the same users and roles as
// the TypeScript bootstrap (packages/tenancy/src/broker/dynsec-bootstrap.ts) it cannot import, never
// overwrites a file the broker already keeps, and a broker starts on what it wrote.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dynsecBootstrap, verifyPassword } from '@neurolift/tenancy';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON, ackingPublisher, connackCode } from './harness/mqtt-reason-codes.js';
import { REPO_ROOT } from './harness/pipeline.js';
import { startServers } from './harness/servers.js';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'infra/mosquitto/dynsec-init.mjs');
const ENV = { BROKER_ADMIN_PASSWORD: 'admin-pw-1', INGEST_MQTT_PASSWORD: 'ingest-pw-1', ALERTS_MQTT_PASSWORD: 'alerts-pw-1' };

interface FileClient {
  username: string;
  password: string;
  salt: string;
  iterations: number;
  [key: string]: unknown;
}
interface File {
  clients: FileClient[];
  [key: string]: unknown;
}

let dir: string;
let file: string;

async function init(env: Record<string, string>): Promise<{ stdout: string }> {
  return run(process.execPath, [SCRIPT, file], { env: { PATH: process.env.PATH ?? '', ...env } });
}

/** The file without what is random (salts, hashes). */
const withoutSecrets = (content: File): unknown => ({ ...content, clients: content.clients.map(({ password: _p, salt: _s, ...rest }) => rest) });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'neurolift-dynsec-init-'));
  file = path.join(dir, 'dynamic-security.json');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dynsec-init.mjs', () => {
  it('writes what the TypeScript bootstrap writes, with the passwords from the environment', async () => {
    expect((await init(ENV)).stdout).toContain('wrote');
    const written = JSON.parse(await readFile(file, 'utf8')) as File;
    const expected = dynsecBootstrap({ admin: 'x', ingest: 'y', alerts: 'z' }) as unknown as File;
    expect(withoutSecrets(written)).toEqual(withoutSecrets(JSON.parse(JSON.stringify(expected)) as File));
    const stored = (username: string): { salt: string; hash: string; iterations: number } => {
      const client = written.clients.find((c) => c.username === username);
      if (!client) throw new Error(`no ${username}`);
      return { salt: client.salt, hash: client.password, iterations: client.iterations };
    };
    expect(verifyPassword(ENV.BROKER_ADMIN_PASSWORD, stored('neurolift.admin'))).toBe(true);
    expect(verifyPassword(ENV.INGEST_MQTT_PASSWORD, stored('neurolift.ingest'))).toBe(true);
    expect(verifyPassword(ENV.ALERTS_MQTT_PASSWORD, stored('neurolift.alerts'))).toBe(true);
  });

  it('leaves an existing file alone, and refuses to run without a password', async () => {
    const before = await readFile(file, 'utf8');
    expect((await init({ ...ENV, BROKER_ADMIN_PASSWORD: 'other' })).stdout).toContain('left as it is');
    expect(await readFile(file, 'utf8')).toBe(before);
    const refused = await init({ INGEST_MQTT_PASSWORD: 'i', ALERTS_MQTT_PASSWORD: 'a' }).then(
      () => '',
      (error: unknown) => String((error as { stderr?: unknown }).stderr),
    );
    expect(refused).toContain('BROKER_ADMIN_PASSWORD is not set');
  });

  it('a broker started on the file lets the pipeline users in with their rights', async () => {
    const servers = await startServers({ services: ['mosquitto'], dir: path.join(dir, 'run'), dynsec: { file } });
    try {
      const url = servers.env.MQTT_URL;
      expect(await connackCode(url, { username: 'neurolift.admin', password: ENV.BROKER_ADMIN_PASSWORD })).toBe(REASON.success);
      expect(await connackCode(url, { username: 'neurolift.ingest', password: 'wrong' })).toBe(REASON.notAuthorized);
      const alerts = await mqtt.connectAsync(url, { protocolVersion: 5, username: 'neurolift.alerts', password: ENV.ALERTS_MQTT_PASSWORD, reconnectPeriod: 0 });
      try {
        const publisher = ackingPublisher(alerts);
        // Allowed: success, or 0x10 as nobody subscribes (a refusal or any other failure fails the test).
        expect([REASON.success, REASON.noMatchingSubscribers]).toContain(await publisher.publish('gym/v1/gym-a/alerts', '{}'));
        expect(await publisher.publish('gym/v1/gym-a/st-1/rep', '{}')).toBe(REASON.notAuthorized);
      } finally {
        await alerts.endAsync(true);
      }
    } finally {
      await servers.stop();
    }
  });
});
