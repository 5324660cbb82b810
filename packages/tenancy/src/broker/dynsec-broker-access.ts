import type { Device } from '../model.js';
import type { BrokerAccess } from '../ports.js';
import { deviceRole, deviceRoleName } from './device-acl.js';
import type { DynsecClient } from './dynsec-client.js';
import { CLIENT_EXISTS, CLIENT_MISSING_ON_DELETE, ROLE_EXISTS, ROLE_MISSING_ON_DELETE, roleBatches, type DynsecCommand } from './dynsec-commands.js';

/**
 * BrokerAccess over the dynamic security plugin: a device is a plugin client named after its id, with
 * one role, `device.<id>`, holding its ACL, and bound to its id as client id: the plugin refuses any other
 * client id at CONNECT (0x87), before the broker takes over a session, so a device cannot kick ingest or
 * another device off and discard its session. Everything applies at once (mosquitto 2.0.11, measured in
 * test/src/device-registry-broker.test.ts): disableClient, deleteClient, setClientPassword and
 * modifyClient disconnect the user's sessions (MQTT 5 DISCONNECT 0x98); modifyRole changes the
 * ACL without a disconnection.
 */
export function createDynsecBrokerAccess(client: DynsecClient): BrokerAccess {
  async function putRole(device: Device): Promise<void> {
    for (const batch of roleBatches(deviceRole(device), client.maxPayloadBytes)) await client.send(batch, [ROLE_EXISTS]);
  }

  const enabled = (device: Device): DynsecCommand => ({ command: device.enabled ? 'enableClient' : 'disableClient', username: device.id });

  return {
    async upsertDevice(device, password) {
      await putRole(device);
      const rolename = deviceRoleName(device.id);
      const create: DynsecCommand = {
        command: 'createClient',
        username: device.id,
        clientid: device.id,
        password,
        textname: `${device.kind} of ${device.tenant}`,
        roles: [{ rolename }],
      };
      // Created enabled: a disabled one is disabled in the same message, before anyone can connect.
      const [created] = await client.send(device.enabled ? [create] : [create, enabled(device)], [CLIENT_EXISTS]);
      if (created?.error === undefined) return;
      // It existed: its password, role and state as given (modifyClient disconnects it; it reconnects with the new password).
      // The client id too: a user created before devices were bound gets bound here.
      await client.send([{ command: 'modifyClient', username: device.id, clientid: device.id, password, roles: [{ rolename }] }, enabled(device)]);
    },

    async updateAcl(device) {
      await putRole(device);
    },

    async setPassword(deviceId, password) {
      await client.send([{ command: 'setClientPassword', username: deviceId, password }]);
    },

    async disable(deviceId) {
      await client.send([{ command: 'disableClient', username: deviceId }]);
    },

    async enable(deviceId) {
      await client.send([{ command: 'enableClient', username: deviceId }]);
    },

    async remove(deviceId) {
      await client.send(
        [
          { command: 'deleteClient', username: deviceId },
          { command: 'deleteRole', rolename: deviceRoleName(deviceId) },
        ],
        [CLIENT_MISSING_ON_DELETE, ROLE_MISSING_ON_DELETE],
      );
    },
  };
}
