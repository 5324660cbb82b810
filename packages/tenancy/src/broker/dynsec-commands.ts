import type { DynsecAcl, DynsecRole } from './device-acl.js';

/**
 * Commands of the dynamic security plugin (mosquitto 2.0.11, plugins/dynamic-security/README.md), as
 * pure data: the client sends them, batched, to `$CONTROL/dynamic-security/v1`.
 */
export interface DynsecCommand {
  readonly command: string;
  readonly [field: string]: unknown;
}

/** Errors that mean "already so": [command, the plugin's error text]. */
export type Tolerated = ReadonlyArray<readonly [command: string, error: string]>;

/** The plugin's texts (2.0.11) for the states an idempotent call may find. */
export const ROLE_EXISTS: readonly [string, string] = ['createRole', 'Role already exists'];
export const CLIENT_EXISTS: readonly [string, string] = ['createClient', 'Client already exists'];
export const CLIENT_MISSING_ON_DELETE: readonly [string, string] = ['deleteClient', 'Client not found'];
export const ROLE_MISSING_ON_DELETE: readonly [string, string] = ['deleteRole', 'Role not found'];

/** Room for `{"commands":[…]}` and each command's correlationData. */
const ENVELOPE_BYTES = 64;
const PER_COMMAND_BYTES = 96;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * A role set to exactly `role.acls`, as batches each at most `maxBytes` long: createRole (an existing
 * one answers "Role already exists") and modifyRole, which replaces its ACLs without disconnecting
 * anyone; ACLs past the first message follow as addRoleACL commands. Brokers refuse packets over
 * max_packet_size (70000 in production), and a wearable may have 1000 gyms. The plugin disconnects a
 * role's clients on each addRoleACL, so only such large roles cost their device a reconnection.
 */
export function roleBatches(role: DynsecRole, maxBytes: number): DynsecCommand[][] {
  const head = (acls: readonly DynsecAcl[]): DynsecCommand[] => [
    { command: 'createRole', rolename: role.rolename, textname: role.textname },
    { command: 'modifyRole', rolename: role.rolename, textname: role.textname, acls },
  ];
  const budget = maxBytes - ENVELOPE_BYTES;
  let used = bytes(head([])) + 2 * PER_COMMAND_BYTES;
  if (used > budget) throw new Error(`maxBytes ${maxBytes} leaves no room for role ${role.rolename}`);

  const first: DynsecAcl[] = [];
  let index = 0;
  for (; index < role.acls.length; index++) {
    const acl = role.acls[index] as DynsecAcl;
    const size = bytes(acl) + 1;
    if (used + size > budget) break;
    first.push(acl);
    used += size;
  }
  const batches: DynsecCommand[][] = [head(first)];
  let batch: DynsecCommand[] = [];
  used = 0;
  for (; index < role.acls.length; index++) {
    const command: DynsecCommand = { command: 'addRoleACL', rolename: role.rolename, ...(role.acls[index] as DynsecAcl) };
    const size = bytes(command) + PER_COMMAND_BYTES;
    if (size > budget) throw new Error(`an ACL of role ${role.rolename} alone exceeds ${maxBytes} bytes`);
    if (used + size > budget) {
      batches.push(batch);
      batch = [];
      used = 0;
    }
    batch.push(command);
    used += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The JSON message of a batch, as published. */
export function commandMessage(commands: readonly DynsecCommand[]): string {
  return JSON.stringify({ commands });
}
