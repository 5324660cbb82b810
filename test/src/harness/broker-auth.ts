// Mosquitto as in production (infra/mosquitto/mosquitto.conf): no anonymous clients, a password file
// with one user per device and per pipeline service, and the ACL file. The files are written into a
// folder the caller then hands to startServers({ dir }), so they live (and go) with the run.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePackages } from '../../../infra/local-services.mjs';
import { REPO_ROOT } from './pipeline.js';

const run = promisify(execFile);

/** The Debian package's tool; installed with mosquitto. */
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

export interface BrokerAuthFiles {
  readonly passwordFile: string;
  readonly aclFile: string;
  /** Lines for `mosquittoExtraConfig`: later lines win, so this overrides the harness's `allow_anonymous true`. */
  readonly mosquittoConfig: string;
}

/**
 * Writes `passwd` (salted hashes, built with `mosquitto_passwd -b [-c]`) and `acl` (the repository's
 * infra/mosquitto/acl followed by `aclExtra`) into `dir`.
 */
export async function writeBrokerAuth(dir: string, users: Readonly<Record<string, string>>, aclExtra = ''): Promise<BrokerAuthFiles> {
  await ensurePackages(['mosquitto']);
  const passwordFile = path.join(dir, 'passwd');
  const aclFile = path.join(dir, 'acl');
  let first = true;
  for (const [user, password] of Object.entries(users)) {
    await run(MOSQUITTO_PASSWD, first ? ['-b', '-c', passwordFile, user, password] : ['-b', passwordFile, user, password]);
    first = false;
  }
  const acl = await readFile(path.join(REPO_ROOT, 'infra/mosquitto/acl'), 'utf8');
  await writeFile(aclFile, aclExtra === '' ? acl : `${acl.trimEnd()}\n\n${aclExtra}\n`);
  const mosquittoConfig = ['allow_anonymous false', `password_file ${passwordFile}`, `acl_file ${aclFile}`].join('\n');
  return { passwordFile, aclFile, mosquittoConfig };
}
