// Mosquitto as in production (infra/mosquitto/mosquitto.conf): the dynamic security plugin, no
// anonymous clients. The run folder gets the plugin's bootstrap file (the registry's admin and the
// pipeline's users); devices are then added live through BrokerAccess, as the registry does.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ADMIN_USER,
  connectDynsecClient,
  createDynsecBrokerAccess,
  dynsecBootstrapJson,
  hashPassword,
  type BrokerAccess,
  type Device,
  type DeviceKind,
  type DynsecBootstrapPasswords,
  type DynsecClient,
} from '@neurolift/tenancy';
import type { MqttClient } from 'mqtt';
import { pipelineBrokerUsers } from './pipeline-broker-users.js';
import type { DefaultServiceName } from '../../../infra/local-services.mjs';
import { startServers, type LocalServices, type LocalServicesOptions, type ServiceName } from './servers.js';

/** The pipeline's and the admin's broker passwords in the tests. */
export const DYNSEC_PASSWORDS: DynsecBootstrapPasswords = { admin: 'admin-secret-5d0c73', ingest: 'ingest-secret-b7e3a1', alerts: 'alerts-secret-c94d20' };

export interface DynsecServers<S extends ServiceName = DefaultServiceName> {
  readonly servers: LocalServices<S>;
  /** The plugin's file in the run folder; the broker rewrites it on every change. */
  readonly dynsecFile: string;
  readonly passwords: DynsecBootstrapPasswords;
  readonly admin: { readonly username: string; readonly password: string };
  /** Connected as the admin. */
  readonly dynsec: DynsecClient;
  readonly access: BrokerAccess;
  /** Closes the admin connection, then stops the servers. */
  stop(): Promise<void>;
}

/** Starts the servers (default all three) with the plugin and connects a BrokerAccess. */
export async function startDynsecServers<S extends ServiceName = DefaultServiceName>(
  options: Omit<LocalServicesOptions<S>, 'dir' | 'dynsec'> = {},
): Promise<DynsecServers<S>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'neurolift-dynsec-'));
  const dynsecFile = path.join(dir, 'dynamic-security.json');
  await writeFile(dynsecFile, dynsecBootstrapJson(DYNSEC_PASSWORDS), { mode: 0o600 });
  const servers = await startServers<S>({ ...options, dir, dynsec: { file: dynsecFile } });
  const mqttUrl = (servers.env as Partial<Record<'MQTT_URL', string>>).MQTT_URL;
  let dynsec: DynsecClient;
  try {
    if (mqttUrl === undefined) throw new Error('startDynsecServers needs mosquitto among the services');
    dynsec = await connectDynsecClient({ url: mqttUrl, username: ADMIN_USER, password: DYNSEC_PASSWORDS.admin, clientId: 'test-registry' });
  } catch (error) {
    await servers.stop();
    throw error;
  }
  return {
    servers,
    dynsecFile,
    passwords: DYNSEC_PASSWORDS,
    admin: { username: ADMIN_USER, password: DYNSEC_PASSWORDS.admin },
    dynsec,
    access: createDynsecBrokerAccess(dynsec),
    async stop() {
      await dynsec.close();
      await servers.stop();
    },
  };
}

/** The pipeline settings (for pipelineEnv) that connect ingest and alerts as their broker users. */
export function dynsecPipelineUsers(): Record<string, string> {
  return pipelineBrokerUsers({ 'neurolift.ingest': DYNSEC_PASSWORDS.ingest, 'neurolift.alerts': DYNSEC_PASSWORDS.alerts });
}

/** The SUBACK's code for one filter: its QoS when granted, 0x87 when refused (MQTT.js then rejects, the code in the packet). */
export async function subackCode(client: MqttClient, filter: string): Promise<number> {
  try {
    const [grant] = await client.subscribeAsync(filter, { qos: 1 });
    return grant?.qos ?? -1;
  } catch (error) {
    const granted = (error as { packet?: { granted?: unknown } }).packet?.granted;
    if (Array.isArray(granted) && typeof granted[0] === 'number') return granted[0];
    throw error;
  }
}

/** A registry entry for the tests (default tenant, enabled). */
export function testDevice(id: string, kind: DeviceKind, gyms: readonly string[], password: string, overrides: Partial<Device> = {}): Device {
  const at = new Date().toISOString();
  return { id, tenant: 'default', kind, gyms: [...gyms], enabled: true, createdAt: at, passwordSetAt: at, password: hashPassword(password), ...overrides };
}
