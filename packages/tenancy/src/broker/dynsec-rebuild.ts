import type { Device } from '../model.js';
import { deviceRole } from './device-acl.js';
import { dynsecBootstrap, type DynsecBootstrapPasswords, type DynsecFile, type DynsecFileClient } from './dynsec-bootstrap.js';

/**
 * A device as the plugin's file holds it: its stored hash (the registry keeps the plugin's format), its
 * role, and its id as the only client id it may connect with (as createDynsecBrokerAccess binds it).
 */
function deviceClient(device: Device): DynsecFileClient & { readonly clientid: string; readonly disabled?: true } {
  const { hash, salt, iterations } = device.password;
  return {
    username: device.id,
    clientid: device.id,
    textname: `${device.kind} of ${device.tenant}`,
    password: hash,
    salt,
    iterations,
    roles: [{ rolename: deviceRole(device).rolename }],
    ...(device.enabled ? {} : { disabled: true as const }),
  };
}

/**
 * The plugin's whole file rebuilt from the registry: the pipeline's users (passwords given, as at the
 * first start) and every registered device with its current password hash, role and state. For a broker
 * whose file was lost: devices keep their passwords, nothing has to be re-provisioned. Pure.
 */
export function dynsecFileFromRegistry(passwords: DynsecBootstrapPasswords, devices: readonly Device[]): DynsecFile {
  const base = dynsecBootstrap(passwords);
  const sorted = [...devices].sort((a, b) => a.id.localeCompare(b.id));
  return {
    ...base,
    clients: [...base.clients, ...sorted.map(deviceClient)],
    roles: [...base.roles, ...sorted.map((device) => deviceRole(device))],
  };
}
