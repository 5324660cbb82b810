import type { PasswordHash } from '../model.js';
import {
  ADMIN_ROLE,
  ADMIN_USER,
  ALERTS_ROLE,
  ALERTS_USER,
  DEFAULT_ACL_ACCESS,
  INGEST_ROLE,
  INGEST_USER,
  adminRole,
  alertsRole,
  ingestRole,
  type DynsecRole,
} from './device-acl.js';
import { hashPassword } from './password-hash.js';

/**
 * The plugin's JSON file (plugin_opt_config_file) for a broker's first start: the admin the registry
 * connects as, and the pipeline's users with their roles. Devices are added live, over the control
 * topic. infra/mosquitto/dynsec-init.mjs writes the same file in production (plain Node, no build);
 * an integration test keeps the two alike.
 */
export interface DynsecBootstrapPasswords {
  readonly admin: string;
  readonly ingest: string;
  readonly alerts: string;
}

/** A client as the plugin loads it: `password` is the hash, next to its salt and iterations. */
export interface DynsecFileClient {
  readonly username: string;
  readonly textname: string;
  readonly password: string;
  readonly salt: string;
  readonly iterations: number;
  readonly roles: ReadonlyArray<{ readonly rolename: string }>;
}

export interface DynsecFile {
  readonly defaultACLAccess: typeof DEFAULT_ACL_ACCESS;
  readonly clients: readonly DynsecFileClient[];
  readonly groups: readonly never[];
  readonly roles: readonly DynsecRole[];
}

function fileClient(username: string, textname: string, hash: PasswordHash, rolename: string): DynsecFileClient {
  return { username, textname, password: hash.hash, salt: hash.salt, iterations: hash.iterations, roles: [{ rolename }] };
}

export function dynsecBootstrap(passwords: DynsecBootstrapPasswords): DynsecFile {
  return {
    defaultACLAccess: DEFAULT_ACL_ACCESS,
    clients: [
      fileClient(ADMIN_USER, 'device registry', hashPassword(passwords.admin), ADMIN_ROLE),
      fileClient(INGEST_USER, 'ingest service', hashPassword(passwords.ingest), INGEST_ROLE),
      fileClient(ALERTS_USER, 'alerts service', hashPassword(passwords.alerts), ALERTS_ROLE),
    ],
    groups: [],
    roles: [adminRole(), ingestRole(), alertsRole()],
  };
}

/** The file's text. */
export function dynsecBootstrapJson(passwords: DynsecBootstrapPasswords): string {
  return `${JSON.stringify(dynsecBootstrap(passwords), null, 2)}\n`;
}
