import { Id } from '@neurolift/contracts';
import { BucketName, DeviceKind } from '@neurolift/tenancy';
import { z } from 'zod';
import { checked, COMMON_OPTIONS, flags, noPositional, oneOf, onePositional, parseCommandLine, problem, required, tenantOf, type Parsed } from './cli-args.js';
import { SETTINGS_USAGE } from './cli-usage.js';

export type DevicesCommand =
  | { readonly command: 'add'; readonly tenant: string; readonly id: string; readonly kind: DeviceKind; readonly gyms: readonly string[]; readonly password?: string }
  | { readonly command: 'disable' | 'enable' | 'remove'; readonly tenant: string; readonly id: string }
  | { readonly command: 'rotate'; readonly tenant: string; readonly id: string; readonly password?: string }
  | { readonly command: 'list'; readonly tenant: string; readonly json: boolean }
  | { readonly command: 'gym-add'; readonly tenant: string; readonly gymId: string }
  | { readonly command: 'tenant-add'; readonly tenant: string; readonly id: string; readonly name: string; readonly bucket: string }
  | { readonly command: 'broker-file'; readonly tenant: string };

export const DEVICES_USAGE = `Usage: npm run devices -- <command> [options]   (after npm run build)

  add <id> --kind equipment|wearable|coach-app --gym <gymId> [--gym <gymId> ...] [--password <pw>]
                     register a device; prints its id and password (shown this once)
  disable <id>       refuse it at the broker and disconnect it
  enable <id>        let it in again
  rotate <id> [--password <pw>]
                     a new password, printed once; the old one is refused from now on
  remove <id>        delete it from the registry and the broker
  list [--json]      the tenant's devices: id, kind, gyms, enabled, password set at
  gym-add <gymId>    register a gym to the tenant
  tenant-add <id> --name <name> --bucket <bucket>
                     add a tenant and the TSDB bucket of its points
  broker-file        print the broker's dynamic security file rebuilt from the registry (every tenant's
                     devices with their current password hashes; the pipeline's users from
                     BROKER_ADMIN_PASSWORD, INGEST_MQTT_PASSWORD, ALERTS_MQTT_PASSWORD): for a broker
                     whose file was lost; devices keep their passwords

  --password: default a random one; a chosen one has 16 to 256 characters.
${SETTINGS_USAGE}`;

/** The same rule as the API's: a chosen password must resist guessing over the broker. */
const Password = z.string().min(16, 'must be 16 to 256 characters').max(256, 'must be 16 to 256 characters');
const TenantName = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

const optionalPassword = (value: string | undefined): { password?: string } =>
  value === undefined ? {} : { password: checked('--password', Password, value) };

/** `disable|enable|remove <id>`. */
const byId =
  (action: 'disable' | 'enable' | 'remove') =>
  (args: readonly string[]): DevicesCommand => {
    const { values, positionals } = flags(args, COMMON_OPTIONS);
    return { command: action, tenant: tenantOf(values.tenant), id: onePositional(positionals, 'device id') };
  };

const ACTIONS = {
  add(args: readonly string[]): DevicesCommand {
    const { values, positionals } = flags(args, { ...COMMON_OPTIONS, kind: { type: 'string' }, gym: { type: 'string', multiple: true }, password: { type: 'string' } });
    const gyms = values.gym ?? [];
    if (gyms.length === 0) problem('--gym is required (repeat it for each gym)');
    return {
      command: 'add',
      tenant: tenantOf(values.tenant),
      id: onePositional(positionals, 'device id'),
      kind: oneOf('--kind', DeviceKind.options, required('--kind', values.kind)),
      gyms: gyms.map((gym) => checked('--gym', Id, gym)),
      ...optionalPassword(values.password),
    };
  },
  rotate(args: readonly string[]): DevicesCommand {
    const { values, positionals } = flags(args, { ...COMMON_OPTIONS, password: { type: 'string' } });
    return { command: 'rotate', tenant: tenantOf(values.tenant), id: onePositional(positionals, 'device id'), ...optionalPassword(values.password) };
  },
  list(args: readonly string[]): DevicesCommand {
    const { values, positionals } = flags(args, { ...COMMON_OPTIONS, json: { type: 'boolean', default: false } });
    noPositional(positionals);
    return { command: 'list', tenant: tenantOf(values.tenant), json: values.json };
  },
  'gym-add'(args: readonly string[]): DevicesCommand {
    const { values, positionals } = flags(args, COMMON_OPTIONS);
    return { command: 'gym-add', tenant: tenantOf(values.tenant), gymId: onePositional(positionals, 'gym id') };
  },
  'tenant-add'(args: readonly string[]): DevicesCommand {
    const { values, positionals } = flags(args, { ...COMMON_OPTIONS, name: { type: 'string' }, bucket: { type: 'string' } });
    return {
      command: 'tenant-add',
      tenant: tenantOf(values.tenant),
      id: onePositional(positionals, 'tenant id'),
      name: checked('--name', TenantName, required('--name', values.name)),
      bucket: checked('--bucket', BucketName, required('--bucket', values.bucket)),
    };
  },
  'broker-file'(args: readonly string[]): DevicesCommand {
    const { values, positionals } = flags(args, COMMON_OPTIONS);
    noPositional(positionals);
    return { command: 'broker-file', tenant: tenantOf(values.tenant) };
  },
  disable: byId('disable'),
  enable: byId('enable'),
  remove: byId('remove'),
};

/** `npm run devices -- <argv>` as a command, the usage, or a usage error naming the problem. */
export function parseDevicesArgs(argv: readonly string[]): Parsed<DevicesCommand> {
  return parseCommandLine(argv, ACTIONS);
}
