// Mosquitto with static files instead of the dynamic security plugin (production's setup is
// harness/dynsec-broker.ts): no anonymous clients, a password file with one user per device and per
// pipeline service, and an ACL file confining stations to their topics. The files are written into a
// folder the caller then hands to startServers({ dir }), so they live (and go) with the run.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePackages } from '../../../infra/local-services.mjs';

const run = promisify(execFile);

/** The Debian package's tool; installed with mosquitto. */
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

/**
 * A station's username is its stationId: it writes below its own topics and reads its own status (%u is
 * bound to the credentials; %c could be spoofed). Non-station users have a '.' in their name, which the
 * id rule refuses, so what they publish below gym/v1/+/<name>/ is dead-lettered.
 */
const STATIC_ACL = `pattern readwrite gym/v1/+/%u/#

user neurolift.ingest
topic read gym/v1/#

user neurolift.alerts
topic write gym/v1/+/alerts
`;

export interface BrokerAuthFiles {
  readonly passwordFile: string;
  readonly aclFile: string;
  /** Lines for `mosquittoExtraConfig`: later lines win, so this overrides the harness's `allow_anonymous true`. */
  readonly mosquittoConfig: string;
}

/**
 * Writes `passwd` (salted hashes, built with `mosquitto_passwd -b [-c]`) and `acl` (the stations'
 * pattern and the pipeline's users, followed by `aclExtra`) into `dir`.
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
  await writeFile(aclFile, aclExtra === '' ? STATIC_ACL : `${STATIC_ACL}\n${aclExtra}\n`);
  const mosquittoConfig = ['allow_anonymous false', `password_file ${passwordFile}`, `acl_file ${aclFile}`].join('\n');
  return { passwordFile, aclFile, mosquittoConfig };
}
