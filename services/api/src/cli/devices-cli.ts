import { dynsecFileFromRegistry, type DeviceView } from '@neurolift/tenancy';
import type { CliContext, CliProgram } from './cli-context.js';
import { DEVICES_USAGE, parseDevicesArgs, type DevicesCommand } from './devices-args.js';
import { done, fields, json, outcomeOf, table, type CliOutcome } from './cli-output.js';

const BROKER_COMMANDS: ReadonlySet<DevicesCommand['command']> = new Set(['add', 'disable', 'enable', 'rotate', 'remove']);

/** A new or rotated device: its password is printed here and never again. */
const withPassword = ({ device, password }: { device: DeviceView; password: string }): string =>
  fields([['id', device.id], ['kind', device.kind], ['gyms', device.gyms.join(',')], ['password', password]]);

export function deviceTable(devices: readonly DeviceView[]): string {
  if (devices.length === 0) return 'no devices\n';
  return table(
    ['ID', 'KIND', 'GYMS', 'ENABLED', 'PASSWORD SET AT'],
    devices.map((device) => [device.id, device.kind, device.gyms.join(','), device.enabled ? 'yes' : 'no', device.passwordSetAt]),
  );
}

async function runDevicesCommand(command: DevicesCommand, { admin, principal, store, config }: CliContext): Promise<CliOutcome> {
  switch (command.command) {
    case 'add': {
      const { id, kind, gyms, password } = command;
      return outcomeOf(await admin.addDevice(principal, { id, kind, gyms, ...(password === undefined ? {} : { password }) }), `add ${id}`, withPassword);
    }
    case 'disable':
    case 'enable': {
      const enabled = command.command === 'enable';
      return outcomeOf(await admin.setEnabled(principal, command.id, enabled), `${command.command} ${command.id}`, (device) => `${device.id} ${enabled ? 'enabled' : 'disabled'}\n`);
    }
    case 'rotate':
      return outcomeOf(await admin.rotatePassword(principal, command.id, command.password), `rotate ${command.id}`, withPassword);
    case 'remove':
      return outcomeOf(await admin.removeDevice(principal, command.id), `remove ${command.id}`, ({ deviceId }) => `${deviceId} removed\n`);
    case 'list': {
      const devices = await admin.listDevices(principal);
      return done(command.json ? json('devices', devices) : deviceTable(devices));
    }
    case 'gym-add':
      return outcomeOf(await admin.addGym(principal, command.gymId), `gym-add ${command.gymId}`, ({ gymId, tenant }) => `gym ${gymId} belongs to tenant ${tenant}\n`);
    case 'broker-file': {
      const { BROKER_ADMIN_PASSWORD: adminPassword, INGEST_MQTT_PASSWORD: ingest, ALERTS_MQTT_PASSWORD: alerts } = config;
      if (adminPassword === undefined || ingest === undefined || alerts === undefined) {
        return { code: 1, stdout: '', stderr: 'broker-file needs BROKER_ADMIN_PASSWORD, INGEST_MQTT_PASSWORD and ALERTS_MQTT_PASSWORD (the pipeline users it writes)\n' };
      }
      const { devices } = await store.snapshot();
      return done(`${JSON.stringify(dynsecFileFromRegistry({ admin: adminPassword, ingest, alerts }, [...devices.values()]), null, 2)}\n`);
    }
    case 'tenant-add': {
      const { id, name, bucket } = command;
      // The tenant's first admin token, printed here once: hand it to the tenant's administrator.
      return outcomeOf(await admin.addTenant(principal, { id, name, bucket }), `tenant-add ${id}`, ({ tenant, adminToken }) =>
        fields([['tenant', tenant.id], ['bucket', tenant.bucket], ['admin token id', adminToken.record.id], ['admin token', adminToken.secret]]),
      );
    }
  }
}

/** `npm run devices`: the device registry, gyms and tenants. */
export const DEVICES_CLI: CliProgram<DevicesCommand> = {
  name: 'devices',
  usage: DEVICES_USAGE,
  parse: (argv) => parseDevicesArgs(argv),
  usesBroker: (command) => BROKER_COMMANDS.has(command.command),
  withinTenant: (command) => command.command !== 'tenant-add' && command.command !== 'broker-file',
  run: runDevicesCommand,
};
